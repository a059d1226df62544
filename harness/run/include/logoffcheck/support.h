// logoffcheck/support.h — the simulated MAPI support object.
//
// SimulatedSupport is the IMAPISupport a store under test receives. Its
// StoreLogoffTransports plays the MAPI spooler over the transport environment
// exactly as the model's spooler_store_logoff_transports does (SP-1..SP-7). It
// counts the references the store holds, notices calls the store makes while
// holding none (RC-2), and records every call into the Observation of the
// step in progress.
//
// It is safe to call from several threads at once (concurrent histories,
// RC-4): its state is guarded by a mutex, and a call is recorded into the
// observation of the client call in progress on the calling thread
// (begin_thread_step), so every observation belongs to one call.
#pragma once

#include <mutex>

#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"
#include "logoffcheck/provider.h"

namespace logoffcheck {

class SimulatedSupport final : public IMAPISupport {
 public:
  // Who calls the store: one client thread (a sequential case), or several
  // at once (a concurrent history, RC-4), when the state is guarded by a
  // mutex. Sequential cases do without it: it would be a lock per call.
  enum class Callers : std::uint8_t { one_thread, threads };

  explicit SimulatedSupport(const Environment& environment = {},
                            Callers callers = Callers::one_thread) noexcept
      : environment_(environment), guarded_(callers == Callers::threads) {}
  SimulatedSupport(const SimulatedSupport&) = delete;
  SimulatedSupport& operator=(const SimulatedSupport&) = delete;
  ~SimulatedSupport() = default;

  // --- IMAPISupport, called by the store ---
  ULONG AddRef() override;
  ULONG Release() override;
  HRESULT StoreLogoffTransports(ULONG* lpulFlags) override;

  // --- The verifier's side ---

  // The store's creating call (logoffcheck_open_store) has returned: from
  // now on a call made while holding no reference breaks RC-2.
  void end_creation() noexcept { creating_ = false; }

  // Record the store's calls into `observation` until end_step().
  void begin_step(Observation& observation) noexcept { recording_ = &observation; }
  void end_step() noexcept;

  // Concurrent histories: record the calls the calling thread makes into
  // `observation` until end_thread_step() on the same thread. Takes
  // precedence over begin_step for that thread. The observation's
  // support_references_after counts the references held when the call began
  // and those the call itself took and gave back, not another thread's.
  void begin_thread_step(Observation& observation) noexcept;
  void end_thread_step() noexcept;

  // An environment event between client calls.
  void apply_environment_event(Action action) noexcept {
    const auto lock = guard();
    environment_ = logoffcheck::apply_environment_event(environment_, action);
  }

  Environment environment() const noexcept {
    const auto lock = guard();
    return environment_;
  }

  // References the store holds now. Never negative: a Release without a
  // reference is counted as an unreferenced call instead.
  ULONG store_references() const noexcept {
    const auto lock = guard();
    return store_references_;
  }

 private:
  // Notes a call made while the store held no reference (RC-2); returns true
  // when the call is such a call.
  bool unreferenced(SupportMethod method) noexcept;

  // Where a call from this thread is recorded: its own step's observation in
  // a concurrent history, else the sequential step's. Requires mutex_.
  Observation* recording() const noexcept;

  // A lock on mutex_ when several threads call, else no lock.
  std::unique_lock<std::mutex> guard() const noexcept {
    return guarded_ ? std::unique_lock(mutex_) : std::unique_lock<std::mutex>();
  }

  mutable std::mutex mutex_;
  Environment environment_;
  ULONG store_references_ = 0;
  bool creating_ = true;
  Observation* recording_ = nullptr;
  const bool guarded_;
};

}  // namespace logoffcheck
