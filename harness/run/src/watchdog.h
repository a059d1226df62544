// A watchdog for the controlled scheduler's tracer (ptrace_scheduler.cpp).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace logoffcheck::detail {

// Kills the child when the tracer saw no event for the timeout: a thread
// that runs forever outside the provider's code, or waits in a system call
// no other thread can end.
class Watchdog {
 public:
  Watchdog(pid_t child, std::uint32_t timeout_ms) : child_(child), timeout_ms_(timeout_ms) {
    thread_ = std::thread([this] { watch(); });
  }
  ~Watchdog() {
    done_ = true;
    thread_.join();
  }
  void progressed() noexcept { events_.fetch_add(1, std::memory_order_relaxed); }
  bool fired() const noexcept { return fired_; }

 private:
  void watch() {
    std::uint64_t seen = events_;
    auto last = std::chrono::steady_clock::now();
    while (!done_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const std::uint64_t now = events_;
      if (now != seen) {
        seen = now;
        last = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last > std::chrono::milliseconds(timeout_ms_)) {
        fired_ = true;
        kill(child_, SIGKILL);
        return;
      }
    }
  }
  pid_t child_;
  std::uint32_t timeout_ms_;
  std::atomic<std::uint64_t> events_{0};
  std::atomic<bool> done_{false};
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

}  // namespace logoffcheck::detail
