#include "logoffcheck/runner.h"

namespace logoffcheck {

std::unique_ptr<CaseRunner> make_runner(Provider provider, const CaseOptions& case_options,
                                        const RunnerOptions& runner_options) {
  // Process isolation arrives with the isolating runner; until then every
  // run is in-process.
  (void)runner_options;
  return std::make_unique<InProcessRunner>(std::move(provider), case_options);
}

}  // namespace logoffcheck
