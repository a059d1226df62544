#include "sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace logoffcheck::isolation {

namespace {

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

pid_t enter_sandbox(const char* scratch, SandboxStep& failed) noexcept {
  if (!enter_namespaces(true, failed)) return -1;
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
  const char* const writable[] = {scratch};
  if (!seal_file_system(writable, failed)) return -1;
  setenv("TMPDIR", scratch, 1);
  return keeper;
}

}  // namespace logoffcheck::isolation
