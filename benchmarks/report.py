#!/usr/bin/env python3
"""Turns benchmarks/results/jmh.json (written by Rounds) and http.json into BENCHMARKS.md.

Rounds runs every method once per round, the methods of a group back to back, so the k-th result of a method
belongs to round k. Every ratio is computed within a round and the median over the rounds is reported, with the
lowest and highest round beside it.
"""
import collections, datetime, json, os, platform, statistics, subprocess

here = os.path.dirname(os.path.abspath(__file__))
jmh = json.load(open(os.path.join(here, 'results', 'jmh.json')))
http = json.load(open(os.path.join(here, 'results', 'http.json')))

runs = collections.defaultdict(list)  # (class, method, param value) -> [(ops/s, B/op)] in round order
for b in jmh:
    cls, method = b['benchmark'].rsplit('.', 2)[-2:]
    params = b.get('params', {})
    value = next(iter(params.values())) if params else None
    alloc = b.get('secondaryMetrics', {}).get('gc.alloc.rate.norm', {}).get('score')
    runs[(cls, method, value)].append((b['primaryMetric']['score'], alloc))
# A class re-measured on its own (benchmarks/run.sh N ParseBenchmark, merged in) keeps all of its own rounds.
class_rounds = {c: min(len(v) for (k, _, _), v in runs.items() if k == c) for c, _, _ in runs}
rounds = max(class_rounds.values())


def scores(cls, method, value):
    return [s for s, _ in runs[(cls, method, value)][:class_rounds[cls]]]


def median_score(cls, method, value):
    return statistics.median(scores(cls, method, value))


def median_alloc(cls, method, value):
    allocs = [a for _, a in runs[(cls, method, value)][:class_rounds[cls]] if a is not None]
    return statistics.median(allocs) if allocs else None


def paired(numerator, denominator):
    """Per-round ratios of two score lists: (median, lowest, highest)."""
    ratios = [n / d for n, d in zip(numerator, denominator)]
    return statistics.median(ratios), min(ratios), max(ratios)


def fmt(r):
    return f'**{r[0]:.3f}x** ({r[1]:.3f}-{r[2]:.3f})'


def cpu():
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


java = subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]
out = ['# Benchmarks\n']
out.append(f'Measured {datetime.date.today().isoformat()} on {cpu()}, {os.cpu_count()} cores, {java}, JMH 1.37, '
           f'throughput mode, `-prof gc`. The machine is a shared virtual machine whose speed drifts by tens of percent '
           f'within minutes, so JMH runs in **{rounds} rounds** (`Rounds`): each round runs every method in its own fork '
           '(3 x 1 s warm-up, 4 x 1 s measurement), the methods that a ratio compares back to back, in reverse order every other '
           'round. Every ratio below is computed within a round; the table gives the median over the rounds and, in brackets, '
           'the lowest and highest round. Absolute figures are medians and only mean something on this machine.\n')
out.append('Reproduce: `benchmarks/run.sh` (about 30 minutes; writes `benchmarks/results/jmh.json`, `benchmarks/results/http.json` '
           'and this file). `benchmarks/run.sh 2 VerifyBenchmark` runs two rounds of one class.\n')

out.append('## Verify one signed body (`VerifyBenchmark`)\n')
out.append('`baseline` is the least a correct verifier must do, written plainly in the benchmark: a keyed `Mac`, `doFinal` '
           'over the body, base64-decode the header, `MessageDigest.isEqual`. The peers verify the same body with their own '
           'schemes (Stripe with its timestamp tolerance off).\n')
