// The verifier's side of the isolating runner (isolation.h) for sequential
// cases: handing batches of cases to the worker pool (worker_pool.h), and
// turning what the worker published, and how it ended, into each case's
// result.
#include "logoffcheck/isolation.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "case_interpreter.h"
#include "logoffcheck/errors.h"
#include "worker_pool.h"

namespace logoffcheck {

using namespace isolation;

struct IsolatingRunner::State {
  WorkerPool pool;
  CaseOptions options;
  IsolationOptions isolation;

  State(Provider provider, CaseOptions options_, const IsolationOptions& isolation_)
      : pool(std::move(provider), options_, isolation_), options(options_), isolation(isolation_) {}

  ChildEnd play_with_retry(std::span<const std::span<const Step>> cases, Command command) {
    return pool.play(command, [&](SharedCase& shared) {
      for (std::size_t slot = 0; slot < cases.size(); ++slot) {
        std::copy(cases[slot].begin(), cases[slot].end(), shared.steps(slot));
        shared.header(slot).reset(static_cast<std::uint32_t>(cases[slot].size()));
      }
      shared.batch().cases = static_cast<std::uint32_t>(cases.size());
    });
  }

  // Judges what the worker that ended as `end` published for `steps` in
  // slot `slot`.
  void judge(std::size_t slot, std::span<const Step> steps, const ChildEnd& end, bool record,
             CaseResult& result) {
    const SharedCase& shared = pool.shared();
    const SharedHeader& header = shared.header(slot);
    if (pool.reported_phase(header) == Phase::opening) pool.throw_open_failure(end, header);
    const std::uint32_t published =
        std::min<std::uint32_t>(header.observations.load(std::memory_order_acquire),
                                static_cast<std::uint32_t>(shared.observation_capacity()));
    // A worker that died while it waited for a call's threads died of them.
    const std::uint32_t settling = end.finished ? 0 : header.settling_after.load();
    const Observation* observations = shared.observations(slot);
    std::uint32_t next = 0;
    CaseInterpreter(options).run(
        steps, record, result,
        [&](const Step&, Observation& observed) {
          if (next < published) {
            std::memcpy(&observed, &observations[next++], sizeof(Observation));
            if (next == settling && observed.outcome == CallOutcome::returned) {
              observed = pool.late_fault(end, header);
            }
            return observed.outcome == CallOutcome::returned;
          }
          if (end.finished) {
            throw InternalError(
                "isolation: the child process ended its case before the verifier did");
          }
          observed = fault_observation(end, isolation, header);
          return false;
        },
        [](const Step&) {});
    // receive() drained the pipe: a worker writes its output before it says
    // the case is done, and one poll() sees both.
    if (const OutputCapture* capture = pool.capture()) {
      result.provider_output = capture->tail();
      result.provider_output_bytes = capture->bytes();
    }
  }

  // Plays `cases` (at most kBatchSlots) in one batch and judges them in
  // order into `results`, stopping after the first that fails; returns how
  // many were judged.
  std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                        std::span<CaseResult> results) {
    std::size_t longest = 0;
    for (const auto& steps : cases) longest = std::max(longest, steps.size());
    pool.ensure_capacity(longest);
    const ChildEnd end = play_with_retry(cases, Command::batched);
    if (cases.size() > 1 && pool.capture() != nullptr && pool.capture()->bytes() > 0) {
      // The pipe does not say which case wrote what: each case is played
      // again in a batch of its own, for the output of that case alone.
      pool.retire_player(end);
      return run_one_by_one(cases, record, results);
    }
    const std::uint32_t last = pool.shared().batch().current.load();
    // The worker went on after every case before the last it played.
    ChildEnd went_on;
    went_on.finished = true;
    for (std::uint32_t slot = 0; slot <= last && slot < cases.size(); ++slot) {
      const ChildEnd& slot_end = slot < last ? went_on : end;
      if (settle_case(slot, cases[slot], slot_end, end, record, results[slot])) continue;
      return slot + 1;
    }
    // A worker that died between two cases played no more of them.
    const std::size_t played = std::min<std::size_t>(last + 1, cases.size());
    if (played == cases.size()) return played;
    return played + run_batch(cases.subspan(played), record, results.subspan(played));
  }

  std::size_t run_one_by_one(std::span<const std::span<const Step>> cases, bool record,
                             std::span<CaseResult> results) {
    for (std::size_t index = 0; index < cases.size(); ++index) {
      if (run_batch(cases.subspan(index, 1), record, results.subspan(index, 1)) == 1 &&
          results[index].failed()) {
        return index + 1;
      }
    }
    return cases.size();
  }

  // Judges the case in slot `slot`, which ended as `slot_end` in a batch
  // that ended as `end`, into `result`; returns false when it failed.
  bool settle_case(std::size_t slot, std::span<const Step> steps, const ChildEnd& slot_end,
                   const ChildEnd& end, bool record, CaseResult& result) {
    const SharedHeader& header = pool.shared().header(slot);
    const bool fresh = header.fresh_player.load();
    const bool died = !slot_end.finished && !slot_end.killed_for_timeout;
    // A worker that had played cases may die opening a store of what an
    // earlier case left: only a fresh worker says the provider opens none.
    const bool opened = header.phase.load() != Phase::opening;
    if (opened || fresh) {
      judge(slot, steps, slot_end, record, result);
      if (!result.failed()) return true;
      pool.retire_player(end);
      // A hang is the store's whatever came before; one process, one case
      // gives the same verdict for everything else.
      if (slot_end.killed_for_timeout || (!died && fresh)) return false;
    }
    // Played alone in a fresh worker that watches every call, the case gets
    // the verdict and attribution of one process per case. Should it pass
    // there, the failure found stands: the store failed, if not every time.
    CaseResult alone;
    const std::span<const Step> alone_case[] = {steps};
    const ChildEnd alone_end = play_with_retry(alone_case, Command::alone);
    judge(0, steps, alone_end, record, alone);
    if (alone.failed()) pool.retire_player(alone_end);
    if (alone.failed() || !opened) result = std::move(alone);
    return !result.failed();
  }
};

IsolatingRunner::IsolatingRunner(Provider provider, CaseOptions options,
                                 const IsolationOptions& isolation) {
  if (isolation.timeout_ms == 0) {
    throw ConfigurationError("the per-call timeout must be at least 1 ms");
  }
  state_ = std::make_unique<State>(std::move(provider), options, isolation);
}

IsolatingRunner::IsolatingRunner(Provider provider, CaseOptions options, std::uint32_t timeout_ms)
    : IsolatingRunner(std::move(provider), options, IsolationOptions{.timeout_ms = timeout_ms}) {}

IsolatingRunner::~IsolatingRunner() = default;

void IsolatingRunner::run(std::span<const Step> steps, bool record, CaseResult& result) {
  const std::span<const Step> cases[] = {steps};
  state_->run_batch(cases, record, std::span<CaseResult>(&result, 1));
}

std::size_t IsolatingRunner::run_batch(std::span<const std::span<const Step>> cases, bool record,
                                       std::span<CaseResult> results) {
  std::size_t played = 0;
  while (played < cases.size()) {
    const std::size_t size = std::min(kBatchSlots, cases.size() - played);
    const std::size_t judged =
        state_->run_batch(cases.subspan(played, size), record, results.subspan(played, size));
    played += judged;
    if (results[played - 1].failed()) break;
  }
  return played;
}

const CaseOptions& IsolatingRunner::options() const noexcept { return state_->options; }

}  // namespace logoffcheck
