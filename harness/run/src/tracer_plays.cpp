// The plays of the controlled scheduler (ptrace_scheduler.h): the main
// thread's markers, and the history's threads run one at a time by
// priority, change points, blocking and yields.
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <cerrno>

#include "logoffcheck/errors.h"
#include "ptrace_scheduler.h"

#if defined(__x86_64__)
#include "tracer.h"
#endif

namespace logoffcheck::detail {

#if defined(__x86_64__)
namespace tracing {

bool Tracer::run_threads(const Schedule& plan, Schedule& played) {
  played = plan.decisions();
  const auto depth = static_cast<std::int64_t>(plan.change_points.size()) + 1;
  for (std::size_t rank = 0; rank < plan.priorities.size(); ++rank) {
    for (Thread& thread : workers_) {
      if (thread.index == static_cast<int>(plan.priorities[rank])) {
        thread.priority = depth + static_cast<std::int64_t>(plan.priorities.size() - rank);
      }
    }
  }
  std::int64_t lowest = 0;  // yielding threads go below every priority
  std::size_t next_change = 0;
  Thread* current = nullptr;
  ScheduleTurn turn;
  TurnEnd ending = TurnEnd::preempted;  // why the current turn ends if another thread runs
  std::uint64_t alone = 0;
  const auto close_turn = [&](TurnEnd end, std::string where) {
    turn.end = end;
    turn.where = std::move(where);
    played.turns.push_back(turn);
  };
  const auto where = [&](const Thread& thread) {
    if (thread.marker &&
        thread.syscall_nr == static_cast<std::uint64_t>(marker_number(Marker::before_call))) {
      return "before call " + std::to_string(thread.calls_begun + 1);
    }
    if (thread.mode == Mode::stepping) return code_.describe(thread.regs.rip);
    if (thread.breakpoint != 0) return "in a call from " + code_.describe(thread.breakpoint);
    return std::string("outside the provider");
  };
  std::string ending_where;
  for (;;) {
    recheck_blocked();
    Thread* pick = nullptr;
    bool any_blocked = false;
    bool any_timed = false;
    for (Thread& thread : workers_) {
      if (thread.state == State::blocked) {
        any_blocked = true;
        any_timed = any_timed || thread.timed;
      }
      if (thread.state == State::runnable &&
          (pick == nullptr || thread.priority > pick->priority)) {
        pick = &thread;
      }
    }
    if (pick == nullptr) {
      if (!any_blocked) break;  // every thread ended
      if (any_timed) {
        // Nothing else can run: the earliest timed wait times out.
        Thread* first = nullptr;
        for (Thread& thread : workers_) {
          if (thread.state == State::blocked && thread.timed &&
              (first == nullptr || thread.blocked_since < first->blocked_since)) {
            first = &thread;
          }
        }
        first->state = State::runnable;
        first->skip_syscall = true;
        first->skipped_result = -ETIMEDOUT;
        continue;
      }
      hang_ = "deadlock: " + positions();
      deadlock_ = true;
      if (current != nullptr) close_turn(TurnEnd::deadlocked, hang_);
      return false;
    }
    if (pick != current) {
      if (current != nullptr) {
        if (current->state != State::exited) remove(*current);
        const TurnEnd end = ending;
        if (end == TurnEnd::preempted && current->slot != nullptr &&
            current->slot->phase.load() == 1) {
          ++current->slot->call.preemptions;  // shown in the thread's column
        }
        close_turn(end, ending_where);
      }
      current = pick;
      turn = ScheduleTurn{static_cast<std::uint32_t>(pick->index), 0, TurnEnd::finished, ""};
      alone = 0;
    }
    ending = TurnEnd::preempted;
    const Stop stop = advance(*current);
    if (stop == Stop::died) return false;
    bool point = stop == Stop::point;
    if (stop == Stop::marker) {
      const auto marker = static_cast<Marker>(static_cast<long>(current->syscall_nr) - kMarkerBase);
      if (marker == Marker::before_call) {
        current->slot = reinterpret_cast<HistorySlot*>(current->args[1]);
        if (code_.contains(current->args[2])) {
          current->breakpoint = current->args[2];
          current->breakpoint_rsp = 0;
        }
        point = true;
        ending_where = where(*current);
        ++current->calls_begun;
      }
    }
    if (stop == Stop::exited) {
      ending = TurnEnd::finished;
      ending_where = "thread end";
    } else if (stop == Stop::blocked) {
      ending = TurnEnd::blocked;
      ending_where = "waits " + where(*current);
      current->state = State::blocked;  // held at the wait's entry: never in the kernel
      current->blocked_since = ++blocks_;
    } else if (stop == Stop::yielded) {
      ending = TurnEnd::yielded;
      ending_where = "sleeps " + where(*current);
      current->priority = --lowest;
    }
    if (!point) continue;
    ++played.steps;
    ++turn.steps;
    ++alone;
    if (stop == Stop::point) ending_where = code_.describe(current->regs.rip);
    if (played.steps > settings_.max_steps) {
      hang_ = "no end after " + std::to_string(settings_.max_steps) + " steps: " + positions();
      exhausted_ = true;
      close_turn(TurnEnd::exhausted, hang_);
      return false;
    }
    if (next_change < plan.change_points.size() &&
        played.steps >= plan.change_points[next_change]) {
      current->priority = static_cast<std::int64_t>(++next_change);
      ending = TurnEnd::preempted;
    } else if (alone > settings_.fairness_steps) {
      current->priority = --lowest;
      ending = TurnEnd::yielded;
      alone = 0;
    }
  }
  if (current != nullptr) close_turn(TurnEnd::finished, "thread end");
  return true;
}

TraceResult Tracer::run(std::uint32_t first_run, const PtraceScheduler::Plan& plan,
                        std::uint64_t& first_steps) {
  TraceResult result;
  main_.tid = child_;
  const int first = wait(child_);
  if (first < 0 || !WIFSTOPPED(first)) {  // it could not be traced
    result.status = first;
    return result;
  }
  ptrace(PTRACE_SETOPTIONS, child_, nullptr,
         PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
  std::uint32_t run = first_run;
  Schedule decisions;
  while (!died_) {
    const Stop stop = advance(main_);
    if (stop == Stop::died) break;
    if (stop != Stop::marker) continue;
    switch (static_cast<Marker>(static_cast<long>(main_.syscall_nr) - kMarkerBase)) {
      case Marker::play_begin:
        run = static_cast<std::uint32_t>(main_.args[0]);
        decisions = plan(run, first_steps);
        break;
      case Marker::threads_starting:
        creating_ = true;
        created_.clear();
        break;
      case Marker::threads_started: {
        creating_ = false;
        workers_.clear();
        for (pid_t tid : created_) {
          Thread worker;
          worker.tid = tid;
          // Up to its first marker, unpreempted: thread start-up is the C library's.
          while (!died_) {
            const Stop started = advance(worker);
            if (started == Stop::marker &&
                worker.syscall_nr ==
                    static_cast<std::uint64_t>(marker_number(Marker::thread_ready))) {
              break;
            }
            if (started == Stop::died || started == Stop::exited) break;
          }
          worker.index = static_cast<int>(worker.args[0]);
          workers_.push_back(worker);
        }
        if (died_) break;
        Schedule played;
        const bool went_on = run_threads(decisions, played);
        if (run == 0 && went_on) first_steps = played.steps;
        result.schedules.push_back(std::move(played));
        if (!went_on && !died_) {
          kill(child_, SIGKILL);
          stopped_process(main_, -1);
        }
        break;
      }
      default:
        break;
    }
  }
  result.status = status_;
  result.deadlock = deadlock_;
  result.hung = deadlock_ || exhausted_ || watchdog_.fired();
  result.hang = watchdog_.fired() ? "no event for the timeout: " + positions() : hang_;
  return result;
}

}  // namespace tracing
#endif

PtraceScheduler::PtraceScheduler(const CodeMap& code, ControlledSettings settings,
                                 std::uint32_t timeout_ms)
    : code_(code), settings_(settings), timeout_ms_(timeout_ms) {
#if !defined(__x86_64__)
  throw ConfigurationError("--schedule controlled needs x86-64 Linux: use --schedule free");
#endif
}

TraceResult PtraceScheduler::trace(pid_t child, std::uint32_t first_run, const Plan& plan) {
#if defined(__x86_64__)
  Watchdog watchdog(child, timeout_ms_);
  tracing::Tracer tracer(code_, settings_, child, watchdog);
  return tracer.run(first_run, plan, first_steps_);
#else
  (void)child, (void)first_run, (void)plan;
  throw ConfigurationError("--schedule controlled needs x86-64 Linux: use --schedule free");
#endif
}

}  // namespace logoffcheck::detail
