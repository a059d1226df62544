// Private to harness/run: the sandbox the fork server's workers play cases
// in (docs/isolation.md#the-sandbox). Made with the kernel's interfaces
// directly: a user namespace (so that no privilege is needed), a network
// namespace with nothing in it, a mount namespace in which everything is
// read-only but one scratch folder per runner, and a PID namespace in which
// the verifier and the fork server do not exist.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace logoffcheck::isolation {

// What could not be done when making the sandbox.
enum class SandboxStep : int {
  namespaces = 1,  // unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID)
  id_maps,         // /proc/self/uid_map, gid_map
  read_only,       // mount_setattr(MOUNT_ATTR_RDONLY) of every mount
  scratch,         // the scratch folder, bound writable
  keeper,          // fork of the PID namespace's first process
  process_view,    // /proc of the PID namespace
};

// The error the verifier reports when the sandbox cannot be made: what is
// missing, and the flag that runs without it (a ConfigurationError, exit 2).
std::string sandbox_failure(SandboxStep step, int error);

// A folder only this runner's workers write: made on construction, removed
// with everything in it on destruction. Throws InternalError.
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

// In the fork server, just forked and not yet serving: puts it and every
// process it forks from now on into new user, network, mount and PID
// namespaces, makes every mount read-only but `scratch` (which becomes
// TMPDIR), and forks the PID namespace's first process, which only reaps.
// The server itself stays outside the PID namespace: its workers cannot
// name it, nor the verifier. /proc becomes the PID namespace's: the
// server's own /proc/self names nothing. Returns the keeper's pid, or -1
// with `failed` and errno set.
pid_t enter_sandbox(const char* scratch, SandboxStep& failed) noexcept;

}  // namespace logoffcheck::isolation
