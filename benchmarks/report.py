#!/usr/bin/env python3
"""Turns benchmarks/results/jmh.json and http.json into BENCHMARKS.md (ratios measured in the same run)."""
import json, os, platform, subprocess, datetime

here = os.path.dirname(os.path.abspath(__file__))
jmh = json.load(open(os.path.join(here, 'results', 'jmh.json')))
http = json.load(open(os.path.join(here, 'results', 'http.json')))

def key(b):
    cls, method = b['benchmark'].rsplit('.', 2)[-2:]
    return cls, method, b.get('params', {}).get('bodySize')

rows = {}
for b in jmh:
    cls, method, size = key(b)
    alloc = b.get('secondaryMetrics', {}).get('gc.alloc.rate.norm', {}).get('score')
    rows[(cls, method, size)] = (b['primaryMetric']['score'], b['primaryMetric']['scoreError'], alloc)

def cpu():
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()

java = subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]
out = []
out.append('# Benchmarks\n')
out.append(f'Measured {datetime.date.today().isoformat()} on {cpu()}, {os.cpu_count()} cores, {java}, '
           'JMH 1.37 (throughput, 2 forks, 3 x 2 s warm-up, 5 x 2 s measurement, `-prof gc`). '
           'Every ratio compares results of the same run on the same machine; absolute figures only mean something here.\n')
out.append('Reproduce: `benchmarks/run.sh` (about 15 minutes; writes `benchmarks/results/jmh.json`, `benchmarks/results/http.json` and this file).\n')

out.append('## Verify one signed body (`VerifyBenchmark`)\n')
out.append('`baseline` is the least a correct verifier must do, written plainly in the benchmark: a keyed `Mac`, `doFinal` '
           'over the body, base64-decode the header, `MessageDigest.isEqual`. The peers verify the same body with their own schemes '
           '(Stripe with its timestamp tolerance off).\n')
methods = ['hookguard', 'baseline', 'standardWebhooks', 'svix', 'stripe']
sizes = sorted({k[2] for k in rows if k[0] == 'VerifyBenchmark'}, key=lambda s: int(s))
out.append('| body | ' + ' | '.join(f'{m} ops/s' for m in methods) + ' | hookguard / baseline | hookguard / fastest peer |')
out.append('|---|' + '---|' * (len(methods) + 2))
targets = []
for size in sizes:
    scores = {m: rows[('VerifyBenchmark', m, size)][0] for m in methods if ('VerifyBenchmark', m, size) in rows}
    peers = {m: scores[m] for m in ('standardWebhooks', 'svix', 'stripe') if m in scores}
    fastest = max(peers, key=peers.get)
    vs_base = scores['hookguard'] / scores['baseline']
    vs_peer = scores['hookguard'] / peers[fastest]
    targets.append((size, vs_base, vs_peer, fastest))
    out.append(f'| {int(size):,} B | ' + ' | '.join(f'{scores[m]:,.0f}' for m in methods) + f' | **{vs_base:.3f}x** | **{vs_peer:.2f}x** ({fastest}) |')
out.append('')
out.append('Allocation per operation (`gc.alloc.rate.norm`, bytes; the body itself is allocated once, outside the measurement):\n')
out.append('| body | ' + ' | '.join(methods) + ' |')
out.append('|---|' + '---|' * len(methods))
for size in sizes:
    out.append(f'| {int(size):,} B | ' + ' | '.join(
        f"{rows[('VerifyBenchmark', m, size)][2]:,.0f}" if rows.get(('VerifyBenchmark', m, size), (0, 0, None))[2] is not None else 'n/a'
        for m in methods) + ' |')
out.append('')

out.append('## Verify and parse (`ParseBenchmark`)\n')
out.append('Hookguard verifies and parses into typed records (`MauticBatch` with its events; `WorkflowSession` with values); '
           'the baseline is HMAC plus Jackson `readTree` on the same bytes. The Mautic body is a queued batch of 10 events of mixed '
           'types, as PHP encodes it. An event\'s idempotency key is computed when first asked for; the pipeline asks for every one, '
           'and the third row measures that too (half of these events have no natural id, so their key is a SHA-256 of their bytes).\n')
out.append('| body | hookguard ops/s | baseline ops/s | hookguard / baseline | hookguard B/op | baseline B/op |')
out.append('|---|---|---|---|---|---|')
parse_ratios = []
for name, h, b in (('Mautic batch of 10', 'hookguardMautic', 'baselineMautic'), ('Malcolm! session', 'hookguardMalcolm', 'baselineMalcolm'),
                   ('Mautic batch of 10, with every idempotency key', 'hookguardMauticWithKeys', 'baselineMautic')):
    hs, _, ha = rows[('ParseBenchmark', h, None)]
    bs, _, ba = rows[('ParseBenchmark', b, None)]
    parse_ratios.append((name, hs / bs))
    out.append(f'| {name} | {hs:,.0f} | {bs:,.0f} | **{hs / bs:.3f}x** | {ha:,.0f} | {ba:,.0f} |')
out.append('')

out.append('## HTTP (`HttpBenchmark`)\n')
out.append(f"The same Javalin 7 endpoint with and without the Hookguard plugin in front, {http['connections']} keep-alive connections "
           f"from a Java load generator on loopback, {http['seconds']} s per run after 2 s of warm-up, one discarded warm-up run of each "
           f"variant, then {http['rounds']} alternating rounds. "
           'Every request is a new signed Malcolm! session (so none is a cheap duplicate); without Hookguard the endpoint parses the '
           'body with Jackson, as an application would. Client and server share the machine.\n')
out.append('| variant | median req/s | runs |')
out.append('|---|---|---|')
out.append(f"| plain endpoint | {http['plainMedian']:,.0f} | {', '.join(f'{x:,.0f}' for x in http['plain'])} |")
out.append(f"| with Hookguard | {http['hookguardMedian']:,.0f} | {', '.join(f'{x:,.0f}' for x in http['hookguard'])} |")
out.append(f"\nRatio **{http['ratio']:.3f}**: verification costs {(1 - http['ratio']) * 100:.1f}% of the endpoint's throughput.\n")

out.append('## Targets\n')
out.append('| target | result | holds |')
out.append('|---|---|---|')
for size, vs_base, vs_peer, fastest in targets:
    out.append(f'| verify at {int(size):,} B: at least 0.95x baseline | {vs_base:.3f}x | {"yes" if vs_base >= 0.95 else "no"} |')
size, vs_base, vs_peer, fastest = targets[0]
out.append(f'| verify at 1 KiB: at least 1.5x the fastest peer | {vs_peer:.2f}x ({fastest}) | {"yes" if vs_peer >= 1.5 else "no"} |')
allocs = [rows[('VerifyBenchmark', 'hookguard', s)][2] for s in sizes]
out.append(f'| verify allocation beyond the body: under 1 KiB/op | {max(allocs):,.0f} B/op at most | {"yes" if max(allocs) < 1024 else "no"} |')
for name, ratio in parse_ratios[:2]:
    out.append(f'| verify and parse ({name}): at least 0.9x HMAC + readTree | {ratio:.3f}x | {"yes" if ratio >= 0.9 else "no"} |')
out.append(f"| HTTP: verification costs under 10% | {(1 - http['ratio']) * 100:.1f}% | {'yes' if http['ratio'] > 0.9 else 'no'} |")
print('\n'.join(out))
