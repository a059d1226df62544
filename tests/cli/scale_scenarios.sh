#!/usr/bin/env bash
# scale_scenarios.sh SCENARIO LOGOFFCHECK
# `certify --jobs N` and the shard protocols of CI systems (docs/scale.md),
# end to end; one ctest test per scenario (tests/cli/CMakeLists.txt).
set -euo pipefail
scenario=$1 logoffcheck=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

fail() { echo "FAIL: $*" >&2; exit 1; }

# The variables of every shard protocol, so that the job running this test
# (sharded itself, perhaps) does not choose the shard of a scenario.
for variable in TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE GTEST_TOTAL_SHARDS \
    GTEST_SHARD_INDEX CI_NODE_TOTAL CI_NODE_INDEX CIRCLE_NODE_TOTAL CIRCLE_NODE_INDEX \
    BUILDKITE_PARALLEL_JOB_COUNT BUILDKITE_PARALLEL_JOB JOB_COMPLETION_INDEX \
    LOGOFFCHECK_SHARD_COUNT; do
  unset "$variable"
done

# run STATUS ARG...: runs logoffcheck (with the environment given before it
# by `env`), keeps stdout and stderr, and fails unless it exits with STATUS.
run() {
  local expected=$1 status=0
  shift
  "$@" >out.txt 2>err.txt || status=$?
  cat out.txt err.txt >&2
  [[ $status -eq $expected ]] || fail "$* exited $status, expected $expected"
}

# A report without its only timing field.
untimed() { sed -E 's/"seconds": [0-9.eE+-]+/"seconds": X/' "$1"; }

case $scenario in
jobs_same_report)
  # The same seed gives the same report whatever --jobs: for the reference,
  # a mutant that fails in-process, and a crashing one under isolation.
  for provider in builtin:reference builtin:clears-flag-on-invalid-input \
      builtin:segfault-on-null-flags; do
    cases=20000
    [[ $provider == builtin:segfault-on-null-flags ]] && cases=300
    for jobs in 1 2 3 0; do
      status=0
      "$logoffcheck" certify --provider "$provider" --seed 4 --cases $cases --jobs $jobs \
        --report "r$jobs.json" --counterexample "cx$jobs.json" >/dev/null 2>&1 || status=$?
      [[ $status -eq 0 || $status -eq 1 ]] || fail "$provider --jobs $jobs exited $status"
      echo $status >"status$jobs"
      untimed "r$jobs.json" >"r$jobs.untimed"
    done
    for jobs in 2 3 0; do
      cmp -s status1 "status$jobs" || fail "$provider: --jobs $jobs exits differently"
      cmp r1.untimed "r$jobs.untimed" || fail "$provider: --jobs $jobs gives another report"
      if [[ -f cx1.json ]]; then
        cmp cx1.json "cx$jobs.json" || fail "$provider: --jobs $jobs gives another counterexample"
      fi
    done
    rm -f ./*.json ./*.untimed status*
  done
  ;;
jobs_bad_value)
  run 2 "$logoffcheck" certify --provider builtin:reference --jobs -1
  grep -q -- "--jobs" err.txt || fail "the error does not name --jobs"
  ;;
shard_from_gitlab)
  # CI_NODE_INDEX counts from 1: job 3 of 4 is shard 2, the same shard as
  # --shard-index 2 --shard-count 4.
  run 0 env CI_NODE_TOTAL=4 CI_NODE_INDEX=3 "$logoffcheck" certify \
    --provider builtin:reference --cases 400 --report env.json
  grep -qx "logoffcheck: shard 2 of 4 from GitLab (CI_NODE_INDEX=3, CI_NODE_TOTAL=4)" err.txt ||
    fail "stderr does not say which shard the environment gave"
  run 0 "$logoffcheck" certify --provider builtin:reference --cases 400 --shard-index 2 \
    --shard-count 4 --report option.json
  [[ ! -s err.txt ]] || fail "an explicit shard says something on stderr"
  diff <(untimed env.json) <(untimed option.json) || fail "the environment's shard differs"
  # Explicit options win over the environment.
  run 0 env CI_NODE_TOTAL=4 CI_NODE_INDEX=3 "$logoffcheck" certify \
    --provider builtin:reference --cases 400 --shard-index 2 --shard-count 4
  [[ ! -s err.txt ]] || fail "the environment was read despite --shard-index"
  ;;
shard_environment_inconsistent)
  run 2 env CI_NODE_TOTAL=4 CI_NODE_INDEX=0 "$logoffcheck" certify --provider builtin:reference
  grep -q "CI_NODE_INDEX=0 is not a shard index from 1 to 4" err.txt || fail "no variable named"
  run 2 env TEST_TOTAL_SHARDS=x TEST_SHARD_INDEX=0 "$logoffcheck" certify \
    --provider builtin:reference
  grep -q "TEST_TOTAL_SHARDS=x is not a number" err.txt || fail "no variable named"
  ;;
shard_bazel_status_file)
  run 0 env TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=1 TEST_SHARD_STATUS_FILE="$scratch/status" \
    "$logoffcheck" certify --provider builtin:reference --cases 100 --report r.json
  [[ -f status ]] || fail "TEST_SHARD_STATUS_FILE was not touched"
  grep -q '"shard": {"index": 1, "count": 2}' r.json || fail "the report is not shard 1 of 2"
  ;;
shard_kubernetes_indexed_job)
  run 0 env JOB_COMPLETION_INDEX=1 "$logoffcheck" certify --provider builtin:reference \
    --cases 90 --shard-count 3 --report r.json
  grep -q "shard 1 of 3 from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX=1, --shard-count 3)" \
    err.txt || fail "stderr does not say which shard"
  grep -q '"shard": {"index": 1, "count": 3}' r.json || fail "the report is not shard 1 of 3"
  run 0 env JOB_COMPLETION_INDEX=2 LOGOFFCHECK_SHARD_COUNT=3 "$logoffcheck" certify \
    --provider builtin:reference --cases 90 --report r.json
  grep -q '"shard": {"index": 2, "count": 3}' r.json || fail "the report is not shard 2 of 3"
  run 2 "$logoffcheck" certify --provider builtin:reference --shard-count 3
  grep -q "JOB_COMPLETION_INDEX" err.txt || fail "--shard-count alone does not say what it needs"
  ;;
*)
  fail "unknown scenario $scenario"
  ;;
esac
