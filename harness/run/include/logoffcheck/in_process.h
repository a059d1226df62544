// logoffcheck/in_process.h — the runner that calls the provider in the
// verifier's own process: the fastest, and the least safe (isolation.h).
#pragma once

#include <span>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/case_result.h"
#include "logoffcheck/step.h"
#include "logoffcheck/tally.h"

namespace logoffcheck {

// Calls the provider in this process. A C++ exception escaping the provider
// is caught and reported as RC-3; a crash or hang takes the process with it
// (use an isolating runner for untrusted providers). A store whose case ends
// at a violation is abandoned, never released: it is leaked on purpose.
class InProcessRunner final : public CaseRunner {
 public:
  InProcessRunner(Provider provider, CaseOptions options)
      : provider_(std::move(provider)), options_(options) {}

  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override;
  const CaseOptions& options() const noexcept override { return options_; }

 private:
  Provider provider_;
  CaseOptions options_;
  StepTally step_tally_;
};

}  // namespace logoffcheck
