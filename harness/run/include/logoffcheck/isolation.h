// logoffcheck/isolation.h — running cases in child processes, so that an
// untrusted provider that crashes, aborts, exits, hangs, floods its output,
// forks or eats memory becomes an RC-3 counterexample or a captured tail of
// output instead of a dead, stuck or flooded verifier (docs/isolation.md).
//
// The design is AFL's fork server in persistent mode. On the first case,
// the runner forks one long-lived child (the fork server), a copy of the
// verifier with the provider already loaded, which keeps workers forked
// ahead of time. A worker plays one case after another, each against a
// fresh store, publishing each call's Observation into memory shared with
// the verifier; the verifier replays the same case through its own
// CaseInterpreter, taking the published observations in order; where they
// stop, the worker's death is the observation of the call in progress
// (RC-3). A case that fails in a worker that had played earlier cases, or
// that killed its worker, is played again alone in a fresh worker that
// watches for threads after every call, for an exact verdict, so verdicts,
// tallies and records are those of one process per case.
#pragma once

#include <cstdint>
#include <memory>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"

namespace logoffcheck {

struct IsolationOptions {
  // A call that has not returned after this many milliseconds is killed and
  // observed as a hang (RC-3). At least 1.
  std::uint32_t timeout_ms = 5000;
  // How long a worker waits for threads a call (or a case) left running to
  // end; a crash or exit meanwhile is a late fault of that call (RC-3).
  std::uint32_t settle_ms = 100;
  // RLIMIT_AS of every worker in MiB, 0 for none; an allocation that fails
  // under it is CallOutcome::out_of_memory (RC-3).
  std::uint32_t memory_limit_mb = 0;
  // Whether the store's stdout and stderr go into CaseResult::provider_output
  // (true) or through to the verifier's own (false).
  bool capture_output = true;
  // Whether workers play cases in the sandbox (docs/isolation.md#the-sandbox):
  // no network, a file system read-only but for a scratch folder of the
  // runner's, and a PID namespace of their own. Where the machine cannot make
  // one (no unprivileged user namespaces), the first case throws
  // ConfigurationError naming what is missing.
  bool sandbox = false;
};

class IsolatingRunner final : public CaseRunner {
 public:
  // Cases of `provider` will run in child processes under `isolation`.
  // Starts no process yet: the fork server starts with the first case.
  // Throws ConfigurationError when `isolation.timeout_ms` is 0.
  IsolatingRunner(Provider provider, CaseOptions options, const IsolationOptions& isolation);

  // As above with the default IsolationOptions but `timeout_ms`.
  IsolatingRunner(Provider provider, CaseOptions options, std::uint32_t timeout_ms);

  // Stops the fork server; no process of this runner, nor any process a
  // store started, outlives it.
  ~IsolatingRunner() override;

  IsolatingRunner(const IsolatingRunner&) = delete;
  IsolatingRunner& operator=(const IsolatingRunner&) = delete;

  // As CaseRunner::run. The observation of a call during which the worker
  // died is CallOutcome::signaled (fault_detail: the signal) or
  // CallOutcome::exited (the exit status), with fault_after_return set when
  // it died while a thread the call left running was still there (within
  // settle_ms); one killed after the timeout is CallOutcome::hung (the
  // timeout in ms). Fills result.provider_output when output is captured.
  // Throws ConfigurationError when the provider gives no store, or faults
  // while opening it; InternalError when no fork server can be started or
  // it dies twice during one case.
  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override;

  // As CaseRunner::run_batch, handing up to 64 cases to a worker in one
  // message, which plays them in order, each against a fresh store, and
  // stops after one that fails. Each case is judged exactly as run() judges
  // it: a worker that died in a case is that case's fault (played again
  // alone as above), the cases after it are played by another worker; when
  // captured output cannot be told apart between the cases of a batch, each
  // is played again in a batch of its own.
  using CaseRunner::run_batch;
  std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                        std::span<CaseResult> results) override;

  const CaseOptions& options() const noexcept override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace logoffcheck
