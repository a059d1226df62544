#!/usr/bin/env bash
# controlled_schedules.sh SCENARIO LOGOFFCHECK
# `--schedule controlled` end to end (docs/concurrency.md#controlled-schedules):
#   races      both race mutants caught with --threads 2 for seeds 1..20, a
#              counterexample of at most 8 calls whose replay fails 20 of 20
#   correct    the reference stores pass seeds 1..20, no false alarm, no hang
#   correct_mutex  the store that locks (builtin:reference-mutex) passes
#              seeds 1..20: its threads' waits on the held mutex are seen as
#              blocked, never as a hang, and no schedule is a false alarm
#   same_seed  the same seed gives the same report, byte for byte (times masked)
#   refused    --schedule without --threads, or an unknown schedule: exit 2
#   sandbox    a provider library under --schedule controlled: exit 2 naming
#              --sandbox off, which runs it (REFERENCE_LIBRARY: its path)
set -euo pipefail
scenario=$1 logoffcheck=$2 reference_library=${3:-}
source "$(dirname "$0")/../lib/scenario.sh"

# The loops below make 80 runs: their output would fill ctest's log, whose
# size is bounded (it keeps the beginning), and hide the failing run. So the
# runs are quiet, a failure prints the run that failed (its command, output
# and counterexample), and a line per seed says what passed.
run() {
  local expected=$1 status=0
  shift
  last_command="logoffcheck $*"
  "$logoffcheck" "$@" >out.txt 2>err.txt || status=$?
  [[ $status -eq $expected ]] || fail "$last_command exited $status, expected $expected"
}
fail() {
  echo "FAIL: $*" >&2
  if [[ -n ${last_command:-} ]]; then
    echo "--- the last run: $last_command" >&2
    cat out.txt err.txt >&2
    [[ -f cx.json ]] && { echo "--- cx.json" >&2; cat cx.json >&2; }
  fi
  exit 1
}

case $scenario in
races)
  for mutant in lost-update-count check-then-act-release; do
    for seed in $(seq 1 20); do
      rm -f cx.json
      run 1 certify --provider builtin:$mutant --threads 2 --schedule controlled --cases 200 \
        --seed "$seed" --counterexample cx.json
      expect_output "NOT CONFORMANT: RC-[34] \(MUST\) failed"
      expect_output "Schedule \(controlled\): "
      calls=$(grep -oE '[0-9]+ calls \(case' out.txt | head -1 | cut -d' ' -f1)
      [[ $calls -le 8 ]] || fail "$mutant seed $seed: $calls calls"
      expect_output "the shrunk case failed in 8 of 8 runs"
      grep -qF '"schedule": {' cx.json || fail "the counterexample holds no schedule"
      run 1 replay cx.json --repeat 20
      expect_output "Failed in 20 of 20 plays"
      grep -qF "nondeterministic" out.txt && fail "a fixed schedule observed two things"
      echo "$mutant seed $seed: $calls calls, replay 20 of 20" >&2
    done
  done
  ;;
correct)
  for store in reference reference-eager; do
    profile=deferred
    [[ $store == reference-eager ]] && profile=eager
    for seed in $(seq 1 20); do
      run 0 certify --provider builtin:$store --profile $profile --threads 2 \
        --schedule controlled --cases 50 --seed "$seed"
      expect_output "under controlled schedules"
      echo "$store seed $seed: passed" >&2
    done
  done
  ;;
correct_mutex)
  for seed in $(seq 1 20); do
    run 0 certify --provider builtin:reference-mutex --threads 2 --schedule controlled \
      --cases 50 --seed "$seed"
    expect_output "under controlled schedules"
    expect_output "^RC-3 +MUST +pass"  # no wait for the held mutex was a hang
    echo "reference-mutex seed $seed: passed" >&2
  done
  ;;
same_seed)
  for i in 1 2; do
    run 1 certify --provider builtin:check-then-act-release --threads 2 --schedule controlled \
      --cases 100 --seed 7 --report r$i.json --counterexample cx$i.json
    sed -E 's/"seconds": [0-9.e+-]+/"seconds": 0/' r$i.json >masked$i.json
    # Times masked, and the file names the two runs were given (the Replay line).
    sed -E -e 's/[0-9]+(\.[0-9]+)? s$/T s/' -e "s/cx$i\.json/cx.json/" out.txt >out$i.txt
  done
  diff masked1.json masked2.json >&2 || fail "two runs of one seed wrote different reports"
  diff cx1.json cx2.json >&2 || fail "two runs of one seed wrote different counterexamples"
  diff out1.txt out2.txt >&2 || fail "two runs of one seed printed different reports"
  ;;
refused)
  run 2 certify --provider builtin:reference --schedule controlled --cases 5
  grep -qF -- "--schedule" err.txt || fail "the refusal does not name --schedule"
  run 2 certify --provider builtin:reference --threads 2 --schedule sometimes --cases 5
  grep -qF -- "--schedule" err.txt || fail "the refusal does not name --schedule"
  ;;
sandbox)
  # The tracer cannot be inside the sandbox, nor trace a store there.
  run 2 certify --provider "$reference_library" --threads 2 --schedule controlled --cases 5
  grep -qF -- "--sandbox off" err.txt || fail "the refusal does not name --sandbox off"
  run 0 certify --provider "$reference_library" --threads 2 --schedule controlled --cases 5 \
    --sandbox off
  grep -qF "sandbox: off" out.txt || fail "the report does not say sandbox: off"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
