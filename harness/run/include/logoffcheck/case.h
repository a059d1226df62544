// Room harness/run (docs/architecture.md): playing one case against one
// store. The simulated support object (support.h), the runner interface
// (case.h) with its results (case_result.h, tally.h), the in-process runner
// (in_process.h), the isolating runner (isolation.h), the history runners
// (history.h) and the choice between runners (runner.h). Nothing here chooses
// which cases to run. The interpreter every runner shares is internal
// (src/case_interpreter.h).
//
// logoffcheck/case.h — the interface every runner offers: play a case (a
// sequence of steps) against a provider and the model side by side, step by
// step, and say what happened (case_result.h). The engine (engine.h) only
// ever talks to a CaseRunner.
#pragma once

#include <cstddef>
#include <span>

#include "logoffcheck/case_result.h"
#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace logoffcheck {

struct CaseOptions {
  Profile profile = Profile::deferred;
  // SHOULD clauses end a case too.
  bool strict = false;
};

class CaseRunner {
 public:
  virtual ~CaseRunner() = default;

  // Plays `steps` (skipping those caller_may refuses), then Releases every
  // reference the client still holds, judging each step; stops at the first
  // violation that ends a case, and never calls the store after it. Records
  // each step in `result.records` when `record` is true. `result` is reused
  // to spare allocations. Throws ConfigurationError when the provider gives
  // no store.
  virtual void run(std::span<const Step> steps, bool record, CaseResult& result) = 0;

  CaseResult run(std::span<const Step> steps, bool record = true) {
    CaseResult result;
    run(steps, record, result);
    return result;
  }

  // Plays `cases` in order, each as run(cases[i], record, results[i])
  // would, stopping after the first case that fails: the cases after it are
  // not played and their results are left as they were. Returns how many
  // cases were played. Requires results.size() >= cases.size(). A runner may
  // play the cases together (the isolating runner hands a batch to one worker
  // in one message); the results are those of run() all the same. The
  // default calls run() for each case.
  virtual std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                                std::span<CaseResult> results) {
    for (std::size_t index = 0; index < cases.size(); ++index) {
      run(cases[index], record, results[index]);
      if (results[index].failed()) return index + 1;
    }
    return cases.size();
  }

  // As above, without recording the steps (how certify plays its cases).
  std::size_t run_batch(std::span<const std::span<const Step>> cases,
                        std::span<CaseResult> results) {
    return run_batch(cases, false, results);
  }

  virtual const CaseOptions& options() const noexcept = 0;
};

}  // namespace logoffcheck
