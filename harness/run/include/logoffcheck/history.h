// logoffcheck/history.h — concurrent histories (clause RC-4): a case whose
// middle part is played by several client threads at once, and the history
// of calls, each with its thread and its interval in real time, that playing
// it leaves.
//
// A concurrent case is a value, like a sequential one: a sequential prefix
// (any steps, environment events included), one short run of client calls
// per thread, all threads released together by a barrier, and then the
// client's own final Releases. The caller rules of concurrency (docs/
// concurrency.md) are those of COM: a thread calls only through a reference
// it holds, and Releases only references it holds. A thread holds the
// references it AddRef'd itself and those the client handed it before the
// threads started; concurrent_case_valid says whether a case keeps to that.
// The store is not judged while a history is played; the linearizability
// checker (harness/search) judges the finished history against the model.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/schedule.h"

namespace logoffcheck {

class SimulatedSupport;

struct ConcurrentCase {
  // Played first, by the client alone. Steps caller_may refuses are skipped.
  std::vector<Step> prefix;
  // One run of client calls (AddRef, Release, StoreLogoff) per thread.
  std::vector<std::vector<Step>> threads;

  friend bool operator==(const ConcurrentCase&, const ConcurrentCase&) = default;
};

// The most calls one history may hold (prefix, threads and final Releases);
// the generator and shrinking stay well below it.
inline constexpr std::size_t kMaxHistoryCalls = 256;
// The most calls the threads of one case may make together: the checker
// tracks which of them are linearized in one 64-bit set.
inline constexpr std::size_t kMaxConcurrentCalls = 48;

// The prefix with the steps caller_may refuses removed, cut before a Release
// that would take the count to zero, and the model's state after it.
struct PlayedPrefix {
  std::vector<Step> steps;
  State after;
};
PlayedPrefix play_prefix(Profile profile, std::span<const Step> prefix);

// References thread `steps` needs from the client before it starts: the
// most its Releases ever outnumber its own AddRefs.
ULONG references_handed_over(std::span<const Step> steps) noexcept;

// True when `c` keeps the caller rules of concurrency under `profile`: the
// threads make only client calls; together they are handed no more
// references than the client holds after the prefix; if they are handed all
// of them, every thread is handed at least one and keeps one until its last
// call, so that only the very last Release takes the count to zero; under
// the eager profile no thread makes a valid StoreLogoff (whether its answer
// lets the others go on is known only once it returned), and after a
// LOGOFF_COMPLETE in the prefix threads only Release. Also bounds the size
// (kMaxConcurrentCalls).
bool concurrent_case_valid(const ConcurrentCase& c, Profile profile);

// The Releases the client makes after the threads joined: every reference it
// kept. 0 when the threads were handed them all and raced to zero.
ULONG final_releases(const ConcurrentCase& c, Profile profile);

// Who made a call: the client alone (prefix and final Releases) or a thread.
inline constexpr std::uint32_t kClientThread = 0xffffffffu;

// One call (or environment event) of a played history.
struct HistoryCall {
  std::uint32_t thread = kClientThread;  // 0-based thread, or kClientThread
  Step step;
  Observation observed;
  // Ticks of one clock shared by every thread: taken just before the call
  // and just after it returned. A call with responded < another's invoked
  // came first in real time.
  std::uint64_t invoked = 0;
  std::uint64_t responded = 0;
  // The call returned (or the event happened). False for the call in
  // progress when the process died or hung: its observation says how.
  bool completed = true;
  // Controlled schedules: how often the scheduler switched away from the
  // thread while it was inside this call.
  std::uint16_t preemptions = 0;

