// SHA-256 (FIPS 180-4), for naming the exact provider library a report
// certified. Internal to harness/report.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logoffcheck {

// The digest of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// The digest of the file at `path`, or nullopt when it cannot be read.
std::optional<std::string> sha256_file(const std::string& path);

}  // namespace logoffcheck
