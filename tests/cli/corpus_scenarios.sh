#!/usr/bin/env bash
# corpus_scenarios.sh SCENARIO LOGOFFCHECK [ARG...]
# End-to-end scenarios of certify --keep-going and --corpus, and of failures
# that need the cases played before them (docs/cli.md), one per ctest test
# (tests/cli/CMakeLists.txt). Each runs in a scratch directory.
set -euo pipefail
scenario=$1 logoffcheck=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/scenario.sh"

two_bugs=builtin:saves-first-flag-leaks-support

# A report without its only timing field.
untimed_report() { sed -E 's/"seconds": [0-9.eE+-]+/"seconds": X/' "$1"; }

# FILE holds TEXT (a fixed string).
expect_text() { grep -qF -- "$1" "$2" || fail "$2 lacks '$1'"; }

# The "Minimal counterexample: N steps" lines, in order.
lengths() { grep -oE '^Minimal counterexample: [0-9]+ steps?' out.txt | grep -oE '[0-9]+' | xargs; }

case $scenario in
keep_going_two_bugs)
  # The first failure alone: RC-2, and LT-1 never shown.
  run 1 certify --provider $two_bugs --cases 2000 --report first.json
  expect_output "NOT CONFORMANT: RC-2 \(MUST\) failed$"
  grep -qE '"id": "LT-1".*"failed": 0' first.json || fail "LT-1 judged a fail before --keep-going"
  # Both bugs, each with its minimal counterexample: RC-2 in 1 step, LT-1 in 3.
  run 1 certify --provider $two_bugs --cases 2000 --keep-going --counterexample cx.json \
    --report report.json --junit junit.xml --sarif report.sarif --html report.html
  expect_output "NOT CONFORMANT: RC-2 \(MUST\), LT-1 \(MUST\) failed$"
  [[ $(lengths) == "1 3" ]] || fail "minimal lengths $(lengths), expected 1 3"
  expect_output "^Failure 2 of 2:"
  expect_output "^Replay: +logoffcheck replay cx-2.json$"
  for id in LT-1 RC-2; do
    grep -qE "\"id\": \"$id\".*\"status\": \"fail\"" report.json || fail "$id not failed in the report"
  done
  grep -qF '"more_counterexamples": [' report.json || fail "the report holds one counterexample"
  # JUnit and SARIF show each failed clause with the counterexample naming it.
  for id in LT-1 RC-2; do
    grep -qF "naming $id):" junit.xml || fail "JUnit shows no counterexample naming $id"
    grep -qE "\"logoffcheckCounterexample/v1\": \"[0-9a-f]{64}:$id\"" report.sarif ||
      fail "SARIF has no fingerprint for $id"
  done
  [[ $(grep -cF '"threadFlows"' report.sarif) -eq 2 ]] || fail "SARIF lacks a code flow"
  # The HTML page names both clauses and draws each counterexample, with ids
  # that stay unique on the page.
  expect_text 'id="verdict-text">NOT CONFORMANT: RC-2, LT-1 failed<' report.html
  expect_text '<h2 id="counterexample">Counterexample 1 of 2: RC-2</h2>' report.html
  expect_text '<h2 id="counterexample-2">Counterexample 2 of 2: LT-1</h2>' report.html
  expect_text '<g id="breaking-step-2"><title>Step 3 breaks LT-1</title>' report.html
  duplicated=$(grep -oE ' id="[^"]+"' report.html | sort | uniq -d)
  [[ -z $duplicated ]] || fail "ids used twice on the page: $duplicated"
  grep -qF '"clause": "RC-2", "step": 1' cx.json || fail "cx.json is not the RC-2 one"
  grep -qF '"clause": "LT-1", "step": 3' cx-2.json || fail "cx-2.json is not the LT-1 one"
  # Each file replays, and the report's counterexamples survive a merge-free read.
  run 1 replay cx-2.json
  expect_output "Still fails: LT-1 at step 3, as recorded"
  run 1 replay report.json
  expect_output "Still fails: RC-2 at step 1, as recorded"
  # The same run with two workers keeps the same failures in the same order.
  run 1 certify --provider $two_bugs --cases 2000 --keep-going --jobs 2 --report jobs.json
  diff <(untimed_report report.json) <(untimed_report jobs.json) || fail "--jobs 2 changed the report"
  # Two shards of it merge into the same failures, counts and clause table.
  for i in 0 1; do
    run 1 certify --provider $two_bugs --cases 2000 --keep-going --shard-index $i --shard-count 2 \
      --report shard$i.json
  done
  run 1 merge shard0.json shard1.json --report merged.json
  expect_output "^Failure 2 of 2:"
  unsharded() { untimed_report "$1" | grep -vE '"(shard|index|count)"'; }
  diff <(unsharded report.json) <(unsharded merged.json) || fail "the merged report differs"
  # The merged failures are reproduced by one unsharded --keep-going run,
  # which finds both again (without --keep-going it stops at the first).
  reproduce=$(grep -m1 '^Reproduce: ' out.txt)
  [[ $reproduce == "Reproduce: logoffcheck certify --provider $two_bugs "*" --keep-going" ]] ||
    fail "the merged reproduce line is '$reproduce'"
  read -ra again <<<"${reproduce#Reproduce: logoffcheck }"
  run 1 "${again[@]}"
  expect_output "NOT CONFORMANT: RC-2 \(MUST\), LT-1 \(MUST\) failed$"
  # A conformant store is conformant under --keep-going too.
  run 0 certify --provider builtin:reference --cases 300 --keep-going
  ;;
