#!/usr/bin/env bash
# ci_scenarios.sh SCENARIO LOGOFFCHECK SCHEMA
# Where CI systems read results (docs/ci.md), end to end: `certify --sarif`
# validated against the SARIF 2.1.0 schema (check_sarif.py) for a sequential
# and a concurrent counterexample and a conformant run; the fingerprint's
# stability; --sarif-location; and the annotations and job summary under
# GITHUB_ACTIONS=true, with nothing changed without it; the progress line's
# rates and time left on a terminal.
set -euo pipefail
scenario=$1 logoffcheck=$2 schema=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/scenario.sh"
# Debian's python3, where scripts/setup installs python3-jsonschema.
python=/usr/bin/python3
[[ -x $python ]] || python=python3
check_sarif() { "$python" "$here/check_sarif.py" "$schema" "$@"; }
fingerprint() {
  "$python" -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]
print(r[0]["partialFingerprints"]["logoffcheckCounterexample/v1"])' "$1"
}
mutant=builtin:saves-first-flag
race=builtin:lost-update-count

case $scenario in
sarif_sequential)
  # LT-1's three steps, pointing at the counterexample file by default.
  run 1 certify --provider $mutant --counterexample cx.json --sarif s.sarif --report r.json
  check_sarif s.sarif --results 1 --clause LT-1 --steps 3 --uri cx.json
  # merge and explore write it too, from their reports.
  run 1 merge r.json --sarif merged.sarif --sarif-location cx.json
  check_sarif merged.sarif --results 1 --clause LT-1 --steps 3 --uri cx.json
  [[ "$(fingerprint s.sarif)" == "$(fingerprint merged.sarif)" ]] || fail "merge moved the fingerprint"
  run 1 explore --provider $mutant --depth 4 --sarif explored.sarif
  check_sarif explored.sarif --results 1 --clause LT-1
  # The same run writes the same fingerprint; so does --jobs 2, and any
  # seed whose minimal counterexample has the same steps. Another minimal
  # counterexample is another fingerprint.
  run 1 certify --provider $mutant --jobs 2 --sarif again.sarif
  [[ "$(fingerprint s.sarif)" == "$(fingerprint again.sarif)" ]] || fail "the fingerprint moved"
  steps() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["steps"])' "$1"; }
  for seed in 2 3 4 5; do
    run 1 certify --provider $mutant --seed $seed --counterexample "cx$seed.json" \
      --sarif "s$seed.sarif"
    check_sarif "s$seed.sarif" --results 1 --clause LT-1
    if [[ "$(steps cx.json)" == "$(steps "cx$seed.json")" ]]; then
      [[ "$(fingerprint s.sarif)" == "$(fingerprint "s$seed.sarif")" ]] ||
        fail "seed $seed: the same counterexample, another fingerprint"
    else
      [[ "$(fingerprint s.sarif)" != "$(fingerprint "s$seed.sarif")" ]] ||
        fail "seed $seed: another counterexample, the same fingerprint"
    fi
  done
  ;;
sarif_location)
  run 1 certify --provider $mutant --sarif s.sarif --sarif-location "tests/store test.cpp:42"
  check_sarif s.sarif --results 1 --clause LT-1 --steps 3 --uri "tests/store%20test.cpp" \
    --line 42
  run 2 certify --provider $mutant --sarif s.sarif --sarif-location "store_test.cpp:0"
  grep -qF -- "--sarif-location store_test.cpp:0: lines are numbered from 1" err.txt ||
    fail "a line 0 is not refused by name"
  ;;
sarif_conformant)
  run 0 certify --provider builtin:reference --cases 2000 --sarif s.sarif
  check_sarif s.sarif --results 0
  ;;
sarif_threads)
  # A concurrent counterexample: one thread flow per client thread, one
  # location per call of the failing history. A free-schedule race may fail
  # RC-3 (a crash) besides RC-4 in one run: one result per failing clause.
  run 1 certify --provider $race --threads 2 --repeat 16 --cases 200 --seed 1 \
    --counterexample cx.json --sarif s.sarif --report r.json
  calls=$("$python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["history"]))' \
    cx.json)
  clause=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["violation"]["clause"])' \
    cx.json)
  check_sarif s.sarif --report r.json --clause "$clause" --threads 2 --steps "$calls" --uri cx.json
  run 0 certify --provider builtin:reference --threads 2 --cases 50 --sarif ok.sarif
  check_sarif ok.sarif --results 0
  ;;
github_actions)
  # Without GITHUB_ACTIONS: no annotation, no summary.
  run 1 certify --provider $mutant --counterexample cx.json
  grep -q '^::' out.txt && fail "a workflow command outside GitHub Actions"
  mv out.txt plain.txt
  # Under it: one ::error per failing clause, titled with the clause and
  # pointing at the counterexample, the rest of stdout as it was; the summary
  # appended to GITHUB_STEP_SUMMARY.
  echo "# earlier step" >summary.md
  GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/summary.md \
    run 1 certify --provider $mutant --counterexample cx.json
  [[ $(grep -c '^::' out.txt) -eq 1 ]] || fail "not one workflow command"
  expect_output '^::error file=cx.json,title=LT-1::LT-1 \(MUST\): .*%0Aexpected: StoreLogoffTransports'
  diff <(grep -v '^::' out.txt | grep -v '^  cases ') <(grep -v '^  cases ' plain.txt) ||
    fail "stdout changed beyond the annotation"
  grep -qx "# earlier step" summary.md || fail "the summary file was not appended to"
  for text in "## logoffcheck: non-conformant" '\*\*LT-1\*\* \(MUST\)' "^\| step \| call \|" \
      "^\| 3 \| Release \|.*\*\*LT-1\*\*" "^\| LT-1 \| MUST \| \*\*fail\*\*" \
      "^logoffcheck certify --provider builtin:saves-first-flag"; do
    grep -qE -- "$text" summary.md || fail "the summary lacks /$text/"
  done
  # A conformant run: no annotation, a summary saying so.
  GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/ok.md run 0 certify --provider builtin:reference \
    --cases 1000
  grep -q '^::' out.txt && fail "an annotation for a conformant run"
  grep -qF "## logoffcheck: conformant" ok.md || fail "the summary lacks the verdict"
  # --threads: the summary's counterexample is the history, by thread.
  GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/race.md run 1 certify --provider $race \
    --threads 2 --repeat 16 --cases 200 --seed 1
  expect_output '^::error title=RC-[34]::'
  grep -qE "^\| call \| thread \|" race.md || fail "the summary lacks the history table"
  grep -qE -- "--threads 2 --repeat 16$" race.md || fail "the reproduce line lacks --threads"
  ;;
progress)
  # On a terminal (script(1) gives the run one), the progress line shows the
  # rates and the time left; elsewhere there is no progress line at all. The
  # line comes after a second: a run far longer than that (20 million cases,
  # some 70 s on a quiet machine), stopped after 4 s, shows it whatever the
  # machine's speed.
  timeout 4 script -qec "'$logoffcheck' certify --provider builtin:reference --cases 20000000" \
    /dev/null >tty.txt || true  # timeout ends it (status 124)
  tr '\r' '\n' <tty.txt >lines.txt
  grep -qE '^.*logoffcheck: case [0-9]+ of 20000000, [0-9]+ steps, [0-9.]+[kM]? cases/s, [0-9.]+[kM]? steps/s, [0-9hms ]+ left' lines.txt ||
    { cat lines.txt >&2; fail "no progress line with rates and time left on a terminal"; }
  run 0 certify --provider builtin:reference --cases 200000
  [[ ! -s err.txt ]] || fail "something on stderr when it is not a terminal"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
