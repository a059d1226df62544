#!/usr/bin/env bash
# cli_scenarios.sh SCENARIO LOGOFFCHECK [ARG...]
# End-to-end scenarios of the logoffcheck command line, one per ctest test
# (tests/cli/CMakeLists.txt). Each runs in a scratch directory.
set -euo pipefail
scenario=$1 logoffcheck=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/scenario.sh"

# The JSON field on the one line that holds it ("stats", "verdict", ...).
json_line() { grep -E "^ *\"$1\":" "$2" || fail "$2 has no \"$1\""; }

# A report without its only timing field.
untimed() { sed -E 's/"seconds": [0-9.eE+-]+/"seconds": X/' "$1"; }

# The numbered step table: from its header to the first blank line.
step_table() { sed -n '/^step  call/,/^$/p' "$1"; }

mutant=builtin:saves-first-flag

case $scenario in
exit_statuses)
  run 0 certify --provider builtin:reference --cases 200
  run 1 certify --provider $mutant --cases 200
  run 2 certify --provider builtin:reference --cases 200 --no-such-option
  run 2 replay "$here/data/bad_flags.json"
  ;;
reference_conformant)
  run 0 certify --provider builtin:reference --report report.json
  expect_output "verdict +CONFORMANT"
  expect_output "seed +1$"
  json_line verdict report.json | grep -qF '"conformant"' || fail "report verdict"
  json_line counterexample report.json | grep -qF 'null' || fail "report counterexample"
  # Every clause of the deferred profile that the reference can meet passes.
  for id in SL-1 SL-2 SL-3 SL-4 LT-1 LT-2 LT-3 LT-4 RC-1 RC-2 RC-3; do
    grep -qE "\"id\": \"$id\".*\"status\": \"pass\"" report.json || fail "$id does not pass"
  done
  grep -qE '"id": "SL-5", "level": "MUST", "applies": false, "status": "not-exercised"' \
    report.json || fail "SL-5 is eager-only"
  ;;
mutant_counterexample)
  run 1 certify --provider $mutant --counterexample cx.json
  expect_output "NOT CONFORMANT: LT-1 \(MUST\) failed"
  expect_output "^Minimal counterexample: 3 steps"
  step_table out.txt >table.txt
  # Header, rule, three steps, blank line; the third step names LT-1.
  [[ $(wc -l <table.txt) -eq 6 ]] || fail "the table is not 3 steps long"
  grep -qE '^3 +Release .*LT-1$' table.txt || fail "step 3 does not name LT-1"
  expect_output "^Reproduce: logoffcheck certify --provider $mutant --profile deferred --seed 1"
  expect_output "^Replay: +logoffcheck replay cx.json$"
  grep -qF '"clause": "LT-1", "step": 3' cx.json || fail "cx.json names no LT-1 at step 3"
  ;;
replay_same_table)
  run 1 certify --provider $mutant --counterexample cx.json --report report.json
  step_table out.txt >certify_table.txt
  run 1 replay cx.json
  step_table out.txt >replay_table.txt
  expect_output "Still fails: LT-1 at step 3, as recorded"
  diff certify_table.txt replay_table.txt || fail "replay printed another table"
  # A failing run's report replays the same.
  run 1 replay report.json
  step_table out.txt >report_table.txt
  diff certify_table.txt report_table.txt || fail "replaying the report printed another table"
  # A conformant run's report has nothing to replay.
  run 0 certify --provider builtin:reference --cases 100 --report conformant.json
  run 2 replay conformant.json
  grep -qF "conformant.json: a report of a conformant run: it holds no counterexample" err.txt ||
    fail "no message for a conformant report"
  ;;
replay_passes_when_fixed)
  # The same steps against the reference store: the bug is gone, exit 0.
  run 0 replay "$here/data/saves_first_flag.json" --provider builtin:reference
  expect_output "^Passes now"
  ;;
same_seed_same_report)
  for n in 1 2; do
    run 0 certify --provider builtin:reference --seed 7 --cases 3000 --report ref$n.json
    run 1 certify --provider $mutant --seed 7 --report mut$n.json
  done
  diff <(untimed ref1.json) <(untimed ref2.json) || fail "reference reports differ"
  diff <(untimed mut1.json) <(untimed mut2.json) || fail "mutant reports differ"
  # Another seed is another run.
  run 0 certify --provider builtin:reference --seed 8 --cases 3000 --report ref3.json
  ! diff -q <(untimed ref1.json) <(untimed ref3.json) >/dev/null || fail "seed ignored"
  ;;
shards_merge_conformant)
  run 0 certify --provider builtin:reference --cases 2000 --report whole.json
  run 0 certify --provider builtin:reference --cases 2000 --shard-index 0 --shard-count 2 \
    --report shard0.json
  run 0 certify --provider builtin:reference --cases 2000 --shard-index 1 --shard-count 2 \
    --report shard1.json
  json_line stats shard0.json | grep -qF '"cases": 1000,' || fail "shard 0 ran other cases"
  run 0 merge shard1.json shard0.json --report merged.json
  expect_output "verdict +CONFORMANT"
  for field in verdict stats; do
    [[ $(json_line $field whole.json | sed -E 's/"seconds": [^}]*//') == \
       $(json_line $field merged.json | sed -E 's/"seconds": [^}]*//') ]] ||
      fail "merged $field differs from the unsharded run"
  done
  # Clause counts are sums over the shards, so they equal the whole run's.
  diff <(grep '"id"' whole.json) <(grep '"id"' merged.json) || fail "clause counts differ"
  ;;
