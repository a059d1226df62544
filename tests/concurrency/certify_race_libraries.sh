#!/usr/bin/env bash
# Usage: certify_race_libraries.sh LOGOFFCHECK GALLERY_LIBRARY
# Certifies the race mutants as a provider library, by path, with
# --threads 2 for seeds 1..20: each run must exit 1 naming RC-4 (or RC-3,
# the crash a lost race can cause) and show the threads' columns; the same
# library passes without --threads.
set -uo pipefail
logoffcheck=$1 library=$2
failures=0
fail() { echo "FAIL [$mutant seed $seed]: $*" >&2; failures=$((failures + 1)); }

for mutant in lost-update-count check-then-act-release; do
  seed=sequential
  LOGOFFCHECK_GALLERY_MUTANT=$mutant "$logoffcheck" certify --provider "$library" \
    --cases 300 >/dev/null 2>&1 || fail "a sequential run must pass"
  for seed in $(seq 1 20); do
    output=$(LOGOFFCHECK_GALLERY_MUTANT=$mutant "$logoffcheck" certify --provider "$library" \
               --threads 2 --cases 200 --seed "$seed" 2>&1)
    status=$?
    if [[ $status -ne 1 ]]; then fail "exit status $status, expected 1"; continue; fi
    grep -qE "NOT CONFORMANT: RC-[34] \(MUST\) failed" <<<"$output" || fail "neither RC-4 nor RC-3"
    grep -qE "thread 1 +thread 2" <<<"$output" || fail "no column per thread"
    grep -oE "failed in [0-9]+ of [0-9]+ runs" <<<"$output"
  done
done
echo "$failures failures"
[[ $failures -eq 0 ]]
