// The shard protocols of test runners and CI systems (harness/cli/
// shard_environment.h, docs/scale.md): each system's variables give the
// 0-based shard certify runs, whether the system counts from 0 or from 1,
// and variables that are not a shard are an error naming the variable.
#include <algorithm>

#include <gtest/gtest.h>

#include "logoffcheck/errors.h"
#include "shard_environment.h"

namespace logoffcheck::cli {
namespace {

struct Protocol {
  const char* name;
  EnvironmentVariables environment;
  std::uint32_t index;
  std::uint32_t count;
  const char* described;
};

void PrintTo(const Protocol& protocol, std::ostream* os) { *os << protocol.name; }

class ShardProtocol : public ::testing::TestWithParam<Protocol> {};

TEST_P(ShardProtocol, GivesTheZeroBasedShard) {
  const std::optional<EnvironmentShard> shard =
      shard_from_environment(GetParam().environment, std::nullopt);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, GetParam().index);
  EXPECT_EQ(shard->count, GetParam().count);
  EXPECT_EQ(shard->describe(), GetParam().described);
}

INSTANTIATE_TEST_SUITE_P(
    EachSystem, ShardProtocol,
    ::testing::Values(
        Protocol{"Bazel",
                 {{"TEST_TOTAL_SHARDS", "4"}, {"TEST_SHARD_INDEX", "0"}},
                 0,
                 4,
                 "shard 0 of 4 from Bazel (TEST_SHARD_INDEX=0, TEST_TOTAL_SHARDS=4)"},
        Protocol{"GoogleTest",
                 {{"GTEST_TOTAL_SHARDS", "3"}, {"GTEST_SHARD_INDEX", "2"}},
                 2,
                 3,
                 "shard 2 of 3 from GoogleTest (GTEST_SHARD_INDEX=2, GTEST_TOTAL_SHARDS=3)"},
        // GitLab counts its parallel jobs from 1.
        Protocol{"GitLab",
                 {{"CI_NODE_TOTAL", "4"}, {"CI_NODE_INDEX", "3"}},
                 2,
                 4,
                 "shard 2 of 4 from GitLab (CI_NODE_INDEX=3, CI_NODE_TOTAL=4)"},
        Protocol{"GitLabLast",
                 {{"CI_NODE_TOTAL", "4"}, {"CI_NODE_INDEX", "4"}},
                 3,
                 4,
                 "shard 3 of 4 from GitLab (CI_NODE_INDEX=4, CI_NODE_TOTAL=4)"},
        Protocol{"CircleCI",
                 {{"CIRCLE_NODE_TOTAL", "5"}, {"CIRCLE_NODE_INDEX", "4"}},
                 4,
                 5,
                 "shard 4 of 5 from CircleCI (CIRCLE_NODE_INDEX=4, CIRCLE_NODE_TOTAL=5)"},
        Protocol{"Buildkite",
                 {{"BUILDKITE_PARALLEL_JOB_COUNT", "2"}, {"BUILDKITE_PARALLEL_JOB", "1"}},
                 1,
                 2,
                 "shard 1 of 2 from Buildkite (BUILDKITE_PARALLEL_JOB=1, "
                 "BUILDKITE_PARALLEL_JOB_COUNT=2)"},
        Protocol{"Kubernetes",
                 {{"JOB_COMPLETION_INDEX", "6"}, {"LOGOFFCHECK_SHARD_COUNT", "8"}},
                 6,
                 8,
                 "shard 6 of 8 from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX=6, "
                 "LOGOFFCHECK_SHARD_COUNT=8)"},
        // A test runner inside a CI job: the runner's own shard wins.
        Protocol{"BazelInsideGitLab",
                 {{"CI_NODE_TOTAL", "4"},
                  {"CI_NODE_INDEX", "1"},
                  {"TEST_TOTAL_SHARDS", "2"},
                  {"TEST_SHARD_INDEX", "1"}},
                 1,
                 2,
                 "shard 1 of 2 from Bazel (TEST_SHARD_INDEX=1, TEST_TOTAL_SHARDS=2)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ShardEnvironment, NoSystemMeansNoShard) {
  EXPECT_FALSE(shard_from_environment({}, std::nullopt).has_value());
  EXPECT_FALSE(shard_from_environment({{"PATH", "/bin"}}, std::nullopt).has_value());
}

TEST(ShardEnvironment, AGitLabJobWithoutParallelIsNoShard) {
  // GitLab sets CI_NODE_TOTAL=1 and no CI_NODE_INDEX for such a job.
  EXPECT_FALSE(shard_from_environment({{"CI_NODE_TOTAL", "1"}}, std::nullopt).has_value());
}

TEST(ShardEnvironment, BazelNamesTheStatusFileToTouch) {
  const auto shard = shard_from_environment({{"TEST_TOTAL_SHARDS", "2"},
                                             {"TEST_SHARD_INDEX", "1"},
                                             {"TEST_SHARD_STATUS_FILE", "/tmp/status"}},
                                            std::nullopt);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->status_file, "/tmp/status");
  const auto gtest = shard_from_environment(
      {{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", "1"}}, std::nullopt);
  EXPECT_FALSE(gtest->status_file.has_value());
}

TEST(ShardEnvironment, AShardCountAloneTakesTheKubernetesIndex) {
  const auto shard = shard_from_environment({{"JOB_COMPLETION_INDEX", "3"}}, 4u);
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 3u);
  EXPECT_EQ(shard->count, 4u);
  EXPECT_EQ(shard->describe(),
            "shard 3 of 4 from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX=3, --shard-count 4)");
  // The option wins over the variable, and names only Kubernetes: a GitLab
  // job's variables do not give it an index.
  EXPECT_EQ(
      shard_from_environment({{"JOB_COMPLETION_INDEX", "3"}, {"LOGOFFCHECK_SHARD_COUNT", "9"}}, 4u)
          ->count,
      4u);
  EXPECT_THROW(shard_from_environment({{"CI_NODE_TOTAL", "4"}, {"CI_NODE_INDEX", "1"}}, 4u),
               ConfigurationError);
}

// The message of the ConfigurationError `environment` raises.
std::string error_of(const EnvironmentVariables& environment,
                     std::optional<std::uint32_t> count_option = std::nullopt) {
  try {
    shard_from_environment(environment, count_option);
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ShardEnvironment, InconsistentVariablesAreAnErrorNamingTheVariable) {
  EXPECT_EQ(error_of({{"CI_NODE_TOTAL", "4"}, {"CI_NODE_INDEX", "0"}}),
            "environment variable CI_NODE_INDEX=0 is not a shard index from 1 to 4 "
            "(CI_NODE_TOTAL=4)");
  EXPECT_EQ(error_of({{"CI_NODE_TOTAL", "4"}, {"CI_NODE_INDEX", "5"}}),
            "environment variable CI_NODE_INDEX=5 is not a shard index from 1 to 4 "
            "(CI_NODE_TOTAL=4)");
  EXPECT_EQ(error_of({{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "2"}}),
            "environment variable TEST_SHARD_INDEX=2 is not a shard index from 0 to 1 "
            "(TEST_TOTAL_SHARDS=2)");
  EXPECT_EQ(error_of({{"GTEST_TOTAL_SHARDS", "two"}, {"GTEST_SHARD_INDEX", "0"}}),
            "environment variable GTEST_TOTAL_SHARDS=two is not a number from 0 to 1000000");
  EXPECT_EQ(error_of({{"CIRCLE_NODE_TOTAL", "3"}, {"CIRCLE_NODE_INDEX", "-1"}}),
            "environment variable CIRCLE_NODE_INDEX=-1 is not a number from 0 to 1000000");
  EXPECT_EQ(error_of({{"BUILDKITE_PARALLEL_JOB_COUNT", "0"}, {"BUILDKITE_PARALLEL_JOB", "0"}}),
            "environment variable BUILDKITE_PARALLEL_JOB_COUNT=0 is not a shard count: it must "
            "be at least 1");
  EXPECT_EQ(error_of({{"BUILDKITE_PARALLEL_JOB", "1"}}),
            "environment variable BUILDKITE_PARALLEL_JOB=1 is set without "
            "BUILDKITE_PARALLEL_JOB_COUNT");
  EXPECT_EQ(error_of({{"CI_NODE_TOTAL", "3"}}),
            "environment variable CI_NODE_TOTAL=3 is set without CI_NODE_INDEX");
  EXPECT_EQ(error_of({{"JOB_COMPLETION_INDEX", "2"}}),
            "environment variable JOB_COMPLETION_INDEX=2 is set, but no shard count: give "
            "--shard-count or LOGOFFCHECK_SHARD_COUNT (the Job's completions)");
  EXPECT_EQ(error_of({{"JOB_COMPLETION_INDEX", "4"}}, 4u),
            "environment variable JOB_COMPLETION_INDEX=4 is not a shard index from 0 to 3 "
            "(--shard-count 4)");
  EXPECT_EQ(error_of({{"LOGOFFCHECK_SHARD_COUNT", "4"}}),
            "environment variable LOGOFFCHECK_SHARD_COUNT=4 is set without JOB_COMPLETION_INDEX");
  EXPECT_EQ(error_of({}, 4u),
            "--shard-count without --shard-index takes the index from JOB_COMPLETION_INDEX (a "
            "Kubernetes Indexed Job), which is not set");
}

TEST(ShardEnvironment, EveryVariableReadIsListed) {
  const auto& names = shard_environment_variables();
  for (const char* name :
       {"TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", "TEST_SHARD_STATUS_FILE", "GTEST_TOTAL_SHARDS",
        "GTEST_SHARD_INDEX", "CI_NODE_TOTAL", "CI_NODE_INDEX", "CIRCLE_NODE_TOTAL",
        "CIRCLE_NODE_INDEX", "BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB",
        "JOB_COMPLETION_INDEX", "LOGOFFCHECK_SHARD_COUNT"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

}  // namespace
}  // namespace logoffcheck::cli