shards_merge_failing)
  run 1 certify --provider $mutant --report whole.json
  for k in 0 1 2; do
    run 1 certify --provider $mutant --shard-index $k --shard-count 3 --report shard$k.json
  done
  run 1 merge shard0.json shard1.json shard2.json --report merged.json
  expect_output "NOT CONFORMANT: LT-1"
  [[ $(json_line verdict whole.json) == $(json_line verdict merged.json) ]] || fail "verdict"
  [[ $(json_line stats whole.json | grep -oE '"cases": [0-9]+') == \
     $(json_line stats merged.json | grep -oE '"cases": [0-9]+') ]] || fail "case count"
  # The counterexample, up to the coverage that follows it (a union over what
  # the shards ran, like the clause counts).
  diff <(sed -n '/"counterexample"/,/^  "coverage"/p' whole.json) \
       <(sed -n '/"counterexample"/,/^  "coverage"/p' merged.json) || fail "counterexample differs"
  ;;
merge_rejects_mismatch)
  run 0 certify --provider builtin:reference --cases 100 --shard-index 0 --shard-count 2 \
    --report a.json
  run 0 certify --provider builtin:reference --cases 100 --shard-index 1 --shard-count 2 \
    --seed 2 --report b.json
  # The deferred reference fails under the eager profile; its report still merges.
  run 1 certify --provider builtin:reference --cases 100 --shard-index 1 --shard-count 2 \
    --profile eager --report c.json
  run 0 certify --provider builtin:reference --cases 100 --shard-index 1 --shard-count 3 \
    --report d.json
  run 0 certify --provider builtin:reference --cases 50 --shard-index 1 --shard-count 2 \
    --report e.json
  run 2 merge a.json b.json
  grep -qF "report 2 has seed 2, report 1 has 1" err.txt || fail "seed mismatch"
  run 2 merge a.json c.json
  grep -qF "report 2 has profile eager" err.txt || fail "profile mismatch"
  run 2 merge a.json d.json
  grep -qF "report 2 has shard count 3" err.txt || fail "shard count mismatch"
  run 2 merge a.json e.json
  grep -qF "report 2 has cases_requested 50" err.txt || fail "cases mismatch"
  run 2 merge a.json a.json
  grep -qF "shard 0 appears twice (reports 1 and 2)" err.txt || fail "duplicate shard"
  run 2 merge a.json
  grep -qF "shard 1 of 2 is missing" err.txt || fail "missing shard"
  ;;
junit_report)
  run 1 certify --provider $mutant --junit junit.xml
  [[ $(grep -c '<testcase ' junit.xml) -eq 20 ]] || fail "not one testcase per clause"
  grep -qF '<failure type="LT-1"' junit.xml || fail "no LT-1 failure"
  grep -qF 'classname="logoffcheck.deferred" name="SL-5' junit.xml || fail "classname"
  grep -qF '<skipped message="applies to the eager profile only"/>' junit.xml ||
    fail "SL-5 not skipped"
  # The failure text carries the counterexample table.
  grep -qE '^3 +Release ' junit.xml || fail "no step table in the failure"
  grep -qE '^2 +StoreLogoff +LOGOFF_ORDERLY +S_OK, no transport call +S_OK, \*lpulFlags=LOGOFF_ORDERLY$' \
    junit.xml || fail "the failure's table lacks what was observed"
  if grep -qE '<[^/a-z?!]' junit.xml; then fail "unescaped markup"; fi
  ;;
listings)
  run 0 clauses
  for id in SL-1 SL-5 LT-1 LT-4 RC-3 SP-7; do expect_output "^$id "; done
  expect_output "^LT-1 +MUST +deferred +The final Release"
  run 0 providers
  expect_output "^builtin:reference +reference +deferred +- "
  expect_output "^builtin:reference-eager +reference +eager +- "
  expect_output "^builtin:reference-mutex +reference +deferred +- "
  expect_output "^builtin:saves-first-flag +mutant +deferred +LT-1, 3 steps "
  expect_output "^builtin:addref-returns-old-count +mutant +deferred +RC-1 \\(strict\\), 1 step "
  ;;
flaky_failure_stands)
  # A failure that does not recur is the store's all the same: exit 1, the
  # counterexample as found, marked with how many replays failed.
  flaky=$1
  run 1 certify --provider "$flaky" --no-isolate --counterexample cx.json
  expect_output "NOT CONFORMANT: SL-1 \(MUST\) failed"
  expect_output "^  flaky: +the failure did not recur on replay; 0 of 10 replays failed$"
  grep -qF '"replays": {' cx.json || fail "cx.json does not mark the failure flaky"
  grep -qF '"failed": 0' cx.json || fail "cx.json does not count the failed replays"
  ;;
emitted_gtest)
  toolchain=$1
  # shellcheck source=/dev/null
  source "$toolchain"
  run 1 certify --provider $mutant --counterexample cx.json
  run 1 replay cx.json --emit-gtest regression_test.cpp
  "${cxx[@]}" "${includes[@]}" regression_test.cpp "${libraries[@]}" -o regression_test ||
    fail "the emitted test does not build"
  status=0
  ./regression_test >test_out.txt 2>&1 || status=$?
  cat test_out.txt >&2
  [[ $status -eq 1 ]] || fail "the emitted test exited $status, expected 1 (a failed test)"
  grep -qF "LT-1 failed at step 3 (Release)" test_out.txt || fail "it does not name LT-1"
  grep -qF "expected: StoreLogoffTransports(LOGOFF_ORDERLY)" test_out.txt ||
    fail "it does not say what was expected"
  # Against the fixed store the same test passes.
  sed 's/find_builtin_provider("saves-first-flag")/find_builtin_provider("reference")/' \
    regression_test.cpp >fixed_test.cpp
  "${cxx[@]}" "${includes[@]}" fixed_test.cpp "${libraries[@]}" -o fixed_test
  ./fixed_test >&2 || fail "the emitted test fails against the reference store"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario" >&2
