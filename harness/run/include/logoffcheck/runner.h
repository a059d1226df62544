// logoffcheck/runner.h — choosing how cases are executed.
#pragma once

#include <cstdint>
#include <memory>

#include "logoffcheck/case.h"

namespace logoffcheck {

struct RunnerOptions {
  // Run each case in a child process, so that a crash, an exit or a hang in
  // the provider becomes an RC-3 violation instead of taking the verifier down.
  bool isolate = false;
  // With isolation: how long one call on the store may take before it counts
  // as a hang (RC-3).
  std::uint32_t timeout_ms = 5000;
};

// A runner for `provider` under `options`.
std::unique_ptr<CaseRunner> make_runner(Provider provider, const CaseOptions& case_options,
                                        const RunnerOptions& runner_options);

}  // namespace logoffcheck
