#include "logoffcheck/sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "logoffcheck/errors.h"

namespace logoffcheck {

namespace {

bool write_file(const char* path, const char* text) noexcept {
  const int file = open(path, O_WRONLY | O_CLOEXEC);
  if (file < 0) return false;
  const auto length = static_cast<ssize_t>(std::strlen(text));
  const bool written = write(file, text, static_cast<std::size_t>(length)) == length;
  const int error = errno;
  close(file);
  errno = error;
  return written;
}

// The same user and group inside as outside, so that what a store reads
// or writes is owned by whom it is outside. `uid` and `gid` are those
// outside: inside, before the maps, both are the overflow ids.
bool map_ids(uid_t uid, gid_t gid) noexcept {
  char map[64];
  if (!write_file("/proc/self/setgroups", "deny") && errno != ENOENT) return false;
  std::snprintf(map, sizeof map, "%u %u 1", uid, uid);
  if (!write_file("/proc/self/uid_map", map)) return false;
  std::snprintf(map, sizeof map, "%u %u 1", gid, gid);
  return write_file("/proc/self/gid_map", map);
}

int set_mount_attributes(const char* path, unsigned flags, std::uint64_t set,
                         std::uint64_t clear) noexcept {
  mount_attr attributes{};
  attributes.attr_set = set;
  attributes.attr_clr = clear;
  return static_cast<int>(
      syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &attributes, sizeof attributes));
}

}  // namespace

std::string sandbox_failure(SandboxStep step, int error) {
  std::string what;
  switch (step) {
    case SandboxStep::namespaces:
      what =
          "cannot make the store's sandbox: unprivileged user namespaces are unavailable "
          "(unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS ...): ";
      break;
    case SandboxStep::id_maps:
      what = "cannot make the store's sandbox: cannot map the user into its user namespace (";
      break;
    case SandboxStep::read_only:
      what = "cannot make the store's sandbox: cannot make the file system read-only (";
      break;
    case SandboxStep::writable:
      what = "cannot make the store's sandbox: cannot make its own folders writable (";
      break;
    case SandboxStep::keeper:
      what = "cannot make the store's sandbox: cannot start its PID namespace (";
      break;
    case SandboxStep::process_view:
      what = "cannot make the store's sandbox: cannot mount /proc for its PID namespace (";
      break;
  }
  return what + std::strerror(error) +
         "); --sandbox off runs the store without one, with the user's rights "
         "(docs/isolation.md)";
}

ScratchFolder::ScratchFolder() {
  std::error_code error;
  std::string pattern =
      (std::filesystem::temp_directory_path(error) / "logoffcheck-scratch-XXXXXX");
  if (error) pattern = "/tmp/logoffcheck-scratch-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw InternalError("isolation: cannot make a scratch folder " + pattern + ": " +
                        std::strerror(errno));
  }
  path_ = pattern;
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool enter_namespaces(bool pid_namespace, SandboxStep& failed) noexcept {
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | (pid_namespace ? CLONE_NEWPID : 0)) !=
      0) {
    failed = SandboxStep::namespaces;
    return false;
  }
  if (!map_ids(uid, gid)) {
    failed = SandboxStep::id_maps;
    return false;
  }
  // Nothing done here reaches the caller's mounts.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    failed = SandboxStep::read_only;
    return false;
  }
  return true;
}

bool seal_file_system(std::span<const char* const> writable, SandboxStep& failed) noexcept {
  if (set_mount_attributes("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0) != 0) {
    failed = SandboxStep::read_only;
    return false;
  }
  for (const char* folder : writable) {
    if (mount(folder, folder, nullptr, MS_BIND, nullptr) != 0 ||
        set_mount_attributes(folder, 0, 0, MOUNT_ATTR_RDONLY) != 0) {
      failed = SandboxStep::writable;
      return false;
    }
  }
  return true;
}

}  // namespace logoffcheck
