#include "ptrace_scheduler.h"

#include <linux/futex.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <thread>

#include "logoffcheck/errors.h"
#include "watchdog.h"

// The tracer reads x86-64 registers; elsewhere PtraceScheduler refuses
// (tracer_plays.cpp).
#if defined(__x86_64__)

#include "tracer.h"

namespace logoffcheck::detail::tracing {

void Tracer::insert(Thread& thread) {
  if (thread.breakpoint == 0 || thread.inserted) return;
  errno = 0;
  const long word = ptrace(PTRACE_PEEKTEXT, thread.tid, thread.breakpoint, nullptr);
  if (errno != 0) {
    thread.breakpoint = 0;
    return;
  }
  thread.saved_word = word;
  const long trapped = (word & ~0xffL) | 0xcc;
  if (ptrace(PTRACE_POKETEXT, thread.tid, thread.breakpoint, trapped) == 0) thread.inserted = true;
}

void Tracer::remove(Thread& thread) {
  if (!thread.inserted) return;
  // Through the thread itself, or, once it ended, through the main thread,
  // which is held at its marker while the history's threads run.
  const pid_t through = thread.state == State::exited ? child_ : thread.tid;
  ptrace(PTRACE_POKETEXT, through, thread.breakpoint, thread.saved_word);
  thread.inserted = false;
}

// The whole process ended (a crash, an exit, the watchdog).
Stop Tracer::stopped_process(Thread& thread, int status) {
  if (status >= 0 && thread.tid != child_ && WIFEXITED(status)) {
    thread.state = State::exited;  // a thread ended; the process goes on
    remove(thread);
    return Stop::exited;
  }
  if (status >= 0 && thread.tid == child_ && !WIFSTOPPED(status)) {
    status_ = status;
  } else {
    // Reap every thread until the process itself reports its end.
    for (;;) {
      int any = 0;
      const pid_t ended = waitpid(-1, &any, __WALL | __WNOTHREAD);
      if (ended < 0 && errno == EINTR) continue;
      if (ended < 0) break;
      if (ended == child_ && !WIFSTOPPED(any)) {
        status_ = any;
        break;
      }
      if (WIFSTOPPED(any)) ptrace(PTRACE_CONT, ended, nullptr, nullptr);
    }
  }
  died_ = true;
  return Stop::died;
}

void Tracer::on_clone(Thread& parent) {
  unsigned long tid = 0;
  ptrace(PTRACE_GETEVENTMSG, parent.tid, nullptr, &tid);
  const pid_t born = static_cast<pid_t>(tid);
  wait(born);  // its first stop
  if (creating_ && parent.tid == child_) {
    created_.push_back(born);
  } else {
    // A thread the store started itself: outside the scheduler's control.
    ptrace(PTRACE_DETACH, born, nullptr, nullptr);
  }
}

// Runs `thread` to its next scheduling point, marker, block, yield or end.
Stop Tracer::advance(Thread& thread) {
  for (;;) {
    if (thread.mode == Mode::stepping) {
      const user_regs_struct before = thread.regs;
      ptrace(PTRACE_SINGLESTEP, thread.tid, nullptr, thread.pending_signal);
      thread.pending_signal = 0;
      const int status = wait(thread.tid);
      if (status < 0 || !WIFSTOPPED(status)) return stopped_process(thread, status);
      if (WSTOPSIG(status) != SIGTRAP) {
        thread.pending_signal = WSTOPSIG(status);  // delivered by the next step
        ptrace(PTRACE_GETREGS, thread.tid, nullptr, &thread.regs);
        continue;
      }
      ptrace(PTRACE_GETREGS, thread.tid, nullptr, &thread.regs);
      if (code_.contains(thread.regs.rip)) {
        thread.last_provider_pc = thread.regs.rip;
        return Stop::point;
      }
      thread.mode = Mode::free;
      if (thread.regs.rsp > before.rsp) continue;  // returned out of the provider's code
      errno = 0;
      const auto back =
          static_cast<std::uint64_t>(ptrace(PTRACE_PEEKDATA, thread.tid, thread.regs.rsp, nullptr));
      if (errno == 0 && code_.contains(back)) {
        thread.breakpoint = back;
        thread.breakpoint_rsp = thread.regs.rsp + 8;
      }
      continue;
    }
    if (thread.skip_syscall) {
      // At the entry of a futex wait the scheduler ended: no system call,
      // and the result it chose.
      thread.skip_syscall = false;
      ptrace(PTRACE_GETREGS, thread.tid, nullptr, &thread.regs);
      thread.regs.orig_rax = static_cast<unsigned long long>(-1);
      ptrace(PTRACE_SETREGS, thread.tid, nullptr, &thread.regs);
      ptrace(PTRACE_SYSCALL, thread.tid, nullptr, nullptr);
      const int skipped = wait(thread.tid);
      if (skipped < 0 || !WIFSTOPPED(skipped)) return stopped_process(thread, skipped);
      ptrace(PTRACE_GETREGS, thread.tid, nullptr, &thread.regs);
      thread.regs.rax = static_cast<unsigned long long>(thread.skipped_result);
      ptrace(PTRACE_SETREGS, thread.tid, nullptr, &thread.regs);
      thread.syscall_nr = 0;
      thread.marker = false;
    }
    insert(thread);
    ptrace(PTRACE_SYSCALL, thread.tid, nullptr, thread.pending_signal);
    thread.pending_signal = 0;
    const int status = wait(thread.tid);
    if (status < 0 || !WIFSTOPPED(status)) return stopped_process(thread, status);
    if (status >> 16 == PTRACE_EVENT_CLONE) {
      on_clone(thread);
      continue;
    }
    const int signal = WSTOPSIG(status);
    if (signal == (SIGTRAP | 0x80)) {
      __ptrace_syscall_info info{};
      ptrace(PTRACE_GET_SYSCALL_INFO, thread.tid, sizeof info, &info);
      if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        thread.syscall_nr = info.entry.nr;
        std::copy(std::begin(info.entry.args), std::end(info.entry.args), thread.args);
        const auto nr = static_cast<long>(info.entry.nr);
        thread.marker = nr >= kMarkerBase && nr <= marker_number(Marker::threads_starting);
        if (thread.marker) return Stop::marker;
        if (nr == SYS_futex && is_futex_wait(thread.args[1])) {
          errno = 0;
          const long word = ptrace(PTRACE_PEEKDATA, thread.tid, thread.args[0], nullptr);
          if (errno == 0 &&
              static_cast<std::uint32_t>(word) == static_cast<std::uint32_t>(thread.args[2])) {
            thread.futex = thread.args[0];
            thread.futex_value = static_cast<std::uint32_t>(thread.args[2]);
            thread.timed = thread.args[3] != 0;
            return Stop::blocked;
          }
        }
        if (nr == SYS_futex && is_futex_wake(thread.args[1])) wake(thread);
        if (nr == SYS_sched_yield || nr == SYS_nanosleep || nr == SYS_clock_nanosleep) {
          return Stop::yielded;
        }
      }
      continue;
    }
    if (signal == SIGTRAP && thread.inserted) {
      ptrace(PTRACE_GETREGS, thread.tid, nullptr, &thread.regs);
      if (thread.regs.rip - 1 == thread.breakpoint) {
        remove(thread);
        thread.regs.rip = thread.breakpoint;
        ptrace(PTRACE_SETREGS, thread.tid, nullptr, &thread.regs);
        if (thread.breakpoint_rsp == 0 || thread.regs.rsp == thread.breakpoint_rsp) {
          thread.breakpoint = 0;
          thread.mode = Mode::stepping;
          thread.last_provider_pc = thread.regs.rip;
          return Stop::point;
        }
        // A deeper frame came by the same address: step over it, keep waiting.
        ptrace(PTRACE_SINGLESTEP, thread.tid, nullptr, nullptr);
        const int stepped = wait(thread.tid);
        if (stepped < 0 || !WIFSTOPPED(stepped)) return stopped_process(thread, stepped);
        continue;
      }
    }
    if (signal == SIGSTOP) continue;  // a stop meant for the tracer, not the store
    thread.pending_signal = signal;
  }
}

