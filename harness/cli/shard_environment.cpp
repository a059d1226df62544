#include "shard_environment.h"

#include <array>
#include <cstdlib>

#include "logoffcheck/errors.h"

namespace logoffcheck::cli {

namespace {

// How one system announces a shard.
struct Protocol {
  std::string_view system;
  std::string_view count_variable;
  std::string_view index_variable;
  std::uint32_t first_index;              // what the system calls the first shard: 0 or 1
  std::string_view status_file_variable;  // empty: none
};

constexpr std::array<Protocol, 5> kProtocols = {{
    {"Bazel", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", 0, "TEST_SHARD_STATUS_FILE"},
    {"GoogleTest", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", 0, ""},
    {"GitLab", "CI_NODE_TOTAL", "CI_NODE_INDEX", 1, ""},
    {"CircleCI", "CIRCLE_NODE_TOTAL", "CIRCLE_NODE_INDEX", 0, ""},
    {"Buildkite", "BUILDKITE_PARALLEL_JOB_COUNT", "BUILDKITE_PARALLEL_JOB", 0, ""},
}};

constexpr std::string_view kKubernetesIndex = "JOB_COMPLETION_INDEX";
constexpr std::string_view kCountVariable = "LOGOFFCHECK_SHARD_COUNT";
// The CLI's own bound on --shard-count.
constexpr std::uint64_t kMaxShards = 1000000;

const std::string* find(const EnvironmentVariables& environment, std::string_view name) {
  const auto found = environment.find(name);
  return found == environment.end() ? nullptr : &found->second;
}

std::string assignment(std::string_view name, const std::string& value) {
  return std::string(name) + "=" + value;
}

// The decimal number `value` of variable `name`, at most `max`.
std::uint32_t parse_number(std::string_view name, const std::string& value, std::uint64_t max) {
  const bool digits = !value.empty() && value.size() <= 10 &&
                      value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::strtoull(value.c_str(), nullptr, 10) > max) {
    throw ConfigurationError("environment variable " + assignment(name, value) +
                             " is not a number from 0 to " + std::to_string(max));
  }
  return static_cast<std::uint32_t>(std::strtoull(value.c_str(), nullptr, 10));
}

std::uint32_t parse_count(std::string_view name, const std::string& value) {
  const std::uint32_t count = parse_number(name, value, kMaxShards);
  if (count == 0) {
    throw ConfigurationError("environment variable " + assignment(name, value) +
                             " is not a shard count: it must be at least 1");
  }
  return count;
}

// The 0-based index that `value` of `name` names among `count` shards
// counted from `first_index`.
std::uint32_t parse_index(std::string_view name, const std::string& value, std::uint32_t count,
                          std::uint32_t first_index, std::string_view count_text) {
  const std::uint32_t index = parse_number(name, value, kMaxShards);
  if (index < first_index || index - first_index >= count) {
    throw ConfigurationError("environment variable " + assignment(name, value) +
                             " is not a shard index from " + std::to_string(first_index) + " to " +
                             std::to_string(count - 1 + first_index) + " (" +
                             std::string(count_text) + ")");
  }
  return index - first_index;
}

std::optional<EnvironmentShard> from_protocol(const Protocol& protocol,
                                              const EnvironmentVariables& environment) {
  const std::string* count_value = find(environment, protocol.count_variable);
  const std::string* index_value = find(environment, protocol.index_variable);
  if (count_value == nullptr && index_value == nullptr) return std::nullopt;
  if (count_value == nullptr) {
    throw ConfigurationError("environment variable " +
                             assignment(protocol.index_variable, *index_value) +
                             " is set without " + std::string(protocol.count_variable));
  }
  const std::uint32_t count = parse_count(protocol.count_variable, *count_value);
  if (index_value == nullptr) {
    // GitLab sets CI_NODE_TOTAL=1 for every job without `parallel:`.
    if (count == 1) return std::nullopt;
    throw ConfigurationError("environment variable " +
                             assignment(protocol.count_variable, *count_value) +
                             " is set without " + std::string(protocol.index_variable));
  }
  EnvironmentShard shard;
  shard.count = count;
  shard.index = parse_index(protocol.index_variable, *index_value, count, protocol.first_index,
                            assignment(protocol.count_variable, *count_value));
  shard.system = protocol.system;
  shard.variables = assignment(protocol.index_variable, *index_value) + ", " +
                    assignment(protocol.count_variable, *count_value);
  if (!protocol.status_file_variable.empty()) {
    if (const std::string* file = find(environment, protocol.status_file_variable)) {
      shard.status_file = *file;
    }
  }
  return shard;
}

// A Kubernetes Indexed Job gives the pod its index only; the count is the
// Job's `completions`, which the pod learns from --shard-count or
// LOGOFFCHECK_SHARD_COUNT.
std::optional<EnvironmentShard> from_kubernetes(const EnvironmentVariables& environment,
                                                std::optional<std::uint32_t> count_option) {
  const std::string* index_value = find(environment, kKubernetesIndex);
  const std::string* count_value = find(environment, kCountVariable);
  if (index_value == nullptr) {
    if (count_option) {
      throw ConfigurationError(
          "--shard-count without --shard-index takes the index from JOB_COMPLETION_INDEX "
          "(a Kubernetes Indexed Job), which is not set");
    }
    if (count_value != nullptr) {
      throw ConfigurationError("environment variable " + assignment(kCountVariable, *count_value) +
                               " is set without JOB_COMPLETION_INDEX");
    }
    return std::nullopt;
  }
  std::uint32_t count = 0;
  std::string count_text;
  if (count_option) {
    count = *count_option;
    count_text = "--shard-count " + std::to_string(count);
  } else if (count_value != nullptr) {
    count = parse_count(kCountVariable, *count_value);
    count_text = assignment(kCountVariable, *count_value);
  } else {
    throw ConfigurationError("environment variable " + assignment(kKubernetesIndex, *index_value) +
                             " is set, but no shard count: give --shard-count or " +
                             std::string(kCountVariable) + " (the Job's completions)");
  }
  EnvironmentShard shard;
  shard.count = count;
  shard.index = parse_index(kKubernetesIndex, *index_value, count, 0, count_text);
  shard.system = "a Kubernetes Indexed Job";
  shard.variables = assignment(kKubernetesIndex, *index_value) + ", " + count_text;
  return shard;
}

}  // namespace

std::string EnvironmentShard::describe() const {
  return "shard " + std::to_string(index) + " of " + std::to_string(count) + " from " + system +
         " (" + variables + ")";
}

const std::vector<std::string_view>& shard_environment_variables() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all;
    for (const Protocol& protocol : kProtocols) {
      all.push_back(protocol.count_variable);
      all.push_back(protocol.index_variable);
      if (!protocol.status_file_variable.empty()) all.push_back(protocol.status_file_variable);
    }
    all.push_back(kKubernetesIndex);
    all.push_back(kCountVariable);
    return all;
  }();
  return names;
}

std::optional<EnvironmentShard> shard_from_environment(const EnvironmentVariables& environment,
                                                       std::optional<std::uint32_t> count_option) {
  // A --shard-count of its own names the Kubernetes protocol.
  if (!count_option) {
    for (const Protocol& protocol : kProtocols) {
      if (auto shard = from_protocol(protocol, environment)) return shard;
    }
  }
  return from_kubernetes(environment, count_option);
}

EnvironmentVariables process_shard_environment() {
  EnvironmentVariables environment;
  for (const std::string_view name : shard_environment_variables()) {
    if (const char* value = std::getenv(std::string(name).c_str())) {
      environment.emplace(std::string(name), value);
    }
  }
  return environment;
}

}  // namespace logoffcheck::cli
