// The child's side of the controlled scheduler (ptrace_scheduler.h): the
// markers the player's threads leave for the tracer.
#include <signal.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "ptrace_scheduler.h"

namespace logoffcheck::detail {

void mark(Marker marker, std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
  syscall(marker_number(marker), a, b, c);
}

bool become_traced() noexcept {
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) return false;
  raise(SIGSTOP);
  return true;
}

void MarkingHooks::thread_ready(std::uint32_t thread) { mark(Marker::thread_ready, thread); }

void MarkingHooks::before_call(std::uint32_t thread, HistorySlot& slot, IMsgStore& store,
                               const Step& step) {
  // The provider ABI's vtable (provider.h): AddRef, Release, StoreLogoff.
  const std::size_t method = step.action == Action::AddRef    ? 0
                             : step.action == Action::Release ? 1
                                                              : 2;
  void* const* vtable = *reinterpret_cast<void* const* const*>(&store);
  mark(Marker::before_call, thread, reinterpret_cast<std::uint64_t>(&slot),
       reinterpret_cast<std::uint64_t>(vtable[method]));
}

void MarkingHooks::thread_done(std::uint32_t thread) { mark(Marker::thread_done, thread); }

void MarkingHooks::threads_starting() { mark(Marker::threads_starting); }

void MarkingHooks::threads_started() { mark(Marker::threads_started); }

}  // namespace logoffcheck::detail
