#!/usr/bin/env bash
# Reproduces BENCHMARKS.md on this machine: builds the benchmarks, runs every JMH benchmark in paired rounds (with the
# GC profiler for allocation), the HTTP benchmark and the inbox benchmark (needs PostgreSQL from Debian's packages), and
# writes results/jmh.json, results/http.json, results/inbox.json and ../BENCHMARKS.md.
# Usage: benchmarks/run.sh [rounds (default 7)] [class regex, e.g. VerifyBenchmark]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-7}"
only="${2:-.*}"
mvn -B -ntp -q -DskipTests install -pl benchmarks -am
java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.Rounds "$rounds" benchmarks/results/jmh.json "$only"
java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.HttpBenchmark 2 4 60 benchmarks/results/http.json
java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.InboxBenchmark 2 4 10 benchmarks/results/inbox.json
python3 benchmarks/report.py > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
