#include "logoffcheck/runner.h"

#include "logoffcheck/isolation.h"
#include "logoffcheck/windows_runner.h"

namespace logoffcheck {

std::unique_ptr<CaseRunner> make_runner(Provider provider, const CaseOptions& case_options,
                                        const RunnerOptions& runner_options) {
  // A Windows DLL always runs in its agent under Wine, isolated by nature.
  if (provider.kind() == ProviderKind::windows_dll) {
    return std::make_unique<WindowsAgentRunner>(provider.name(), case_options,
                                                runner_options.timeout_ms);
  }
  if (runner_options.isolate) {
    return std::make_unique<IsolatingRunner>(std::move(provider), case_options,
                                             runner_options.timeout_ms);
  }
  return std::make_unique<InProcessRunner>(std::move(provider), case_options);
}

}  // namespace logoffcheck
