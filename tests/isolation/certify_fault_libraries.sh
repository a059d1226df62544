#!/usr/bin/env bash
# Usage: certify_fault_libraries.sh LOGOFFCHECK GALLERY_LIBRARY
# Certifies every RC-3 mutant of the gallery as a provider library, by path
# (isolated by default), and holds each run to what `logoffcheck providers`
# says of the mutant: exit 1, RC-3 named with the fault observed, and a
# minimal counterexample of the listed length. The verifier itself must end
# by exiting, never by a signal.
set -uo pipefail
logoffcheck=$1 library=$2
failures=0 checked=0
fail() { echo "FAIL [$mutant]: $*" >&2; failures=$((failures + 1)); }

while read -r provider length; do
  mutant=${provider#builtin:}
  checked=$((checked + 1))
  output=$(LOGOFFCHECK_GALLERY_MUTANT=$mutant "$logoffcheck" certify --provider "$library" \
             --timeout-ms 300 2>&1)
  status=$?
  echo "--- $mutant: exit $status"
  if [[ $status -ne 1 ]]; then fail "exit status $status, expected 1"; continue; fi
  grep -q "NOT CONFORMANT: RC-3 (MUST) failed" <<<"$output" || fail "RC-3 not named"
  grep -qE "^  observed: .*(died by SIG[A-Z]+ \(signal [0-9]+\)|exited the process with status [0-9]+|threw an exception|no return within 300 ms)" \
    <<<"$output" || fail "the fault is not described"
  grep -qE "^Minimal counterexample: $length steps? " <<<"$output" ||
    fail "expected a minimal counterexample of $length step(s): $(grep '^Minimal' <<<"$output")"
done < <("$logoffcheck" providers | sed -nE 's/^(builtin:[^ ]+) +mutant +[a-z]+ +RC-3, ([0-9]+) steps? .*/\1 \2/p')

if [[ $checked -lt 5 ]]; then
  echo "FAIL: found $checked RC-3 mutants in 'logoffcheck providers', expected at least 5" >&2
  exit 1
fi
echo "$checked fault libraries certified, $failures failures"
[[ $failures -eq 0 ]]
