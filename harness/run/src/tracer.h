// The controlled scheduler's tracer (ptrace_scheduler.h), shared by its two
// source files: ptrace_scheduler.cpp moves one thread (single steps,
// breakpoints, system calls, futexes), tracer_plays.cpp schedules the plays.
#pragma once

#include <linux/futex.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ptrace_scheduler.h"
#include "watchdog.h"

namespace logoffcheck::detail::tracing {

enum class Mode : std::uint8_t { free, stepping };
enum class State : std::uint8_t { runnable, blocked, exited };

struct Thread {
  pid_t tid = 0;
  int index = -1;  // the history's thread, -1 for the main thread
  Mode mode = Mode::free;
  State state = State::runnable;
  std::int64_t priority = 0;
  int pending_signal = 0;
  user_regs_struct regs{};
  // A breakpoint of this thread: the provider method it is about to enter,
  // or the return address of a call out of the provider's code.
  std::uint64_t breakpoint = 0;
  std::uint64_t breakpoint_rsp = 0;  // 0: any frame
  long saved_word = 0;
  bool inserted = false;
  std::uint64_t last_provider_pc = 0;
  // Blocked: the futex word it waits on, the value it waits while the word
  // holds, whether the wait has a timeout, and when it began.
  std::uint64_t futex = 0;
  std::uint32_t futex_value = 0;
  bool timed = false;
  std::uint64_t blocked_since = 0;
  // Woken (or timed out) by the scheduler: its futex wait is skipped and
  // returns this, so that no thread ever sleeps in the kernel.
  bool skip_syscall = false;
  long skipped_result = 0;
  std::uint32_t calls_begun = 0;
  HistorySlot* slot = nullptr;  // the call in progress, in memory shared with the child
  // The last system call entry: number and arguments.
  std::uint64_t syscall_nr = 0;
  std::uint64_t args[6] = {};
  bool marker = false;
};

enum class Stop : std::uint8_t { point, marker, blocked, yielded, exited, died };

inline bool is_futex_wait(std::uint64_t op) {
  const std::uint64_t command = op & FUTEX_CMD_MASK;
  return command == FUTEX_WAIT || command == FUTEX_WAIT_BITSET;
}

inline bool is_futex_wake(std::uint64_t op) {
  const std::uint64_t command = op & FUTEX_CMD_MASK;
  return command == FUTEX_WAKE || command == FUTEX_WAKE_BITSET || command == FUTEX_WAKE_OP ||
         command == FUTEX_REQUEUE || command == FUTEX_CMP_REQUEUE;
}

class Tracer {
 public:
  Tracer(const CodeMap& code, const ControlledSettings& settings, pid_t child, Watchdog& watchdog)
      : code_(code), settings_(settings), child_(child), watchdog_(watchdog) {}

  TraceResult run(std::uint32_t first_run, const PtraceScheduler::Plan& plan,
                  std::uint64_t& first_steps);

 private:
  // The next event of `tid`. The main thread's end is reported only once
  // every other traced thread's end was reaped (a process that ends while
  // its history threads exist): so its events are waited for with those of
  // every thread, and another thread's event is kept for its own wait.
  int wait(pid_t tid) {
    if (const auto early = pending_.find(tid); early != pending_.end()) {
      const int status = early->second;
      pending_.erase(early);
      return status;
    }
    for (;;) {
      int status = 0;
      const pid_t got = waitpid(tid == child_ ? -1 : tid, &status, __WALL | __WNOTHREAD);
      if (got < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      watchdog_.progressed();
      if (got == tid) return status;
      pending_[got] = status;
    }
  }
  Stop advance(Thread& thread);
  Stop stopped_process(Thread& thread, int status);
  void on_clone(Thread& parent);
  void insert(Thread& thread);
  void remove(Thread& thread);
  void wake(const Thread& waker);
  void recheck_blocked();
  bool run_threads(const Schedule& plan, Schedule& played);
  std::string positions() const;

  const CodeMap& code_;
  const ControlledSettings& settings_;
  pid_t child_;
  Watchdog& watchdog_;
  Thread main_;
  std::vector<pid_t> created_;  // threads the main thread created for this play
  bool creating_ = false;
  std::vector<Thread> workers_;
  bool died_ = false;
  int status_ = 0;
  std::string hang_;
  bool deadlock_ = false;
  bool exhausted_ = false;
  std::uint64_t blocks_ = 0;
  std::map<pid_t, int> pending_;  // events reaped while waiting for the main thread
};

}  // namespace logoffcheck::detail::tracing