// The running thread wakes a futex: the threads blocked on it, longest
// first, up to the number it wakes, end their wait (their system call is
// skipped and returns 0); FUTEX_WAKE_OP wakes on a second word too, and a
// requeue moves the others to it.
void Tracer::wake(const Thread& waker) {
  const std::uint64_t command = waker.args[1] & FUTEX_CMD_MASK;
  const auto wake_on = [&](std::uint64_t word, std::uint64_t count) {
    std::vector<Thread*> waiting;
    for (Thread& thread : workers_) {
      if (thread.state == State::blocked && thread.futex == word) waiting.push_back(&thread);
    }
    std::sort(waiting.begin(), waiting.end(),
              [](const Thread* a, const Thread* b) { return a->blocked_since < b->blocked_since; });
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      if (i < count) {
        waiting[i]->state = State::runnable;
        waiting[i]->skip_syscall = true;
        waiting[i]->skipped_result = 0;
      } else if (command == FUTEX_REQUEUE || command == FUTEX_CMP_REQUEUE) {
        waiting[i]->futex = waker.args[4];
      }
    }
  };
  wake_on(waker.args[0], static_cast<std::uint32_t>(waker.args[2]));
  if (command == FUTEX_WAKE_OP) wake_on(waker.args[4], static_cast<std::uint32_t>(waker.args[3]));
}

// A blocked thread whose futex word changed would not wait at all: the
// kernel answers EAGAIN. It may go on (through its real system call).
void Tracer::recheck_blocked() {
  for (Thread& thread : workers_) {
    if (thread.state != State::blocked) continue;
    errno = 0;
    const long word = ptrace(PTRACE_PEEKDATA, thread.tid, thread.futex, nullptr);
    if (errno == 0 && static_cast<std::uint32_t>(word) != thread.futex_value) {
      thread.state = State::runnable;
    }
  }
}

std::string Tracer::positions() const {
  std::string text;
  for (const Thread& thread : workers_) {
    if (thread.state == State::exited) continue;
    text += (text.empty() ? "" : "; ") + std::string("thread ") + std::to_string(thread.index + 1);
    text += thread.state == State::blocked ? " waits" : " runs";
    if (thread.breakpoint != 0) {
      text += " in a call from " + code_.describe(thread.breakpoint);
    } else if (thread.last_provider_pc != 0) {
      text += " at " + code_.describe(thread.last_provider_pc);
    }
    text += " (call " + std::to_string(thread.calls_begun) + ")";
  }
  return text;
}

// The controlled part of a play: the history's threads, all held at their
// first marker, run one at a time under `plan`. False when the play cannot
// go on (the process died, a deadlock, a livelock).

}  // namespace logoffcheck::detail::tracing

#endif  // defined(__x86_64__)
