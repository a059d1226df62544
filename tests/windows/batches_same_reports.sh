#!/usr/bin/env bash
# Usage: batches_same_reports.sh LOGOFFCHECK PROVIDERS_DIR
# Batched cases (the agent plays 64 cases in one exchange and answers the
# support calls itself) give the reports of cases played call by call
# (LOGOFFCHECK_WINDOWS_BATCHES=off): for the same seed, the JSON reports,
# timing aside, are the same, for a DLL that passes, one that fails a clause
# and three that fault (an access violation: reported by the agent;
# ExitProcess: the case played again alone; a hang: the agent's watchdog),
# each with its counterexample and clause. The mutants fail in a case after
# the first (case 13 of seed 11), in the middle of a batch.
set -uo pipefail
logoffcheck=$1 providers_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL [$twin]: $*" >&2; failures=$((failures + 1)); }
untimed() { sed -E 's/"seconds": [0-9.eE+-]+/"seconds": X/' "$1"; }

for entry in reference:0:2000:2000 saves-first-flag:1:500:2000 segfault-on-null-flags:1:500:2000 \
             exits-on-last-release:1:500:2000 hangs-on-second-logoff:1:500:300; do
  IFS=: read -r twin expected cases timeout <<<"$entry"
  for batches in on off; do
    LOGOFFCHECK_WINDOWS_BATCHES=$batches "$logoffcheck" certify \
      --provider "$providers_dir/windows-$twin.dll" --seed 11 --cases "$cases" --timeout-ms "$timeout" \
      --report "$work/$twin.$batches.json" >"$work/$twin.$batches.out" 2>"$work/$twin.$batches.err"
    status=$?
    [[ $status -eq $expected ]] || fail "batches $batches: exit status $status, expected $expected"
    [[ -s $work/$twin.$batches.err ]] && fail "batches $batches: stderr: $(head -c 300 "$work/$twin.$batches.err")"
  done
  if ! diff <(untimed "$work/$twin.on.json") <(untimed "$work/$twin.off.json") >"$work/diff"; then
    fail "the reports differ: $(head -20 "$work/diff")"
  fi
  if [[ $expected -eq 1 ]]; then
    grep -q '"counterexample"' "$work/$twin.on.json" || fail "no counterexample in the report"
  fi
  echo "windows-$twin.dll: exit $status, reports the same with and without batches"
done
exit $((failures > 0))
