#!/usr/bin/env bash
# The figures of docs/scale.md, measured in one session:
#   bash bench/scale_figures.sh [BUILD_DIR]   (default: build)
# 1. scale_bench: checked steps/s through run_certification next to the raw
#    calls of the same store (the floor), and --jobs 1 vs 2 on 200,000 cases;
# 2. the CLI: stats.steps / stats.seconds of a 1,000,000-case certification
#    of the reference store, and the wall time of --jobs 1 and --jobs 2;
# 3. peak RSS (/usr/bin/time -v) of 10,000 and 1,000,000 cases.
set -euo pipefail
build=${1:-build}
logoffcheck=$build/harness/logoffcheck
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== scale_bench"
"$build/bench/scale_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

certify() {  # certify JOBS CASES -> prints steps/s and wall seconds
  local start end
  start=$(date +%s.%N)
  "$logoffcheck" certify --provider builtin:reference --cases "$2" --jobs "$1" \
    --report "$scratch/r.json" >/dev/null
  end=$(date +%s.%N)
  jq -r --arg wall "$(echo "$end - $start" | bc)" \
    '"  steps \(.stats.steps), stats.seconds \(.stats.seconds), \(.stats.steps / .stats.seconds | floor) checked steps/s, wall \($wall) s"' \
    "$scratch/r.json"
}
echo "== logoffcheck certify --provider builtin:reference --cases 1000000 --jobs 1 (x3)"
for _ in 1 2 3; do certify 1 1000000; done
echo "== logoffcheck certify --provider builtin:reference --cases 1000000 --jobs 2 (x3)"
for _ in 1 2 3; do certify 2 1000000; done

echo "== peak RSS (/usr/bin/time -v), --cases 10000 vs 1000000"
for cases in 10000 1000000; do
  /usr/bin/time -v "$logoffcheck" certify --provider builtin:reference --cases $cases \
    >/dev/null 2>"$scratch/time.txt"
  echo "  $cases cases: $(grep 'Maximum resident' "$scratch/time.txt")"
done
