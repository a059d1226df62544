#include "driver.h"

namespace logoffcheck::detail {

void check_shard(const DriverConfig& config) {
  if (config.shard_count == 0 || config.shard_index >= config.shard_count) {
    throw ConfigurationError("shard index " + std::to_string(config.shard_index) +
                             " is not below the shard count " +
                             std::to_string(config.shard_count));
  }
}

std::uint64_t shard_cases(const DriverConfig& config) noexcept {
  return config.cases / config.shard_count +
         (config.shard_index < config.cases % config.shard_count ? 1 : 0);
}

std::uint32_t worker_count(std::uint32_t jobs) noexcept {
  return jobs != 0 ? jobs : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace logoffcheck::detail