methods = ['hookguard', 'baseline', 'standardWebhooks', 'svix', 'stripe']
peers = ['standardWebhooks', 'svix', 'stripe']
sizes = sorted({k[2] for k in runs if k[0] == 'VerifyBenchmark'}, key=int)
out.append('| body | ' + ' | '.join(f'{m} ops/s' for m in methods) + ' | hookguard / baseline | hookguard / fastest peer |')
out.append('|---|' + '---|' * (len(methods) + 2))
verify = []
for size in sizes:
    hook = scores('VerifyBenchmark', 'hookguard', size)
    fastest_per_round = [max(scores('VerifyBenchmark', p, size)[i] for p in peers) for i in range(class_rounds['VerifyBenchmark'])]
    medians = {p: median_score('VerifyBenchmark', p, size) for p in peers}
    fastest = max(medians, key=medians.get)
    vs_base = paired(hook, scores('VerifyBenchmark', 'baseline', size))
    vs_peer = paired(hook, fastest_per_round)
    verify.append((size, vs_base, vs_peer, fastest))
    out.append(f'| {int(size):,} B | ' + ' | '.join(f'{median_score("VerifyBenchmark", m, size):,.0f}' for m in methods)
               + f' | {fmt(vs_base)} | {fmt(vs_peer)} (fastest: {fastest}) |')
out.append('')
out.append('Allocation per operation (`gc.alloc.rate.norm`, bytes, median; the body itself is allocated once, outside the measurement):\n')
out.append('| body | ' + ' | '.join(methods) + ' |')
out.append('|---|' + '---|' * len(methods))
for size in sizes:
    out.append(f'| {int(size):,} B | ' + ' | '.join(f'{median_alloc("VerifyBenchmark", m, size):,.0f}' for m in methods) + ' |')
out.append('')

out.append('## Verify and parse (`ParseBenchmark`)\n')
out.append('`hookguard` verifies and parses into typed records (`MauticBatch` with its events; `WorkflowSession` with its values); '
           '`baseline` is HMAC plus Jackson `readTree` on the same bytes. The Mautic body is a queued batch of 10 events of mixed '
           'types as PHP encodes it (13 KB); the Malcolm! body is a session with five values (1 KB). An event\'s idempotency key is '
           'computed when first asked for; the pipeline asks for every one, which `hookguardWithKeys` measures (half of these Mautic '
           'events have no natural id, so their key is a SHA-256 of their bytes, located while parsing).'
           + (f' Measured in {class_rounds["ParseBenchmark"]} rounds of its own.' if class_rounds['ParseBenchmark'] != rounds else '') + '\n')
out.append('| body | hookguard ops/s | hookguardWithKeys ops/s | baseline ops/s | hookguard / baseline | hookguardWithKeys / baseline '
           '| hookguard B/op | baseline B/op |')
out.append('|---|---|---|---|---|---|---|---|')
parse = []
for value, name in (('mauticBatch', 'Mautic batch of 10'), ('malcolmSession', 'Malcolm! session')):
    base = scores('ParseBenchmark', 'baseline', value)
    r = paired(scores('ParseBenchmark', 'hookguard', value), base)
    rk = paired(scores('ParseBenchmark', 'hookguardWithKeys', value), base)
    parse.append((name, r))
    out.append(f'| {name} | {median_score("ParseBenchmark", "hookguard", value):,.0f} | '
               f'{median_score("ParseBenchmark", "hookguardWithKeys", value):,.0f} | {median_score("ParseBenchmark", "baseline", value):,.0f} | '
               f'{fmt(r)} | {fmt(rk)} | {median_alloc("ParseBenchmark", "hookguard", value):,.0f} | '
               f'{median_alloc("ParseBenchmark", "baseline", value):,.0f} |')
out.append('')

out.append('## Idempotency store (`StoreBenchmark`)\n')
out.append('One delivery\'s round trip through the default in-memory store (claim a new key, mark it done) once it holds its default '
           'bound of 100,000 keys, against the least a bounded store must do: a synchronized `LinkedHashMap` that drops its eldest '
           'entry. The store keeps its keys in a byte arena and a few primitive arrays, with no object per key (not even the key '
           'string), so it trades a little time per call for far less garbage-collector work (`gc.time` in the JMH output). In the '
           'HTTP benchmark\'s server this is what showed: with the map-based store it replaced, young pauses took 12-16 ms because '
           '100,000 remembered key objects were copied on every collection; with the arena they take about 2 ms, as in the server '
           'without Hookguard.\n')
