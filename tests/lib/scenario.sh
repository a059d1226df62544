# scenario.sh — sourced by the end-to-end scenario scripts of tests/: the
# scratch directory a scenario runs in, and the assertions they share.
# Requires $logoffcheck (the CLI under test) to be set by the script.

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

# The variables of every CI shard protocol (docs/scale.md), so that a CI job
# that is sharded itself does not choose the shard of a scenario's run.
for variable in TEST_TOTAL_SHARDS TEST_SHARD_INDEX TEST_SHARD_STATUS_FILE GTEST_TOTAL_SHARDS \
    GTEST_SHARD_INDEX CI_NODE_TOTAL CI_NODE_INDEX CIRCLE_NODE_TOTAL CIRCLE_NODE_INDEX \
    BUILDKITE_PARALLEL_JOB_COUNT BUILDKITE_PARALLEL_JOB JOB_COMPLETION_INDEX \
    LOGOFFCHECK_SHARD_COUNT; do
  unset "$variable"
done
# Nor do a GitHub Actions job's annotations and summary (docs/ci.md) come
# from the scenarios' runs.
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY

fail() { echo "FAIL: $*" >&2; exit 1; }

# run STATUS ARG...: runs logoffcheck, keeps stdout in out.txt and stderr in
# err.txt, and fails the scenario unless it exits with STATUS.
run() {
  local expected=$1 status=0
  shift
  "$logoffcheck" "$@" >out.txt 2>err.txt || status=$?
  cat out.txt err.txt >&2
  [[ $status -eq $expected ]] || fail "logoffcheck $* exited $status, expected $expected"
}

expect_output() { grep -qE -- "$1" out.txt || fail "output lacks /$1/"; }
