// logoffcheck/sandbox.h — the pieces of the sandbox untrusted stores run in
// (docs/isolation.md#the-sandbox), made with the kernel's interfaces
// directly: a user namespace (so that no privilege is needed), a network
// namespace with nothing in it, and a mount namespace in which every mount
// is read-only but the folders a runner names. harness/run puts the fork
// server's workers in it (with a PID namespace of their own); the Windows
// agent (harness/adapter/windows) runs in it under Wine.
#pragma once

#include <filesystem>
#include <span>
#include <string>

namespace logoffcheck {

// What could not be done when making a sandbox.
enum class SandboxStep : int {
  namespaces = 1,  // unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS [| CLONE_NEWPID])
  id_maps,         // /proc/self/uid_map, gid_map
  read_only,       // mount_setattr(MOUNT_ATTR_RDONLY) of every mount
  writable,        // a folder bound writable
  keeper,          // fork of the PID namespace's first process
  process_view,    // /proc of the PID namespace
};

// The error a run reports when the sandbox cannot be made: what is missing,
// and the flag that runs without it (a ConfigurationError, exit 2).
std::string sandbox_failure(SandboxStep step, int error);

// A folder only one runner's stores write: made on construction (under the
// temporary folder), removed with everything in it on destruction. Throws
// InternalError.
class ScratchFolder {
 public:
  ScratchFolder();
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// In a process just forked that runs nothing else yet: enters new user
// (same user and group inside), network and mount namespaces, and with
// `pid_namespace` a PID namespace for the children it forks next; its
// mounts no longer reach the caller's. false with `failed` and errno set
// when it cannot. Async-signal-safe.
bool enter_namespaces(bool pid_namespace, SandboxStep& failed) noexcept;

// Then: makes every mount read-only but `writable` (folders, each bound
// writable on itself). false with `failed` and errno set.
bool seal_file_system(std::span<const char* const> writable, SandboxStep& failed) noexcept;

}  // namespace logoffcheck
