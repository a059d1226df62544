// logoffcheck/schedule.h — controlled schedules of concurrent histories
// (`--schedule controlled`, docs/concurrency.md#controlled-schedules).
//
// Under a controlled schedule the history's threads run one at a time in a
// child process traced with ptrace. Inside the provider's code the scheduler
// may switch threads after any instruction; the verifier's own code (the
// harness, the simulated support object) and the C library run without
// preemption. Which thread runs is decided as PCT does (Burckhardt et al.,
// "A randomized scheduler with probabilistic guarantees of finding bugs",
// ASPLOS 2010): every thread has a priority, the highest runnable one runs,
// and at each change point the running thread drops below all others. A play
// is a pure function of the case and its Schedule: the same schedule gives
// the same history.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace logoffcheck {

// How a thread's turn ended.
enum class TurnEnd : std::uint8_t {
  preempted,   // a change point: the thread could have gone on
  yielded,     // it slept or yielded (nanosleep, sched_yield) or ran too long alone
  blocked,     // it waits on a futex another thread holds
  finished,    // its calls are done
  deadlocked,  // it waits, and so does every other thread: RC-3
  exhausted,   // the play ran out of steps (a livelock): RC-3
};
const char* turn_end_name(TurnEnd end) noexcept;

// One turn: a thread ran `steps` scheduling points (instructions of the
// provider's code, and the starts of its calls) in a row.
struct ScheduleTurn {
  std::uint32_t thread = 0;  // 0-based
  std::uint64_t steps = 0;
  TurnEnd end = TurnEnd::finished;
  // Where it stopped: "LostUpdateCount::AddRef+0x1c" (the provider's symbol
  // and offset, or its address), "before call 2", "thread end".
  std::string where;

  friend bool operator==(const ScheduleTurn&, const ScheduleTurn&) = default;
};

struct Schedule {
  // The decisions, which replay repeats: the threads from the highest
  // priority to the lowest, and the global steps (counted over all threads
  // from 1) at which the running thread drops below every other.
  std::vector<std::uint32_t> priorities;
  std::vector<std::uint64_t> change_points;
  // What playing it did: every turn, and the steps of the whole play.
  std::vector<ScheduleTurn> turns;
  std::uint64_t steps = 0;

  // Turns that ended because of a change point.
  std::uint32_t preemptions() const noexcept;
  // The decisions alone (turns and steps cleared).
  Schedule decisions() const;

  friend bool operator==(const Schedule&, const Schedule&) = default;
};

// "thread 1 ran 14 steps, preempted at LostUpdateCount::AddRef+0x1c; ..."
// as lines, one per turn, each starting with `indent`.
std::string format_schedule(const Schedule& schedule, const std::string& indent = "  ");

// How controlled plays are made (make_controlled_history_runner, history.h).
struct ControlledSettings {
  // PCT's depth for random plays: 1 + the change points of each play
  // (plays alternate between depth and depth + 1).
  std::uint32_t depth = 2;
  // Steps one play may take before it is judged a livelock (RC-3).
  std::uint64_t max_steps = 200000;
  // Steps a thread may run alone while another could run, before it must
  // let the others go (a spinning wait would never end under priorities).
  std::uint64_t fairness_steps = 20000;
  // RLIMIT_AS of the traced child in MiB, 0 for none; an allocation that
  // fails under it is CallOutcome::out_of_memory (RC-3), as in the isolating
  // runner (--memory-limit-mb).
  std::uint32_t memory_limit_mb = 0;
};

// The schedule of play `run` of a case played with `seed` when `steps` is
// what a play without change points took: play 0 has no change point and
// the threads in order; the others draw a priority order and depth - 1 or
// depth change points in [1, steps] from (seed, run).
Schedule plan_schedule(const ControlledSettings& settings, std::uint32_t threads,
                       std::uint64_t seed, std::uint32_t run, std::uint64_t steps);

}  // namespace logoffcheck
