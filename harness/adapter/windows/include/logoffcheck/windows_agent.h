// logoffcheck/windows_agent.h — certifying a Windows MAPI store provider DLL
// under Wine (docs/windows-providers.md).
//
// A Windows provider is an x64 DLL exporting MSProviderInit, as MAPI loads
// it. The verifier cannot call it directly: a Windows agent
// (logoffcheck-agent.exe, built with mingw-w64) runs it under Wine, and
// WindowsAgentRunner is the CaseRunner that talks to the agent. The agent
// opens each case's store with IMSProvider::Logon and makes the client's
// calls through the store's real vtable; the store's calls on its
// IMAPISupport come back to the verifier and are answered by the same
// SimulatedSupport, and judged by the same CaseInterpreter, as a native
// provider's. Faults in the DLL (an access violation or other unhandled
// exception, an escaping C++ exception, ExitProcess, a hang) are RC-3
// observations; the agent is then started again.
//
// Configuration, read from the environment when a runner starts its agent:
//   LOGOFFCHECK_WINE           the Wine loader (default: /usr/lib/wine/wine64,
//                              else wine64 or wine on PATH)
//   LOGOFFCHECK_WINEPREFIX     the Wine prefix (default: $XDG_CACHE_HOME/logoffcheck/wine,
//                              else ~/.cache/logoffcheck/wine), created on first use
//   LOGOFFCHECK_WINDOWS_AGENT  the agent executable (default: the one this
//                              logoffcheck was built or installed with)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"

namespace logoffcheck {

// True when `path` names a Windows DLL (it ends in ".dll", in any case).
bool is_windows_provider_path(std::string_view path) noexcept;

// The Provider for a Windows DLL: its name is `path`. Throws
// ConfigurationError when there is no such file or it is not a Windows
// executable image. The DLL cannot be called in this process: its stores
// open only through a WindowsAgentRunner (make_runner picks one for it).
Provider windows_dll_provider(const std::string& path);

class WindowsAgentRunner final : public CaseRunner {
 public:
  // Cases of the DLL at `dll_path` will run in a Windows agent under Wine; a
  // call on the store that has not returned after `timeout_ms` milliseconds
  // is observed as a hang (RC-3). Starts nothing yet: the agent starts with
  // the first case, and again only after a fault. Throws ConfigurationError
  // when `timeout_ms` is 0.
  WindowsAgentRunner(std::string dll_path, CaseOptions options, std::uint32_t timeout_ms);

  // Stops the agent.
  ~WindowsAgentRunner() override;

  WindowsAgentRunner(const WindowsAgentRunner&) = delete;
  WindowsAgentRunner& operator=(const WindowsAgentRunner&) = delete;

  // As CaseRunner::run. A fault during a call ends the case with that call's
  // observation: CallOutcome::threw for an unhandled Windows exception
  // (fault_text names it, e.g. "access violation reading 0x0", fault_detail
  // is its code) or an escaping C++ exception; CallOutcome::exited for
  // ExitProcess (the exit code); CallOutcome::hung after the timeout.
  // Throws ConfigurationError when Wine, its prefix or the agent is missing
  // or broken, when the DLL cannot be loaded, has no MSProviderInit, or
  // MSProviderInit or Logon fails or faults; InternalError when the agent
  // breaks the protocol.
  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override;

  const CaseOptions& options() const noexcept override;

  // IMAPISupport methods beyond AddRef, Release and StoreLogoffTransports
  // that the stores called (answered MAPI_E_NO_SUPPORT, never judged), with
  // how often.
  const std::map<std::string, std::uint64_t>& unsupported_support_calls() const noexcept;

  // How many agents this runner started: 1 plus one per fault, so far.
  std::uint64_t agents_started() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace logoffcheck
