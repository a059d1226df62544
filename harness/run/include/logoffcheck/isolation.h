// logoffcheck/isolation.h — running cases in child processes, so that an
// untrusted provider that crashes, aborts, exits or hangs becomes an RC-3
// counterexample instead of a dead or stuck verifier.
//
// The design is AFL's fork server. On the first case, the runner forks one
// long-lived child (the fork server), a copy of the verifier with the
// provider already loaded. The server keeps a grandchild forked ahead of
// time; for each case, a waiting grandchild opens a fresh store and plays
// the case against it, publishing each call's Observation into memory shared
// with the verifier, and the server reports how every grandchild ended. The
// verifier then replays the same case through its own CaseInterpreter,
// taking the published observations in order; where they stop, the
// grandchild's death is the observation of the call in progress (RC-3).
// Both interpreters are the same deterministic code over the same
// observations, so verdicts, tallies and records are exactly those of an
// in-process run of a provider that does not fault.
#pragma once

#include <cstdint>
#include <memory>

#include "logoffcheck/case.h"

namespace logoffcheck {

class IsolatingRunner final : public CaseRunner {
 public:
  // Cases of `provider` will run in child processes; a call on the store
  // that has not returned after `timeout_ms` milliseconds is killed and
  // observed as a hang (RC-3). Starts no process yet: the fork server starts
  // with the first case. Throws ConfigurationError when `timeout_ms` is 0.
  IsolatingRunner(Provider provider, CaseOptions options, std::uint32_t timeout_ms);

  // Stops the fork server; no process of this runner outlives it.
  ~IsolatingRunner() override;

  IsolatingRunner(const IsolatingRunner&) = delete;
  IsolatingRunner& operator=(const IsolatingRunner&) = delete;

  // As CaseRunner::run. The observation of a call during which the
  // grandchild died is CallOutcome::signaled (fault_detail: the signal) or
  // CallOutcome::exited (the exit status); one killed after the timeout is
  // CallOutcome::hung (the timeout in ms). Throws ConfigurationError when the
  // provider gives no store, or faults while opening it; InternalError when
  // no fork server can be started or it dies twice during one case.
  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override;

  const CaseOptions& options() const noexcept override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace logoffcheck
