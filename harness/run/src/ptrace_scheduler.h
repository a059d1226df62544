// The controlled scheduler (schedule.h, docs/concurrency.md#controlled-
// schedules): a tracer that runs the threads of a child process that plays
// concurrent histories one at a time, single-stepping them inside the
// provider's code and letting everything else run unpreempted.
//
// The player in the child says where it is with markers (mark): system
// calls the kernel does not have, which return ENOSYS and which the tracer
// sees at their entry. A call's marker carries the address of the provider
// method it is about to enter (read from the store's vtable), where the
// tracer puts a breakpoint, so that the harness's own code between calls is
// never single-stepped. When a single-stepped call leaves the provider's
// code (into the C library, or the support object), a breakpoint at its
// return address takes the thread back under control. A breakpoint is in
// memory only while its thread runs, and is removed before any other thread
// runs, so that no thread ever executes one that is not its own; memory is
// read and written only through a stopped thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "code_map.h"
#include "logoffcheck/history.h"
#include "logoffcheck/schedule.h"

namespace logoffcheck::detail {

// Where the player is. The tracer holds a thread at every marker until it
// decides to let it go on.
enum class Marker : long {
  play_begin = 0,        // (run)
  threads_started = 1,   // the main thread created the threads; it waits until they end
  thread_ready = 2,      // (thread): a thread is about to make its first call
  before_call = 3,       // (thread, HistorySlot*, entry): a thread is about to call the store
  thread_done = 4,       // (thread)
  play_end = 5,          // (run)
  threads_starting = 6,  // the main thread is about to create the threads
};
// No Linux system call has such a number: the kernel answers ENOSYS.
inline constexpr long kMarkerBase = 0x10c0ff00;
constexpr long marker_number(Marker marker) noexcept {
  return kMarkerBase + static_cast<long>(marker);
}
void mark(Marker marker, std::uint64_t a = 0, std::uint64_t b = 0, std::uint64_t c = 0) noexcept;

// In the child, right after fork: asks to be traced by the parent and stops.
// False when this system forbids it (Yama, seccomp): the child must exit.
bool become_traced() noexcept;

// The hooks that make play_history a controlled play (history.h).
class MarkingHooks final : public PlayHooks {
 public:
  void thread_ready(std::uint32_t thread) override;
  void before_call(std::uint32_t thread, HistorySlot& slot, IMsgStore& store,
                   const Step& step) override;
  void thread_done(std::uint32_t thread) override;
  void threads_starting() override;
  void threads_started() override;
};

// What tracing a child found.
struct TraceResult {
  std::vector<Schedule> schedules;  // one per play that began
  int status = 0;                   // the child's wait status
  bool hung = false;                // killed: deadlock, livelock or the timeout
  bool deadlock = false;
  std::string hang;  // why, with the threads' positions
};

class PtraceScheduler {
 public:
  // The decisions for play `run`; `first_steps` is what play 0 of this
  // scheduler's first child took (0 before it ends).
  using Plan = std::function<Schedule(std::uint32_t run, std::uint64_t first_steps)>;

  PtraceScheduler(const CodeMap& code, ControlledSettings settings, std::uint32_t timeout_ms);

  // Traces `child` (stopped in become_traced) until it exits or is killed.
  // Plays are numbered from `first_run`. `first_steps` is kept across calls.
  TraceResult trace(pid_t child, std::uint32_t first_run, const Plan& plan);

  std::uint64_t first_steps() const noexcept { return first_steps_; }
  void reset_first_steps() noexcept { first_steps_ = 0; }

 private:
  const CodeMap& code_;
  ControlledSettings settings_;
  std::uint32_t timeout_ms_;
  std::uint64_t first_steps_ = 0;
};

}  // namespace logoffcheck::detail
