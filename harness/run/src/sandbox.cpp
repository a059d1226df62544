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

// How often the keeper ends the orphans it adopted: the processes a store
// started whose worker died (a worker ends its store's processes itself when
// it lives to the end of its case).
constexpr useconds_t kOrphanSweep = 20000;

// Kills every child of this process (/proc/self/task/1/children: the keeper
// is the namespace's pid 1 and has one thread).
void end_adopted_orphans() noexcept {
  const int file = open("/proc/self/task/1/children", O_RDONLY | O_CLOEXEC);
  if (file < 0) return;
  char text[4096];
  const ssize_t length = read(file, text, sizeof text - 1);
  close(file);
  pid_t pid = 0;
  for (ssize_t i = 0; i < length; ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      pid = pid * 10 + (text[i] - '0');
    } else {
      if (pid > 0) kill(pid, SIGKILL);
      pid = 0;
    }
  }
}

// The PID namespace's first process: the reaper of orphans whose own
// reapers (their workers) died, which it ends. Signals from within the
// namespace reach it only when it handles them (it handles none), so no
// store can end it; it dies with the server.
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
  for (;;) {
    end_adopted_orphans();
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    usleep(kOrphanSweep);
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