out.append('| hookguard ops/s | baseline ops/s | hookguard / baseline | hookguard B/op | baseline B/op |')
out.append('|---|---|---|---|---|')
store_ratio = paired(scores('StoreBenchmark', 'hookguard', None), scores('StoreBenchmark', 'baseline', None))
out.append(f'| {median_score("StoreBenchmark", "hookguard", None):,.0f} | {median_score("StoreBenchmark", "baseline", None):,.0f} | '
           f'{fmt(store_ratio)} | {median_alloc("StoreBenchmark", "hookguard", None):,.0f} | {median_alloc("StoreBenchmark", "baseline", None):,.0f} |')
out.append('')

out.append('## HTTP (`HttpBenchmark`)\n')
out.append(f"The same Javalin 7 endpoint with and without the Hookguard plugin in front, driven over loopback by {http['connections']} "
           f"keep-alive connections from a plain-socket load generator (an HTTP client library would take the CPU the server needs: "
           f"client and server share the two cores). Every request is a new signed Malcolm! session, so none is a cheap duplicate; "
           f"without Hookguard the endpoint parses the body with Jackson, as an application would; with it, the route reads the "
           f"verified session. Each variant runs in a server JVM of its own (neither inherits the other's JIT profile), warmed up for "
           f"30 s; then {http['rounds']} short rounds each load both back to back ({http['roundMillis'] / 1000:g} s each after "
           f"0.25 s not counted, in alternating order) and give one ratio. Short rounds because this machine's speed drifts over "
           f"seconds: the shorter a round, the less it drifts between its two halves. Beside the throughput, each round reads the "
           f"server process's own CPU time per request, which the client's share of the cores does not dilute.\n")
ratios = sorted(http['ratios'])
q = statistics.quantiles(ratios, n=4)
cpu_ratio = statistics.median([h / p for h, p in zip(http['hookguardCpuMicros'], http['plainCpuMicros'])])
out.append('| | plain | with Hookguard | ratio (median of rounds) | middle half of rounds | lowest-highest |')
out.append('|---|---|---|---|---|---|')
out.append(f"| requests/s (median) | {http['plainMedian']:,.0f} | {http['hookguardMedian']:,.0f} | **{http['ratio']:.3f}** | "
           f"{q[0]:.3f}-{q[2]:.3f} | {ratios[0]:.3f}-{ratios[-1]:.3f} |")
out.append(f"| server CPU per request (median) | {statistics.median(http['plainCpuMicros']):.1f} us | "
           f"{statistics.median(http['hookguardCpuMicros']):.1f} us | {cpu_ratio:.3f} | | |")
http_ratio = http['ratio']
out.append(f"\nVerification costs **{(1 - http_ratio) * 100:.1f}%** of the endpoint's throughput (median of {http['rounds']} paired "
           f"rounds); the server spends {(cpu_ratio - 1) * 100:.1f}% more CPU per request. Every round is in "
           "`benchmarks/results/http.json`.\n")

if os.path.exists(os.path.join(here, 'results', 'inbox.json')):
    import inbox_report
    out.extend(inbox_report.section())

out.append('## Targets\n')
out.append('Judged on the medians over the rounds.\n')
out.append('| target | result | holds |')
out.append('|---|---|---|')
for size, vs_base, vs_peer, fastest in verify:
    out.append(f'| verify at {int(size):,} B: at least 0.95x baseline | {vs_base[0]:.3f}x | {"yes" if vs_base[0] >= 0.95 else "no"} |')
size, vs_base, vs_peer, fastest = verify[0]
out.append(f'| verify at 1 KiB: at least 1.5x the fastest peer | {vs_peer[0]:.2f}x | {"yes" if vs_peer[0] >= 1.5 else "no"} |')
allocs = [median_alloc('VerifyBenchmark', 'hookguard', s) for s in sizes]
out.append(f'| verify allocation beyond the body: under 1 KiB/op | {max(allocs):,.0f} B/op at most | {"yes" if max(allocs) < 1024 else "no"} |')
for name, r in parse:
    out.append(f'| verify and parse ({name}): at least 0.9x HMAC + readTree | {r[0]:.3f}x | {"yes" if r[0] >= 0.9 else "no"} |')
out.append(f"| HTTP: verification costs under 10% | {(1 - http_ratio) * 100:.1f}% | {'yes' if http_ratio > 0.9 else 'no'} |")
print('\n'.join(out))
