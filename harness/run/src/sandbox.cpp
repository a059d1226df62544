#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "logoffcheck/errors.h"

namespace logoffcheck::isolation {

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
// or writes is owned by whom it is outside.
// `uid` and `gid` are those outside: inside, before the maps, both are
// the overflow ids.
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

void on_child(int) {}

// The PID namespace's first process: the reaper of orphans whose own
// reapers died. Signals from within the namespace reach it only when it
// handles them, so no store can end it; it dies with the server.
// Mounts the namespace's own /proc first, so that the workers' /proc/self
// and the children they list are theirs, and says so on `ready`.
[[noreturn]] void keep(const int ready[2]) noexcept {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // A server that died before the line above leaves no parent to die with,
  // and nobody to read `ready`: the write fails (or SIGPIPE ends it).
  close(ready[0]);
  const int mounted =
      mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0 ? 0 : errno;
  if (write(ready[1], &mounted, sizeof mounted) != sizeof mounted || mounted != 0) _exit(0);
  syscall(SYS_close_range, 3U, ~0U, 0U);
  struct sigaction action {};
  action.sa_handler = &on_child;
  sigemptyset(&action.sa_mask);
  sigaction(SIGCHLD, &action, nullptr);
  for (;;) {
    if (waitpid(-1, nullptr, 0) < 0 && errno == ECHILD) pause();
  }
}

}  // namespace

std::string sandbox_failure(SandboxStep step, int error) {
  std::string what;
  switch (step) {
    case SandboxStep::namespaces:
      what =
          "cannot make the store's sandbox: unprivileged user namespaces are unavailable "
          "(unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID): ";
      break;
    case SandboxStep::id_maps:
      what = "cannot make the store's sandbox: cannot map the user into its user namespace (";
      break;
    case SandboxStep::read_only:
      what = "cannot make the store's sandbox: cannot make the file system read-only (";
      break;
    case SandboxStep::scratch:
      what = "cannot make the store's sandbox: cannot make its scratch folder writable (";
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

pid_t enter_sandbox(const char* scratch, SandboxStep& failed) noexcept {
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID) != 0) {
    failed = SandboxStep::namespaces;
    return -1;
  }
  if (!map_ids(uid, gid)) {
    failed = SandboxStep::id_maps;
    return -1;
  }
  // Nothing done here reaches the verifier's mounts.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    failed = SandboxStep::read_only;
    return -1;
  }
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    failed = SandboxStep::keeper;
    return -1;
  }
  const pid_t keeper = fork();
  if (keeper == 0) keep(ready);
  close(ready[1]);
  int mounted = 0;
  const bool told = keeper > 0 && read(ready[0], &mounted, sizeof mounted) == sizeof mounted;
  close(ready[0]);
  if (!told || mounted != 0) {
    failed = keeper < 0 ? SandboxStep::keeper : SandboxStep::process_view;
    errno = mounted != 0 ? mounted : errno;
    return -1;
  }
  // Then every mount read-only, and the scratch folder a writable mount of
  // its own.
  if (set_mount_attributes("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0) != 0) {
    failed = SandboxStep::read_only;
    return -1;
  }
  if (mount(scratch, scratch, nullptr, MS_BIND, nullptr) != 0 ||
      set_mount_attributes(scratch, 0, 0, MOUNT_ATTR_RDONLY) != 0) {
    failed = SandboxStep::scratch;
    return -1;
  }
  setenv("TMPDIR", scratch, 1);
  return keeper;
}

}  // namespace logoffcheck::isolation
