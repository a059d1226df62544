// logoffcheck/windows_runner.h — certifying a Windows MAPI store provider DLL
// under Wine (docs/windows-providers.md): the runner. Part of room
// harness/run.
//
// WindowsAgentRunner plays each case through a Windows agent
// (windows_agent.h, room harness/adapter) with the same CaseInterpreter and
// SimulatedSupport as every other runner: the store's calls on its
// IMAPISupport come back from the agent and are answered by the local
// SimulatedSupport, and judged like a native provider's. Faults in the DLL
// (an access violation or other unhandled exception, an escaping C++
// exception, ExitProcess, a hang) are RC-3 observations; the agent is then
// started again. make_runner (runner.h) picks this runner for a
// ProviderKind::windows_dll provider.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/windows_agent.h"

namespace logoffcheck {

class WindowsAgentRunner final : public CaseRunner {
 public:
  // Cases of the DLL at `dll_path` will run in a Windows agent under Wine; a
  // call on the store that has not returned after `timeout_ms` milliseconds
  // is observed as a hang (RC-3). Starts nothing yet: Wine is located (see
  // windows_agent.h for the environment) and the agent started with the
  // first case, and again only after a fault; the agent's bitness (x64 or
  // i686) is the DLL's. Every Logon opens its store on `profile`
  // (mapi_environment.h). Throws ConfigurationError when `timeout_ms` is 0.
  // With `sandbox`, the agent runs in the sandbox (WineSetup::sandbox).
  WindowsAgentRunner(std::string dll_path, CaseOptions options, std::uint32_t timeout_ms,
                     MapiProfile profile = MapiProfile::builtin(), bool sandbox = false);

  // Stops the agent.
  ~WindowsAgentRunner() override;

  WindowsAgentRunner(const WindowsAgentRunner&) = delete;
  WindowsAgentRunner& operator=(const WindowsAgentRunner&) = delete;

  // As CaseRunner::run. A fault during a call ends the case with that call's
  // observation: CallOutcome::threw for an unhandled Windows exception
  // (fault_text names it, e.g. "access violation reading 0x0", fault_detail
  // is its code) or an escaping C++ exception (fault_text: its what());
  // CallOutcome::exited for ExitProcess (the exit code); CallOutcome::hung
  // after the timeout. Throws ConfigurationError when Wine, its prefix or the
  // agent is missing or broken, when the DLL cannot be loaded, has no
  // MSProviderInit, or MSProviderInit or Logon fails or faults;
  // InternalError when the agent breaks the protocol.
  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override;

  // As CaseRunner::run_batch, up to 64 cases in one exchange with the agent
  // (WindowsAgent::play_batch): the agent plays every call of a case and
  // answers the support calls as SimulatedSupport would; each case is judged
  // by replaying what it reported through a SimulatedSupport and the
  // CaseInterpreter, so the results are run()'s. A case during which the
  // agent ended without saying where (ExitProcess, or no word by the
  // verifier's deadline) is played again alone, as run() plays it. With
  // LOGOFFCHECK_WINDOWS_BATCHES=off in the environment, every case is played
  // as run() plays it.
  using CaseRunner::run_batch;
  std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                        std::span<CaseResult> results) override;

  const CaseOptions& options() const noexcept override;

  // IMAPISupport methods logoffcheck does not offer that the stores called
  // (answered MAPI_E_NO_SUPPORT, never judged), by "IMAPISupport::Method",
  // with how often.
  const std::map<std::string, std::uint64_t>& unsupported_support_calls() const noexcept;

  // MSProviderInit and the first Logon that opened a store, with every call
  // they made, in order; empty before the first case.
  std::vector<LogonCall> logon_trace() const;

  // How many agents this runner started: 1 plus one per fault, so far.
  std::uint64_t agents_started() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace logoffcheck
