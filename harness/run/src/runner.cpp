#include "logoffcheck/runner.h"

#include "logoffcheck/in_process.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/sanitizers.h"
#include "logoffcheck/windows_runner.h"

namespace logoffcheck {

std::uint32_t default_memory_limit_mb() noexcept {
#if defined(LOGOFFCHECK_SHADOW_MEMORY)
  return 0;
#else
  return 1024;
#endif
}

IsolationOptions isolation_options(const RunnerOptions& options) {
  IsolationOptions isolation;
  isolation.timeout_ms = options.timeout_ms;
  isolation.settle_ms = options.settle_ms;
  isolation.memory_limit_mb = options.memory_limit_mb;
  isolation.capture_output = options.capture_output;
  isolation.sandbox = options.sandbox;
  return isolation;
}

std::unique_ptr<CaseRunner> make_runner(Provider provider, const CaseOptions& case_options,
                                        const RunnerOptions& runner_options) {
  // A Windows DLL always runs in its agent under Wine, isolated by nature.
  if (provider.kind() == ProviderKind::windows_dll) {
    return std::make_unique<WindowsAgentRunner>(
        provider.name(), case_options, runner_options.timeout_ms,
        runner_options.mapi_profile.value_or(MapiProfile::builtin()), runner_options.sandbox);
  }
  if (runner_options.mapi_profile) {
    throw ConfigurationError("--mapi-profile applies to Windows DLL providers only: '" +
                             provider.name() + "' is not one, and has no MAPI profile");
  }
  if (runner_options.isolate) {
    return std::make_unique<IsolatingRunner>(std::move(provider), case_options,
                                             isolation_options(runner_options));
  }
  return std::make_unique<InProcessRunner>(std::move(provider), case_options);
}

}  // namespace logoffcheck
