#!/usr/bin/env bash
# stores_scenarios.sh SCENARIO LOGOFFCHECK [ARG...]
# End-to-end scenarios of cases with several stores (certify --stores K,
# issue 23; docs/cli.md), one per ctest test (tests/cli/CMakeLists.txt).
# Each runs in a scratch directory.
set -euo pipefail
scenario=$1 logoffcheck=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/scenario.sh"

# caught PROVIDER SEED [LENGTH]: certify --stores 3 catches PROVIDER at SEED
# with a counterexample of several stores (of LENGTH steps) that is not
# called flaky and fails in a fresh replay.
caught() {
  local provider=$1 seed=$2 length=${3:-}
  run 1 certify --provider "$provider" --stores 3 --seed "$seed" --counterexample cx$seed.json
  expect_output "NOT CONFORMANT: LT-[23] \(MUST\) failed"
  # The step table names the store of each step.
  expect_output "^step +store +call"
  [[ -z $length ]] || expect_output "^Minimal counterexample: $length steps "
  grep -q "flaky" out.txt && fail "seed $seed: called flaky"
  expect_output "--stores 3$"
  grep -qE '"store": [1-9]' cx$seed.json || fail "seed $seed: no step on a store beyond store 0"
  grep -qF '"earlier_cases"' cx$seed.json && fail "seed $seed: needs earlier cases"
  run 1 replay cx$seed.json
  expect_output "Still fails: LT-[23] at step [0-9]+, as recorded"
}

case $scenario in
count_in_global_caught)
  # A reference count in a process-wide variable: every case of one store
  # passes; with three stores per case it is caught for every seed, in a
  # counterexample of two steps (store 1's AddRef, store 0's final Release)
  # that replays in a fresh process.
  run 0 certify --provider builtin:count-in-global --cases 2000
  run 0 certify --provider builtin:count-in-global --cases 2000 --stores 1
  for seed in $(seq 1 20); do caught builtin:count-in-global "$seed" 2; done
  # Every rendering names the store of each step: HTML, JUnit, the emitted
  # regression test.
  run 1 certify --provider builtin:count-in-global --stores 3 --html report.html \
    --junit junit.xml
  grep -qF "store 1: AddRef()" report.html || fail "the HTML diagram does not name store 1"
  grep -qE "^step +store +call" junit.xml || fail "the JUnit failure has no store column"
  run 1 replay cx1.json --emit-gtest regression_test.cpp
  grep -qF "on_store(add_ref(), 1)" regression_test.cpp || fail "the emitted test loses the store"
  ;;
count_in_global_library)
  # The same bug in a provider library, played in child processes (batches
  # of cases in a fork server): caught for every seed, never flaky.
  global_count=$1
  run 0 certify --provider "$global_count" --cases 500
  for seed in $(seq 1 20); do caught "$global_count" "$seed"; done
  ;;
references_pass)
  # Stores that keep nothing in globals pass with three stores per case.
  reference_library=$1
  for provider in builtin:reference builtin:reference-eager builtin:reference-mutex \
      builtin:sdk-sample "$reference_library"; do
    run 0 certify --provider "$provider" --stores 3 --cases 2000
    expect_output "verdict  CONFORMANT"
  done
  ;;
shards_merge)
  # Shards of one --stores 3 run merge; a shard of another --stores does not.
  for index in 0 1; do
    run 0 certify --provider builtin:reference --cases 100 --stores 3 --shard-index $index \
      --shard-count 2 --report s$index.json
  done
  grep -qF '"stores": 3' s0.json || fail "the report does not say --stores 3"
  run 0 certify --provider builtin:reference --cases 100 --shard-index 1 --shard-count 2 \
    --report one.json
  grep -qF '"stores"' one.json && fail "a report of one store names stores"
  run 0 merge s0.json s1.json
  run 2 merge s0.json one.json
  grep -qF "report 2 has stores 1, report 1 has 3" err.txt || fail "stores mismatch not named"
  ;;
refusals)
  # What cannot play several stores says so (exit 2, naming the option).
  run 2 certify --provider builtin:reference --threads 2 --stores 3 --cases 1
  grep -qF -- "--stores cannot be used with --threads" err.txt || fail "no refusal of --threads"
  run 2 certify --provider builtin:reference --stores 9 --cases 1
  # A Windows DLL (when the build made them): the agent opens one store per case.
  dll=${1:-}
  if [[ -f $dll ]]; then
    run 2 certify --provider "$dll" --stores 3 --cases 1
    grep -qF -- "--stores 3 cannot be used with a Windows DLL" err.txt || fail "no refusal of the DLL"
  fi
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