corpus_replays_first)
  run 1 certify --provider builtin:saves-first-flag --corpus corpus
  files=(corpus/*.json)
  [[ ${#files[@]} -eq 1 ]] || fail "expected one file in the corpus, found ${#files[@]}"
  [[ ${files[0]} =~ ^corpus/LT-1-[0-9a-f]{16}\.json$ ]] || fail "corpus file named ${files[0]}"
  expect_output "^corpus: saved ${files[0]}$"
  # The next run fails on its first case, the replayed one, even with --cases 1
  # and a seed whose first case passes; it saves nothing new.
  run 0 certify --provider builtin:saves-first-flag --cases 1 --seed 5
  run 1 certify --provider builtin:saves-first-flag --corpus corpus --cases 1 --seed 5
  expect_output "^  corpus   1 of 1 known counterexamples replayed from corpus, 1 failed again$"
  expect_output "^Minimal counterexample: 3 steps \(known failure: ${files[0]} fails again\)$"
  expect_output "^  cases    0 of 1"
  grep -q "^corpus: saved" out.txt && fail "a known failure was saved again"
  # A fixed store passes its corpus; an eager run skips it (another profile).
  run 0 certify --provider builtin:reference --corpus corpus --cases 50
  expect_output "1 of 1 known counterexamples replayed from corpus, none failed"
  run 0 certify --provider builtin:reference-eager --corpus corpus --cases 50
  expect_output "0 of 0 known counterexamples replayed from corpus \(1 of another profile or kind skipped\)"
  # A file that is no counterexample is refused, naming it.
  echo '{}' >corpus/broken.json
  run 2 certify --provider builtin:reference --corpus corpus --cases 1
  grep -qF "corpus/broken.json" err.txt || fail "the broken file is not named"
  ;;
global_saved_flag)
  # A store whose saved flag is a process-wide variable: each case alone
  # conforms, a case after one that saved a flag fails. For every seed the
  # failure is caught, not called flaky, and its file fails in a fresh replay.
  global_saved_flag=$1 global_count=$2
  for seed in $(seq 1 20); do
    run 1 certify --provider "$global_saved_flag" --seed "$seed" --counterexample cx$seed.json
    expect_output "NOT CONFORMANT: LT-3 \(MUST\) failed"
    grep -q "flaky" out.txt && fail "seed $seed: called flaky"
    expect_output "^  earlier case 1: StoreLogoff\(LOGOFF_[A-Z_]+\), Release$"
    expect_output "^Minimal counterexample: 1 step "
    grep -qF '"earlier_cases": [' cx$seed.json || fail "seed $seed: no earlier_cases in the file"
    run 1 replay cx$seed.json
    expect_output "Still fails: LT-3 at step 1, as recorded"
  done
  # An emitted regression test plays the earlier case first, in its process
  # (compiled and run by hand: it fails naming LT-3; compiling costs CI time).
  run 1 replay cx1.json --emit-gtest regression_test.cpp
  grep -qF 'ASSERT_FALSE(runner.run(std::vector<Step>{' regression_test.cpp ||
    fail "the emitted test does not play the earlier case"
  # Without its earlier case the same steps pass: the file needs it.
  sed '/"earlier_cases"/,/^  \],$/d' cx1.json >alone.json
  grep -q earlier_cases alone.json && fail "alone.json still has earlier_cases"
  run 0 replay alone.json
  # In a corpus, the file's earlier case is played just before it: the next
  # run fails on it first, with --cases 1, and does not call it flaky.
  run 1 certify --provider "$global_saved_flag" --corpus corpus
  run 0 certify --provider "$global_saved_flag" --cases 1
  run 1 certify --provider "$global_saved_flag" --corpus corpus --cases 1
  expect_output "1 of 1 known counterexamples replayed from corpus, 1 failed again$"
  expect_output "^  earlier case 1: StoreLogoff"
  grep -q "flaky" out.txt && fail "the known failure is called flaky"
  # A count in a global behaves with one store alive at a time: only several
  # stores per case catch it (cli.stores.count_in_global_library).
  run 0 certify --provider "$global_count" --cases 2000
  ;;
keep_going_threads)
  # Concurrent histories keep going too: a lost update fails RC-4, and often
  # RC-3 as well (a Release on a store freed by the lost update); which
  # clauses a run of free threads meets varies, so only the shape is checked.
  run 1 certify --provider builtin:lost-update-count --threads 2 --cases 100 --keep-going \
    --report report.json --counterexample race.json
  expect_output "NOT CONFORMANT: RC-[34] \(MUST\)"
  expect_output "--threads 2 --repeat 8 --keep-going$"
  failed=$(grep -cE '"status": "fail"' report.json)
  files=$(ls race*.json | wc -l)
  [[ $files -ge 1 && $failed -ge $files ]] || fail "$failed failed clauses, $files counterexample files"
  status=0
  "$logoffcheck" replay report.json >out.txt 2>err.txt || status=$?
  [[ $status -le 1 ]] || fail "the report does not read back: $(cat err.txt)"
  ;;
corpus_threads)
  # A --threads run keeps its concurrent counterexamples in the corpus too;
  # the next --threads run replays them first (a lost update fails in most of
  # its 8 plays), a sequential run skips them, a correct store passes them.
  run 1 certify --provider builtin:lost-update-count --threads 2 --cases 100 --corpus corpus
  files=(corpus/*.json)
  [[ ${#files[@]} -eq 1 && ${files[0]} =~ ^corpus/RC-[34]-[0-9a-f]{16}\.json$ ]] ||
    fail "corpus holds ${files[*]}"
  grep -qF '"kind": "concurrent-counterexample"' "${files[0]}" || fail "not a concurrent file"
  run 1 certify --provider builtin:lost-update-count --threads 2 --cases 1 --corpus corpus
  expect_output "1 of 1 known counterexamples replayed from corpus, 1 failed again$"
  expect_output "^Known failure: ${files[0]} fails again.$"
  run 0 certify --provider builtin:lost-update-count --cases 10 --corpus corpus
  expect_output "0 of 0 known counterexamples replayed from corpus \(1 of another profile or kind skipped\)"
  run 0 certify --provider builtin:reference --threads 2 --cases 20 --corpus corpus
  expect_output "1 of 1 known counterexamples replayed from corpus, none failed$"
  ;;
refusals)
  run 2 certify --provider builtin:reference --profile auto --corpus corpus --cases 1
  grep -qF -- "--corpus cannot be used with --profile auto" err.txt || fail "no refusal"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
echo "PASS: $scenario"
