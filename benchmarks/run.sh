#!/usr/bin/env bash
# Reproduces BENCHMARKS.md on this machine: builds the benchmarks, runs JMH (with the GC profiler for
# allocation) and the HTTP benchmark, and writes results/jmh.json, results/http.json and ../BENCHMARKS.md.
# Extra arguments go to JMH, e.g. `benchmarks/run.sh VerifyBenchmark`.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -DskipTests package -pl benchmarks -am
java -jar benchmarks/target/benchmarks.jar -prof gc -rf json -rff benchmarks/results/jmh.json "$@"
java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.HttpBenchmark 8 8 5 benchmarks/results/http.json
python3 benchmarks/report.py > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
