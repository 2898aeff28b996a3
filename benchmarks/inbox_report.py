#!/usr/bin/env python3
"""Prints the inbox section of BENCHMARKS.md from benchmarks/results/inbox.json (written by InboxBenchmark)."""
import json, os, statistics

here = os.path.dirname(os.path.abspath(__file__))


def section():
    data = json.load(open(os.path.join(here, 'results', 'inbox.json')))
    out = ['## Inbox accept and handling (`InboxBenchmark`)\n']
    out.append(f"Three Javalin servers, each in a JVM of its own, answer signed Malcolm! sessions (about 600 B, a new id each) from "
               f"{data['connections']} keep-alive plain-socket connections: `direct`, Hookguard in direct mode with a no-op handler "
               f"(no database); `inbox`, Hookguard in inbox mode, answering 202 once the row is committed (the inbox's store alone, "
               f"workers off, so only accept is measured); `bare`, no Hookguard at all, one autocommit `INSERT` of the raw body per "
               f"request. `inbox` and `bare` use the same HikariCP pool (8 connections) on databases of their own kind: an H2 file "
               f"(`WRITE_DELAY=0` for both, which the inbox sets itself) and a PostgreSQL 15 cluster started for the run with "
               f"**fsync on** (`.ci/postgres.sh`, `HOOKGUARD_PG_FSYNC=on`). After 15 s of warm-up each, {data['rounds']} rounds load "
               f"the three back to back for {data['roundMillis'] / 1000:g} s each (rotating the order); ratios are per round, the "
               f"table gives medians over rounds (lowest-highest round in brackets). Latency is per request, measured by the client.\n")
    out.append('| database | variant | requests/s | p50 | p99 | server CPU per request |')
    out.append('|---|---|---|---|---|---|')
    ratios = []
    for db in data['databases']:
        for variant in ('direct', 'inbox', 'bare'):
            v = db[variant]
            out.append(f"| {db['database']} | {variant} | {statistics.median(v['rps']):,.0f} | {statistics.median(v['p50']) / 1000:.2f} ms | "
                       f"{statistics.median(v['p99']) / 1000:.2f} ms | {statistics.median(v['cpu']):,.0f} us |")
        vs_bare = [i / b for i, b in zip(db['inbox']['rps'], db['bare']['rps'])]
        vs_direct = [i / d for i, d in zip(db['inbox']['rps'], db['direct']['rps'])]
        ratios.append((db['database'], vs_bare, vs_direct))
    out.append('')
    out.append('| database | inbox / bare INSERT | inbox / direct mode |')
    out.append('|---|---|---|')
    for name, vs_bare, vs_direct in ratios:
        out.append(f"| {name} | **{statistics.median(vs_bare):.3f}x** ({min(vs_bare):.3f}-{max(vs_bare):.3f}) | "
                   f"{statistics.median(vs_direct):.3f}x ({min(vs_direct):.3f}-{max(vs_direct):.3f}) |")
    h = data['handling']
    out.append(f"\nHandling: two workers of one instance, a no-op handler, on the same PostgreSQL (fsync on): **{h['perSecond']:,.0f} "
               f"deliveries/s** ({h['rows']:,.0f} rows in {h['seconds']:.1f} s). Each row costs a share of a claim transaction (a worker "
               f"claims 4 rows at once) and one transaction of its own in which the handler runs and \"done\" is written, so that a "
               f"handler's writes and \"done\" commit together: at least one WAL flush per row.\n")
    pg = next(d for d in data['databases'] if d['database'] == 'postgresql')
    med = lambda d, v, k: statistics.median(d[v][k])
    out.append(f"Where the time goes. On PostgreSQL the inbox's server spends {med(pg, 'inbox', 'cpu'):.0f} us of CPU per request against "
               f"{med(pg, 'bare', 'cpu'):.0f} us for the bare INSERT: verification, parsing, the key and the header text add about "
               f"{med(pg, 'inbox', 'cpu') - med(pg, 'bare', 'cpu'):.0f} us (direct mode, which is Javalin, verification and parsing with no "
               f"database, takes {med(pg, 'direct', 'cpu'):.0f} us in all). The rest of the {med(pg, 'inbox', 'p50') / 1000:.2f} ms median is "
               f"the commit: the server waits for its WAL flush (fsync on), as the bare INSERT does ({med(pg, 'bare', 'p50') / 1000:.2f} ms). "
               f"No lock is contended at accept: one INSERT by primary key in autocommit (a single-part delivery needs no savepoint), "
               f"and nothing else touches a new row until a worker claims it. On H2 both database variants spend about half a "
               f"millisecond of CPU per request inside H2 itself, which writes its store on every commit (`WRITE_DELAY 0`).\n")
    out.append('| target | result | holds |')
    out.append('|---|---|---|')
    for name, vs_bare, _ in ratios:
        out.append(f"| inbox accept on {name}: at least 0.7x the bare INSERT | {statistics.median(vs_bare):.3f}x | "
                   f"{'yes' if statistics.median(vs_bare) >= 0.7 else 'no'} |")
    out.append('')
    return out


if __name__ == '__main__':
    print('\n'.join(section()))