  friend bool operator==(const HistoryCall&, const HistoryCall&) = default;
};

struct History {
  // The prefix as played, the threads' calls in the order they were
  // invoked, then the final Releases. Calls that never began are absent.
  std::vector<HistoryCall> calls;
  // calls[0, prefix_length) are the prefix.
  std::size_t prefix_length = 0;
  // Played in a worker process with captured output (docs/isolation.md):
  // the end of what the store wrote while the worker played this history's
  // case (all its `repeat` runs together), as CaseResult keeps it, and how
  // many bytes it wrote in all. Empty and 0 otherwise.
  std::string provider_output;
  std::uint64_t provider_output_bytes = 0;
  // A controlled play's schedule (schedule.h); absent for free threads.
  std::optional<Schedule> schedule;
  // A controlled play that hung: why (a deadlock, with the threads' positions).
  std::string hang;
};

class PlayHooks;

// How a history is played.
struct PlayOptions {
  // Schedule perturbation: each thread spins up to this many iterations at
  // its start and between its calls, and the support object yields now and
  // then, with amounts drawn from `schedule_seed`. Races need the threads to
  // interleave differently from run to run.
  std::uint32_t max_spin = 2000;
  std::uint64_t schedule_seed = 0;
  // A controlled play (schedule.h): the threads start without a barrier or
  // perturbation and tell the scheduler where they are through these.
  PlayHooks* hooks = nullptr;
};

// A slot of a history being played: written by the thread that makes the
// call, read once every thread has joined (or, across processes, by the
// verifier after the player died). Plain data so that it can live in memory
// shared with a child process.
struct HistorySlot {
  std::atomic<std::uint32_t> phase{0};  // 0 not begun, 1 invoked, 2 responded
  HistoryCall call;
};

// Where a controlled play's threads are (PlayOptions::hooks): called on the
// thread named, the scheduler outside the process decides when it goes on.
class PlayHooks {
 public:
  virtual ~PlayHooks() = default;
  virtual void thread_ready(std::uint32_t thread) = 0;
  virtual void before_call(std::uint32_t thread, HistorySlot& slot, IMsgStore& store,
                           const Step& step) = 0;
  virtual void thread_done(std::uint32_t thread) = 0;
  // On the main thread, before it creates the threads and once it created
  // them all.
  virtual void threads_starting() = 0;
  virtual void threads_started() = 0;
};

// The slots a case needs: one per prefix step, thread call and final Release.
std::size_t history_slots(const ConcurrentCase& c, Profile profile);

// Plays `c` against `store` on `support` into `slots` (history_slots(c) of
// them, zero-initialised): the prefix on this thread, then one std::thread
// per run of calls behind a barrier, then the final Releases. Never judges,
// so a broken store may be called after it destroyed itself: only play a
// store you trust in this process (PlayingRunner isolates the others).
void play_history(IMsgStore& store, SimulatedSupport& support, const ConcurrentCase& c,
                  Profile profile, const PlayOptions& options, std::span<HistorySlot> slots);

// The history the slots hold: every begun call, ordered as described above.
History collect_history(std::span<const HistorySlot> slots, std::size_t prefix_length);

// Plays concurrent cases. Each play opens a fresh store.
class HistoryRunner {
 public:
  virtual ~HistoryRunner() = default;

  // Plays `c` `repeat` times, each on a fresh store with its own schedule
  // perturbation (`schedule_seed` + run), and returns the histories.
  // Requires concurrent_case_valid(c, options().profile) (throws
  // std::invalid_argument otherwise).
  virtual std::vector<History> play(const ConcurrentCase& c, std::uint32_t repeat,
                                    std::uint64_t schedule_seed) = 0;

  // Plays `c` once under each of `schedules`' decisions exactly (a
  // controlled runner), one history per schedule, each holding the schedule
  // as played. Other runners throw ConfigurationError.
  virtual std::vector<History> play_schedules(const ConcurrentCase& c,
                                              std::span<const Schedule> schedules);

  // True when plays are controlled schedules (a play is a function of the
  // case and its schedule).
  virtual bool controlled() const noexcept { return false; }

  virtual const CaseOptions& options() const noexcept = 0;
};

// Plays in this process: for stores that are trusted not to crash (the
// reference stores, tests and benchmarks under ThreadSanitizer).
std::unique_ptr<HistoryRunner> make_in_process_history_runner(Provider provider,
                                                              CaseOptions options);

struct IsolationOptions;

// Plays each case in a fresh worker of the isolating runner's fork server
// (isolation.h): the process tree, the memory limit, captured output, the
// settle time and late faults as for sequential cases. The worker publishes
// each call into memory shared with the verifier as it happens; when it
// dies or a call does not return within the timeout, the calls in progress
// are observed as signaled, exited, hung or out of memory (RC-3); a death
// while it waited for threads a run left running (within settle_ms) is the
// late fault of that run's last call. A worker that ran out of memory plays
// no more runs of its case. Throws ConfigurationError when the provider
// gives no store.
std::unique_ptr<HistoryRunner> make_isolated_history_runner(Provider provider, CaseOptions options,
                                                            const IsolationOptions& isolation);

// As above with the default IsolationOptions but `timeout_ms`.
std::unique_ptr<HistoryRunner> make_isolated_history_runner(Provider provider, CaseOptions options,
                                                            std::uint32_t timeout_ms);

// Plays in a child process traced by the controlled scheduler (schedule.h):
// one thread at a time, switching only where the schedule says, inside the
// provider's code. Play r of play(c, repeat, seed) is plan_schedule(settings,
// threads, seed, r, steps of play 0). A deadlock or livelock is observed as
// hung (RC-3) at once, with the threads' positions in History::hang; a call
// that does not return within `timeout_ms` too. Throws ConfigurationError
// when the provider's code cannot be told apart from the verifier's
// (CodeMap) or the machine cannot trace (not x86-64 Linux).
std::unique_ptr<HistoryRunner> make_controlled_history_runner(Provider provider,
                                                              CaseOptions options,
                                                              std::uint32_t timeout_ms,
                                                              ControlledSettings settings = {});

}  // namespace logoffcheck
