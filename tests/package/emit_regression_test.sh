#!/usr/bin/env bash
# Usage: emit_regression_test.sh LOGOFFCHECK WORKDIR
# Finds the saves-first-flag mutant's counterexample with the installed
# logoffcheck and emits the GoogleTest regression test for it.
set -euo pipefail
logoffcheck=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
status=0
"$logoffcheck" certify --provider builtin:saves-first-flag \
  --counterexample "$work/cx.json" >"$work/certify.txt" || status=$?
[[ $status -eq 1 ]] || { echo "certify exited $status, expected 1" >&2; exit 1; }
status=0
"$logoffcheck" replay "$work/cx.json" --emit-gtest "$work/regression_test.cpp" \
  >"$work/replay.txt" || status=$?
[[ $status -eq 1 ]] || { echo "replay exited $status, expected 1" >&2; exit 1; }
grep -q 'TEST(' "$work/regression_test.cpp"
