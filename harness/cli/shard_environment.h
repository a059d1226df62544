// Which shard to run, read from the environment of the system running the job
// (docs/scale.md). Test runners and CI systems each announce "you are shard I
// of K" in variables of their own, some counting from 0 and some from 1; this
// file knows them, so that `certify` in a sharded job needs no
// --shard-index/--shard-count of its own.
//
// A pure function of a map of variables, so that every protocol is unit
// tested (tests/cli/shard_environment_test.cpp) without touching the process
// environment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logoffcheck::cli {

// The variables some system sets; name -> value.
using EnvironmentVariables = std::map<std::string, std::string, std::less<>>;

// A shard taken from the environment.
struct EnvironmentShard {
  std::uint32_t index = 0;  // 0-based, whatever the system counts from
  std::uint32_t count = 1;
  std::string system;     // "GitLab", "Bazel", "Kubernetes Indexed Job", ...
  std::string variables;  // the variables it came from: "CI_NODE_INDEX=3, CI_NODE_TOTAL=4"
  // Bazel: the file a test that shards must touch (TEST_SHARD_STATUS_FILE),
  // so that Bazel knows the shards did not all run every case.
  std::optional<std::string> status_file;

  // "shard 2 of 4 from GitLab (CI_NODE_INDEX=3, CI_NODE_TOTAL=4)"
  std::string describe() const;
};

// Every variable shard_from_environment reads, so that a caller can copy
// just those out of the process environment.
const std::vector<std::string_view>& shard_environment_variables();

// The shard `environment` assigns, looked for in this order: Bazel
// (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX: 0-based), GoogleTest
// (GTEST_TOTAL_SHARDS, GTEST_SHARD_INDEX: 0-based), GitLab (CI_NODE_TOTAL,
// CI_NODE_INDEX: 1-based; a job without `parallel:` has CI_NODE_TOTAL=1 and
// no index, which is no shard), CircleCI (CIRCLE_NODE_TOTAL,
// CIRCLE_NODE_INDEX: 0-based), Buildkite (BUILDKITE_PARALLEL_JOB_COUNT,
// BUILDKITE_PARALLEL_JOB: 0-based), a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX: 0-based, with the count from `count_option` or
// LOGOFFCHECK_SHARD_COUNT, since Kubernetes does not give it to the pod).
//
// `count_option` is a --shard-count given without --shard-index: then only
// JOB_COMPLETION_INDEX may give the index. Returns nullopt when no system
// announces a shard (and no count_option was given). Throws
// ConfigurationError naming the variable when the variables are not a shard:
// not a decimal number, a count of 0, an index not below the count, an index
// without its count or the other way round.
std::optional<EnvironmentShard> shard_from_environment(const EnvironmentVariables& environment,
                                                       std::optional<std::uint32_t> count_option);

// shard_environment_variables() as this process has them set.
EnvironmentVariables process_shard_environment();

}  // namespace logoffcheck::cli
