#!/usr/bin/env bash
# concurrent_documents.sh SCENARIO LOGOFFCHECK [TOOLCHAIN]
# The documents of concurrent runs (clause RC-4) end to end: certify
# --threads with --report, --junit and --counterexample; replay of the file
# and of the report, K plays; merge refusing a concurrent report; malformed
# files rejected naming the field; and --emit-gtest built and run against the
# race mutant and the reference store. Races are probabilistic: a failing
# run is forced by playing many times, and every assertion about a replay of
# a racy store accepts either verdict except where the reference store is
# the one played.
set -euo pipefail
scenario=$1 logoffcheck=$2
shift 2
source "$(dirname "$0")/../lib/scenario.sh"
expect_error() { grep -qF -- "$1" err.txt || fail "stderr lacks '$1'"; }

mutant=builtin:lost-update-count

# A concurrent counterexample of the race mutant, with its report and JUnit.
find_race() {
  run 1 certify --provider $mutant --threads 2 --repeat 16 --cases 200 --seed 1 \
    --counterexample cx.json --report r.json --junit j.xml
}

case $scenario in
report_and_replay)
  find_race
  expect_output "NOT CONFORMANT: RC-[34] \(MUST\) failed"
  grep -qF '"kind": "concurrent-counterexample"' cx.json || fail "cx.json is not concurrent"
  grep -qF '"verdict": "non-conformant"' r.json || fail "the report's verdict"
  grep -qF '"threads": [' r.json || fail "the report's counterexample has no threads array"
  grep -qF '"coverage"' r.json && fail "a concurrent report claims coverage"
  # The report's counterexample is the file's, indented one level deeper.
  clause=$(grep -oE '"clause": "RC-[34]"' cx.json | head -1)
  grep -qF "$clause" r.json || fail "the report names another clause"
  grep -qE '<failure type="RC-[34]"' j.xml || fail "JUnit has no RC-3/RC-4 failure"
  grep -qE 'thread 1 +thread 2' j.xml || fail "JUnit's failure has no thread table"
  grep -qF 'concurrent counterexample (' j.xml || fail "JUnit does not say it is concurrent"
  # Replaying the file plays it K times; a race may or may not recur.
  status=0
  "$logoffcheck" replay cx.json --repeat 40 >out.txt 2>err.txt || status=$?
  cat out.txt err.txt >&2
  [[ $status -eq 0 || $status -eq 1 ]] || fail "replay exited $status"
  expect_output "plays +40 \(the file recorded [0-9]+ failed of 16\)"
  expect_output "Failed in [0-9]+ of 40 plays\."
  expect_output "thread 1 +thread 2"
  if [[ $status -eq 1 ]]; then expect_output "Still fails: RC-[34] in [1-9][0-9]* of 40 plays"; fi
  # Against the reference store the same case passes every play.
  run 0 replay cx.json --provider builtin:reference --repeat 40
  expect_output "Failed in 0 of 40 plays\."
  expect_output "Passes now: every play is linearizable"
  # The report is replayable too, with the file's K.
  run 0 replay r.json --provider builtin:reference
  expect_output "Failed in 0 of 16 plays\."
  # merge refuses it, saying why.
  run 2 merge r.json
  expect_error "holds a concurrent counterexample"
  # --no-isolate is refused for a concurrent replay; --repeat for a sequential one.
  run 2 replay cx.json --no-isolate
  expect_error "always replayed in a child process"
  run 1 certify --provider builtin:saves-first-flag --counterexample seq.json
  run 2 replay seq.json --repeat 3
  expect_error "--repeat replays concurrent counterexamples"
  # A conformant concurrent run writes a conformant report.
  run 0 certify --provider builtin:reference --threads 2 --cases 20 --report ok.json \
    --junit ok.xml
  grep -qF '"verdict": "conformant"' ok.json || fail "the conformant report's verdict"
  grep -qF '"counterexample": null' ok.json || fail "the conformant report's counterexample"
  grep -qE '"id": "RC-4".*' ok.json || fail "no RC-4 entry"
  grep -A4 '"id": "RC-4"' ok.json | grep -qF '"status": "pass"' || fail "RC-4 is not a pass"
  ;;
malformed)
  find_race
  # Each edit breaks one field; the reader names it and replay exits 2.
  reject() {
    local field=$1 expression=$2
    sed -E "$expression" cx.json >bad.json
    cmp -s bad.json cx.json && fail "the edit for $field changed nothing"
    run 2 replay bad.json
    expect_error "bad.json: $field"
  }
  reject 'kind' 's/"concurrent-counterexample"/"sequential"/'
  reject 'repeat' 's/"repeat": [0-9]+/"repeat": 0/'
  reject 'failed_runs' 's/"failed_runs": [0-9]+/"failed_runs": 9999/'
  reject 'threads[0]' '0,/"threads": \[/s//"threads": [ 5,/'
  reject 'history[0].thread' '0,/"thread": (null|[0-9]+)/s//"thread": 99/'
  reject 'history[0].outcome' '0,/"outcome": "[a-z-]+"/s//"outcome": "vanished"/'
  reject 'violation.clause' 's/"clause": "RC-[0-9]"/"clause": "SP-1"/'
  reject 'violation.call' 's/"call": [0-9]+,/"call": 100000,/'
  reject 'linearized[0]' 's/"linearized": \[\]/"linearized": [100000]/;t;s/"linearized": \[/"linearized": [ 100000,/'
  ;;
emitted_gtest)
  toolchain=$1
  # shellcheck source=/dev/null
  source "$toolchain"
  find_race
  # Emitting plays the file too; 200 plays in the test make the race show.
  status=0
  "$logoffcheck" replay cx.json --repeat 200 --emit-gtest race_test.cpp >/dev/null 2>&1 ||
    status=$?
  [[ $status -eq 0 || $status -eq 1 ]] || fail "replay --emit-gtest exited $status"
  grep -qF 'make_in_process_history_runner' race_test.cpp || fail "not a concurrent test"
  "${cxx[@]}" "${includes[@]}" race_test.cpp "${libraries[@]}" -o race_test ||
    fail "the emitted test does not build"
  # Against the racy store the test fails: a play that no order explains
  # (exit 1, naming the clause), or a crash of the race it lost. Three tries
  # of 200 plays each, so that a quiet scheduler does not make this flaky.
  failed=no
  for try in 1 2 3; do
    status=0
    ./race_test >test_out.txt 2>&1 || status=$?
    tail -20 test_out.txt >&2
    if [[ $status -eq 1 ]] && grep -qE 'RC-[34] failed in [1-9][0-9]* of 200 plays' test_out.txt
    then failed=yes; break; fi
    if [[ $status -gt 1 ]]; then failed=yes; break; fi
    echo "try $try: the race did not show (exit $status)" >&2
  done
  [[ $failed == yes ]] || fail "the emitted test never failed against $mutant"
  # Against the reference store the same test passes and says how it played.
  sed 's/find_builtin_provider("lost-update-count")/find_builtin_provider("reference")/' \
    race_test.cpp >fixed_test.cpp
  cmp -s race_test.cpp fixed_test.cpp && fail "the provider was not substituted"
  "${cxx[@]}" "${includes[@]}" fixed_test.cpp "${libraries[@]}" -o fixed_test
  ./fixed_test >fixed_out.txt 2>&1 || { cat fixed_out.txt >&2; fail "it fails against reference"; }
  grep -qF 'logoffcheck: 0 of 200 plays failed' fixed_out.txt || fail "no play count"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario" >&2
