// Internal to the adapter room's Windows part: starting Windows programs
// under Wine (wine.cpp). agent_process.cpp uses it; nothing else does.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace logoffcheck::windows_agent {

using Clock = std::chrono::steady_clock;

// The environment Wine runs in: the caller's, with the prefix `prefix`, no
// debug output, and no offer to install Mono or Gecko.
std::vector<std::string> wine_environment(const std::filesystem::path& wine,
                                          const std::filesystem::path& prefix);

// Starts `argv` with environment `env`, stdin, stdout and stderr from the
// given descriptors and nothing else open; the child dies with the verifier.
// Throws InternalError when fork fails.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int stdin_fd,
            int stdout_fd, int error_fd);

// Waits for `pid` to end; kills it at `deadline`. Returns its wait status,
// or -1 when it had to be killed.
int wait_for(pid_t pid, Clock::time_point deadline);

// An anonymous file for a process's stderr: read (tail_of) when it fails,
// else dropped. Throws InternalError when it cannot be created.
int stderr_file();

// The last 600 characters written to `fd` (from stderr_file), without the
// final line break.
std::string tail_of(int fd);

// `path` as a Windows program under Wine sees it, through the Z: drive.
std::string windows_path(const std::filesystem::path& path);

// `value` as 0x and at least `digits` upper-case hex digits.
std::string hex(std::uint64_t value, int digits);

}  // namespace logoffcheck::windows_agent
