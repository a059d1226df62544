#!/usr/bin/env bash
# kind_scenarios.sh SCENARIO LOGOFFCHECK
# One certify and one replay for every kind of case (issue 18): every option
# is honoured for sequential cases and concurrent histories (--threads N), or
# refused with exit 2 and a message naming the option and why. Each refusal
# here fails if the option is ever silently dropped again; each honoured
# option is checked in its output. Counterexample files written by earlier
# versions (tests/cli/data, tests/isolation/corpus) are still read and replay.
set -euo pipefail
scenario=$1 logoffcheck=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/scenario.sh"
expect_error() { grep -qF -- "$1" err.txt || fail "stderr lacks '$1'"; }

threads=(certify --provider builtin:reference --threads 2 --cases 2)
concurrent_file=$here/data/concurrent_lost_update_count.json

case $scenario in
certify_threads_refusals)
  # name, then the arguments: each must exit 2 naming the option.
  refuse() {
    local option=$1
    shift
    run 2 "$@"
    expect_error "$option cannot be used with --threads"
  }
  refuse "--profile auto" "${threads[@]}" --profile auto
  refuse "--min-coverage" "${threads[@]}" --min-coverage 50
  refuse "--no-isolate" "${threads[@]}" --no-isolate
  # The reasons are said, not just the names.
  run 2 "${threads[@]}" --min-coverage 50
  expect_error "do not measure model coverage"
  # --repeat without --threads would be dropped: refused.
  run 2 certify --provider builtin:reference --cases 2 --repeat 3
  expect_error "--repeat plays each concurrent case several times; it needs --threads 2"
  # What is honoured runs: the isolation options (the memory limit's effect
  # on a hostile store is tests/hostile's), --jobs, --timeout-ms, the shards.
  run 0 "${threads[@]}" --settle-ms 10 --memory-limit-mb 512 --provider-output pass
  expect_output "verdict +CONFORMANT"
  run 0 "${threads[@]}" --jobs 2 --timeout-ms 5000 --shard-index 1 --shard-count 2
  expect_output "cases +1 of 2 \(shard 1 of 2\)"
  expect_output "threads +2, each case played 8 times: 8 histories, [0-9]+ with calls that overlapped"
  run 1 certify --provider builtin:lost-update-count --threads 2 --repeat 16 --cases 200 --jobs 2
  expect_output "NOT CONFORMANT: RC-[34]"
  ;;
in_process_refusals)
  # The options "with isolation" would be dropped for a store played in this
  # process: each is refused naming it and --isolate, for certify, explore and
  # a sequential replay; with --isolate (or a library) they run.
  for option in "--timeout-ms 300" "--settle-ms 10" "--memory-limit-mb 512" \
      "--provider-output pass" "--sandbox off"; do
    run 2 certify --provider builtin:reference --cases 2 $option
    expect_error "${option% *} applies to isolated cases: 'builtin:reference' is played in this process (a bundled store that needs no isolation); add --isolate"
    run 2 certify --provider builtin:saves-first-flag --no-isolate --cases 2 $option
    expect_error "is played in this process (--no-isolate); add --isolate, or leave ${option% *} out"
    run 2 explore --provider builtin:reference --depth 1 $option
    expect_error "${option% *} applies to isolated cases"
    run 2 replay "$here/data/saves_first_flag.json" $option
    expect_error "${option% *} applies to isolated cases"
    run 0 certify --provider builtin:reference --cases 2 --isolate $option
  done
  ;;
replay_threads_refusals)
  run 0 replay "$concurrent_file" --provider builtin:reference --repeat 2 --settle-ms 10 \
    --memory-limit-mb 512 --provider-output capture
  expect_output "Failed in 0 of 2 plays\."
  run 2 replay "$concurrent_file" --no-isolate
  expect_error "(--no-isolate refused)"
  run 2 replay "$here/data/saves_first_flag.json" --repeat 3
  expect_error "--repeat replays concurrent counterexamples"
  # Honoured: --repeat, --timeout-ms, --provider, --emit-gtest.
  run 0 replay "$concurrent_file" --provider builtin:reference --repeat 5 --timeout-ms 5000 \
    --emit-gtest t.cpp
  expect_output "plays +5 \(the file recorded 12 failed of 16\)"
  expect_output "Failed in 0 of 5 plays\."
  grep -qF 'const std::uint32_t plays = 5;' t.cpp || fail "--emit-gtest ignores --repeat"
  grep -qF 'Threads) {' t.cpp || fail "the emitted test is not the concurrent one"
  ;;
old_files_replay)
  # Written by logoffcheck before the one document (df268af and earlier):
  # they are still read, and replay against the reference store passes.
  for file in "$here/data/saves_first_flag.json" "$here/../isolation/corpus/valid_saves-first-flag.json"; do
    run 1 replay "$file"
    expect_output "Still fails: LT-1 at step [0-9]+, as recorded\."
    run 0 replay "$file" --provider builtin:reference
    expect_output "Passes now"
  done
  for file in "$concurrent_file" "$here/data/concurrent_report_failing.json" \
      "$here/../isolation/corpus/valid_concurrent_lost-update-count.json" \
      "$here/../isolation/corpus/report_concurrent_failing.json"; do
    run 0 replay "$file" --provider builtin:reference --repeat 3
    expect_output "Passes now: every play is linearizable"
    # Against its own racy store a play may or may not fail: either verdict.
    status=0
    "$logoffcheck" replay "$file" --repeat 20 >out.txt 2>err.txt || status=$?
    [[ $status -eq 0 || $status -eq 1 ]] || fail "replay of $file exited $status"
    expect_output "Failed in [0-9]+ of 20 plays\."
  done
  ;;
html_threads)
  # --html is honoured for concurrent histories: one lane per thread.
  run 1 certify --provider builtin:lost-update-count --threads 2 --repeat 16 --cases 200 \
    --seed 1 --html page.html --counterexample cx.json
  grep -qF 'class="threads"' page.html || fail "no thread diagram"
  for lane in Client "Thread 1" "Thread 2" Store; do
    grep -qF ">$lane</text>" page.html || fail "no lane $lane"
  done
  grep -qF 'id="breaking-call"' page.html || fail "the breaking call is not marked"
  grep -qE '<th scope="row">Threads</th><td>2, each case played 16 times' page.html ||
    fail "the run table does not say how the histories were played"
  grep -qE 'id="verdict-text">NOT CONFORMANT: RC-[34] failed' page.html || fail "verdict"
  grep -qF -- '--threads 2 --repeat 16' page.html || fail "the reproduce line lacks --threads"
  expect_output "Replay: +logoffcheck replay cx.json"
  # A conformant concurrent run has a page too, without a diagram.
  run 0 "${threads[@]}" --html ok.html
  grep -qF 'id="verdict-text">CONFORMANT' ok.html || fail "conformant verdict"
  grep -qF 'sequence-diagram' ok.html && fail "a diagram without a counterexample"
  true
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
