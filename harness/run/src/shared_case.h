// Private to harness/run: what the isolating runner (isolation.cpp) and the
// processes it forks (fork_server.cpp) share. A batch of cases lives in
// memory mapped by the verifier and every process it forks, one slot per
// case: the steps to play and the observations of the calls made; short
// messages travel on a SOCK_SEQPACKET channel.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "case_interpreter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/history.h"

namespace logoffcheck::isolation {

// Steps and observations cross the process boundary as bytes.
static_assert(std::is_trivially_copyable_v<Step>);
static_assert(std::is_trivially_copyable_v<Observation>);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::atomic<pid_t>::is_always_lock_free);

// How far the worker got with the case; it only ever moves forward.
enum class Phase : std::uint32_t {
  opening,              // opening the store (logoffcheck_open_store)
  playing,              // the store is open; calls are being made
  finished,             // the whole case was played
  configuration_error,  // open_checked_store threw; `message` says why
  internal_error,       // the verifier's own code failed in the worker
};

// How the verifier asks a worker to play the cases in shared memory.
enum class Command : char {
  batched = 'B',  // in any worker, which plays the batch's cases in order,
                  // stopping after one that fails, and goes on to the next
                  // batch afterwards
  alone = 'A',    // only in a worker that has played no case yet, watching
                  // after every call for threads the store left running
  history = 'H',  // only in a worker that has played no case yet: the
                  // concurrent case of BatchHeader::history, `repeat`
                  // times, into the history slots; the worker then exits
};

// The most threads of a concurrent case that travels to a worker.
inline constexpr std::size_t kMaxSharedThreads = 64;

// A concurrent case in shared memory: its steps are slot 0's, the prefix
// first, then each thread's run in turn.
struct SharedHistory {
  std::uint32_t repeat = 0;
  std::uint64_t schedule_seed = 0;
  std::uint32_t prefix_steps = 0;
  std::uint32_t threads = 0;
  std::array<std::uint32_t, kMaxSharedThreads> thread_steps{};
  // History slots per run: run r's are [r * slots_per_run, (r + 1) * slots_per_run).
  std::uint32_t slots_per_run = 0;
};

// Which slots hold the batch, and which the worker is playing. A batch of
// one command costs one round trip between the verifier and a worker, not
// one per case.
struct BatchHeader {
  std::uint32_t cases = 1;  // slots 0..cases-1 hold the batch (alone: 1)
  // The slot the worker is playing; it only ever moves forward.
  std::atomic<std::uint32_t> current{0};
  // With Command::history: the case.
  SharedHistory history;
};

struct SharedHeader {
  std::atomic<Phase> phase{Phase::opening};
  // Observations published so far: one per client call that ended
  // (returned or threw) in the worker.
  std::atomic<std::uint32_t> observations{0};
  // The worker that took the case, 0 until one did.
  std::atomic<pid_t> player{0};
  // Whether that worker had played no case before this one.
  std::atomic<bool> fresh_player{false};
  // Nonzero while the worker waits for threads the store left running
  // after its call number `settling_after` (1-based) returned.
  std::atomic<std::uint32_t> settling_after{0};
  // When the last call returned (steady_clock nanoseconds: CLOCK_MONOTONIC,
  // the same clock in every process).
  std::atomic<std::int64_t> returned_at_ns{0};
  // An allocation failed under the memory limit during this case.
  std::atomic<bool> memory_exhausted{false};
  // The worker's address space in bytes when it died by a signal or exited
  // during the case (0: it did not, or it could not tell).
  std::atomic<std::uint64_t> address_space_at_fault{0};
  std::uint32_t step_count = 0;
  std::array<char, 512> message{};

  // Makes the header ready for a new case of `steps` steps.
  void reset(std::uint32_t steps) noexcept;
};

// The shared memory of a batch: a BatchHeader, then `slots` slots, each a
// case's header, room for its steps and room for its observations.
class SharedCase {
 public:
  // Maps room for `slots` cases of up to `step_capacity` steps each, and
  // for `history_capacity` history slots. Throws InternalError.
  SharedCase(std::size_t step_capacity, std::size_t slots, std::size_t history_capacity = 0);
  ~SharedCase();
  SharedCase(const SharedCase&) = delete;
  SharedCase& operator=(const SharedCase&) = delete;

  BatchHeader& batch() const noexcept;
  // Slot `slot` (below slots()).
  SharedHeader& header(std::size_t slot = 0) const noexcept;
  Step* steps(std::size_t slot = 0) const noexcept;
  Observation* observations(std::size_t slot = 0) const noexcept;
  std::size_t slots() const noexcept { return slots_; }
  std::size_t step_capacity() const noexcept { return step_capacity_; }
  // The history slots, all of them; reset_history_slots(n) makes the first n
  // ready for a new play.
  std::span<HistorySlot> history_slots() const noexcept;
  std::size_t history_capacity() const noexcept { return history_capacity_; }
  void reset_history_slots(std::size_t count) const noexcept;
  // A case makes at most one call per step plus one final Release per
  // reference: one per store it opens and one per AddRef.
  std::size_t observation_capacity() const noexcept { return 2 * step_capacity_ + kMaxStores; }

 private:
  std::byte* slot(std::size_t index) const noexcept;

  std::size_t step_capacity_;
  std::size_t slots_;
  std::size_t steps_offset_;         // within a slot
  std::size_t observations_offset_;  // within a slot
  std::size_t slot_size_;
  std::size_t history_capacity_;
  std::size_t history_offset_;
  std::size_t size_;
  std::byte* base_ = nullptr;
};

// One packet on the verifier's channel: packets from the server and its
// workers never mix.
struct Message {
  enum Kind : std::int32_t {
    case_done,       // a worker played its batch (or stopped at a violation)
    child_ended,     // the server reaped a worker; `value` is its wait status
    cannot_fork,     // the server cannot fork; `value` is errno
    declined,        // a worker that has played cases was asked to play one alone
    cannot_sandbox,  // the server cannot make the sandbox; `pid` is the
                     // SandboxStep (sandbox.h), `value` errno
  };
  Kind kind = case_done;
  pid_t pid = 0;
  std::int32_t value = 0;
};

// Sends one message; false when the other side is gone.
bool send_message(int channel, const Message& message) noexcept;

// What every worker of a runner does besides playing cases.
struct WorkerSettings {
  // Where the worker's stdout and stderr go; -1 leaves them as they are.
  int output = -1;
  // RLIMIT_AS of each worker in MiB; 0 for none.
  std::uint32_t memory_limit_mb = 0;
  // How long a worker waits for threads a call left running to end.
  std::uint32_t settle_ms = 100;
  // The server and its workers run in the sandbox (sandbox.h), whose
  // folder `scratch` alone is writable; null for none.
  const char* scratch = nullptr;
};

}  // namespace logoffcheck::isolation
