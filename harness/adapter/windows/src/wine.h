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
// With `sandboxed`, it runs in the sandbox (logoffcheck/sandbox.h) in which
// only the folders `writable` are; one it cannot make ends it with status
// 126 and what is missing on stderr. Throws InternalError when fork fails.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int stdin_fd,
            int stdout_fd, int error_fd, bool sandboxed = false,
            const std::vector<std::string>& writable = {});

// Makes sure a Wine server for `prefix` runs, started outside the sandbox
// (it runs no store code) and kept for 30 s after its last client, so that
// agents in the sandbox, which cannot start one (its folder in /tmp is
// read-only there), connect to it, and an agent started again after a
// fault does not wait for a new one. Cheap when one runs: the new server
// sees the old one's lock and exits.
void ensure_wine_server(const std::filesystem::path& wine, const std::filesystem::path& prefix);

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
