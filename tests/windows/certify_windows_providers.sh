#!/usr/bin/env bash
# Usage: certify_windows_providers.sh LOGOFFCHECK PROVIDERS_DIR
# Certifies every bundled Windows provider, windows-TWIN.dll, under Wine by
# path, and holds each run to what `logoffcheck providers` says of its
# native twin builtin:TWIN: a reference is CONFORMANT (exit 0); a mutant
# exits 1 naming the twin's clause, with a minimal counterexample of the
# twin's length; an RC-3 mutant names its fault. One counterexample is then
# replayed, against its DLL (still fails) and the Windows reference (passes).
# The verifier's stdout is all logoffcheck's: Wine's and the providers'
# output never reaches it.
set -uo pipefail
logoffcheck=$1 providers_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 checked=0
fail() { echo "FAIL [$twin]: $*" >&2; failures=$((failures + 1)); }

catalog=$("$logoffcheck" providers)
for dll in "$providers_dir"/windows-*.dll; do
  twin=$(basename "$dll" .dll)
  twin=${twin#windows-}
  row=$(grep -E "^builtin:$twin +" <<<"$catalog")
  if [[ -z $row ]]; then fail "no native twin builtin:$twin"; continue; fi
  read -r _ kind profile _ <<<"$row"
  checked=$((checked + 1))
  output=$("$logoffcheck" certify --provider "$dll" --profile "$profile" --timeout-ms 300 \
             --counterexample "$work/$twin.json" 2>"$work/stderr")
  status=$?
  echo "--- windows-$twin.dll ($kind, $profile): exit $status"
  grep -m1 -E "^Minimal counterexample" <<<"$output"
  grep -m1 -E "^  observed:" <<<"$output"
  if [[ -s $work/stderr ]]; then fail "stderr is not empty: $(head -c 300 "$work/stderr")"; fi
  if [[ $(head -1 <<<"$output") != "logoffcheck "*": certify $dll" ]]; then
    fail "stdout does not start with logoffcheck's summary: $(head -1 <<<"$output")"
  fi
  if [[ $kind == reference ]]; then
    [[ $status -eq 0 ]] || fail "exit status $status, expected 0"
    grep -q "verdict  CONFORMANT" <<<"$output" || fail "not CONFORMANT"
    # The bundled stores use only the contract's three support methods.
    if grep -q "^note:" <<<"$output"; then fail "a note on support calls it did not make"; fi
    continue
  fi
  clause=$(sed -nE 's/.* mutant +[a-z]+ +([A-Z]+-[0-9]).*/\1/p' <<<"$row")
  length=$(sed -nE 's/.* mutant +[a-z]+ +[A-Z]+-[0-9]( \(strict\))?, ([0-9]+) steps? .*/\2/p' <<<"$row")
  [[ $status -eq 1 ]] || { fail "exit status $status, expected 1"; continue; }
  grep -q "NOT CONFORMANT: $clause (MUST) failed" <<<"$output" || fail "$clause not named"
  grep -qE "^Minimal counterexample: $length steps? " <<<"$output" ||
    fail "expected a minimal counterexample of $length step(s) as builtin:$twin"
  if [[ $clause == RC-3 ]]; then
    grep -qE "^  observed: .*(access violation (reading|writing) 0x|exited the process with status [0-9]+|threw an exception: [a-z]|no return within 300 ms)" \
      <<<"$output" || fail "the fault is not named"
  fi
done
if [[ $checked -lt 8 ]]; then
  echo "FAIL: certified $checked Windows providers, expected at least 8" >&2
  exit 1
fi

# The SDK sample store's twin conforms (above) with SL-3 warnings, fails only
# under --strict, by SL-3, and --profile auto says how it treats input (D3, D4).
twin=sdk-sample
output=$("$logoffcheck" certify --provider "$providers_dir/windows-sdk-sample.dll" --strict \
           --timeout-ms 300 2>"$work/stderr")
status=$?
[[ $status -eq 1 ]] || fail "--strict: exit status $status, expected 1"
grep -q "NOT CONFORMANT: SL-3 (SHOULD) failed" <<<"$output" || fail "--strict: SL-3 not named"
output=$("$logoffcheck" certify --provider "$providers_dir/windows-sdk-sample.dll" \
           --profile auto --cases 300 --timeout-ms 300 --report "$work/sdk-sample.json" \
           2>"$work/stderr")
status=$?
[[ $status -eq 0 ]] || fail "--profile auto: exit status $status, expected 0"
grep -q "^profile detection: follows deferred.*invalid input: accepted as given; writes back LOGOFF_COMPLETE" \
  <<<"$output" || fail "--profile auto: $(grep 'profile detection' <<<"$output")"
# Its Logon is the SDK sample's (sample_logon.h): the report names each of
# the sample's support calls, in the sample's order.
calls=$(grep -oE '"call": *"IMAPISupport::[A-Za-z]+' "$work/sdk-sample.json" | sed 's/.*:://' |
          tr '\n' ' ')
[[ $calls == "OpenProfileSection NewUID ModifyProfile SetProviderUID Subscribe Subscribe AddRef " ]] ||
  fail "the logon trace is not the SDK sample's: $calls"

# Replay: the crash still fails as recorded; the Windows reference passes.
twin=segfault-on-null-flags
"$logoffcheck" replay "$work/$twin.json" >"$work/replay.txt" 2>&1
status=$?
[[ $status -eq 1 ]] || fail "replay exit status $status, expected 1: $(cat "$work/replay.txt")"
grep -q "as recorded" "$work/replay.txt" || fail "replay does not fail as recorded"
"$logoffcheck" replay "$work/$twin.json" --provider "$providers_dir/windows-reference.dll" \
  >"$work/replay.txt" 2>&1
status=$?
[[ $status -eq 0 ]] || fail "replay against the reference: exit $status, expected 0"

echo "$checked Windows providers certified under Wine, $failures failures"
[[ $failures -eq 0 ]]
