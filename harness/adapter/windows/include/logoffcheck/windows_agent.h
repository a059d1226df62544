// logoffcheck/windows_agent.h — the Windows agent: how the verifier reaches
// the stores of a Windows MAPI store provider DLL, under Wine
// (docs/windows-providers.md). Part of room harness/adapter.
//
// A Windows provider is an x64 or i686 DLL exporting MSProviderInit, as MAPI
// loads it. The verifier cannot call it directly: a Windows program, the agent
// (logoffcheck-agent.exe, built with mingw-w64 from windows/agent/), runs it
// under Wine. WindowsAgent starts one and speaks its pipe protocol: the agent
// opens a store with IMSProvider::Logon and makes each client call through
// the store's real vtable, and while a call is in progress the store's calls
// on its IMAPISupport come back and are answered by the IMAPISupport the
// verifier passes in. AgentStore wraps that as an IMsgStore. Playing cases
// with it, and judging faults, is room harness/run's WindowsAgentRunner
// (windows_runner.h).
//
// Configuration, read from the environment by WineSetup::locate:
//   LOGOFFCHECK_WINE           the Wine loader for x64 DLLs (default:
//                              /usr/lib/wine/wine64, else wine64 or wine on PATH)
//   LOGOFFCHECK_WINE32         the Wine loader for 32-bit DLLs (default:
//                              /usr/lib/wine/wine, else wine on PATH)
//   LOGOFFCHECK_WINEPREFIX     the Wine prefix (default: $XDG_CACHE_HOME/logoffcheck/wine,
//                              else ~/.cache/logoffcheck/wine), created on first use
//   LOGOFFCHECK_WINDOWS_AGENT  the x64 agent executable (default: the one this
//                              logoffcheck was built or installed with)
//   LOGOFFCHECK_WINDOWS_AGENT32  the i686 agent, for 32-bit DLLs (likewise)
//
// Batched cases (WindowsAgent::play_batch): the agent plays many cases in one
// exchange, answering the support calls itself as SimulatedSupport would, and
// reports what happened (AgentCase) for the verifier to replay and judge.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "logoffcheck/adapter.h"
#include "logoffcheck/mapi_environment.h"
#include "logoffcheck/step.h"

namespace logoffcheck {

namespace windows_agent {
class AgentProcess;  // one agent process and its pipe protocol (internal)
}  // namespace windows_agent

// True when `path` names a Windows DLL (it ends in ".dll", in any case).
bool is_windows_provider_path(std::string_view path) noexcept;

// 64 for an x64 DLL, 32 for an i686 one, read from its PE header. Throws
// ConfigurationError naming the problem for a file that is neither.
int windows_dll_bits(const std::filesystem::path& dll);

// Where Wine, its prefix and the agent for one bitness are.
struct WineSetup {
  std::filesystem::path wine;    // the Wine loader
  std::filesystem::path prefix;  // the Wine prefix (one for both bitnesses)
  std::filesystem::path agent;   // logoffcheck-agent.exe, or logoffcheck-agent32.exe
  int bits = 64;
  // Whether agents run in the sandbox (logoffcheck/sandbox.h): no network,
  // nothing writable but the prefix; no PID namespace of their own (the
  // Wine server, which they share, runs outside it).
  bool sandbox = false;

  // Finds all three for DLLs of `bits` (64 or 32; environment first, see
  // above) and creates the prefix when it does not exist yet (wineboot, once
  // per user: concurrent callers wait on a lock). Throws ConfigurationError
  // saying what to install or set when Wine or the agent is missing or the
  // prefix cannot be created.
  static WineSetup locate(int bits = 64);
};

// What the agents of a runner have recorded of the provider's calls.
struct AgentLog {
  // IMAPISupport (and IProfSect) methods answered MAPI_E_NO_SUPPORT, by
  // "IMAPISupport::Method", with how often.
  std::map<std::string, std::uint64_t> unsupported;
  // MSProviderInit and its calls, of the first agent started.
  std::vector<LogonCall> provider_init;
  // The first IMSProvider::Logon that opened a store, with every call it made.
  std::vector<LogonCall> first_logon;
};

// How an agent ended during a request, in the agent's terms (room
// harness/run turns it into an observation).
struct AgentFault {
  enum class Kind : std::uint8_t {
    windows_exception,  // an unhandled Windows exception: detail = its code
    cpp_exception,      // a C++ exception escaped the DLL: detail = 0
    exited,             // the process exited (ExitProcess): detail = the exit code
    killed,             // the process died by a signal: detail = the signal
    hung,               // no answer within the timeout: detail = the timeout in ms
  };
  Kind kind = Kind::windows_exception;
  std::int32_t detail = 0;
  // "access violation reading 0x0", a C++ exception's what(), "exit code 3".
  std::string text;
};

// One client call the agent makes on its store.
enum class AgentCall : std::uint8_t { add_ref, release, store_logoff };

// What a call that returned gave back.
struct AgentReturn {
  std::uint32_t value = 0;  // the ULONG count or the HRESULT returned
  std::uint32_t flags = 0;  // *lpulFlags after StoreLogoff
};

// A support call the agent answered itself in a batch, as SimulatedSupport
// would have.
struct AgentSupportCall {
  enum class Method : std::uint8_t { add_ref, release, store_logoff_transports };
  Method method = Method::add_ref;
  bool null_flags = false;      // StoreLogoffTransports(NULL)
  std::uint32_t flags_in = 0;   // *lpulFlags in
  std::uint32_t value = 0;      // the count or HRESULT it answered
  std::uint32_t flags_out = 0;  // *lpulFlags it gave back
};

// A client call of a batched case, as the agent made it.
struct AgentCallRecord {
  // Its support calls: AgentCase::support[first_support, + support_count).
  std::uint32_t first_support = 0;
  std::uint32_t support_count = 0;
  // It did not return: the case's fault ended it.
  bool faulted = false;
  AgentReturn returned;
};

// What the agent reported of one case of a batch.
struct AgentCase {
  bool opened = false;              // Logon opened a store
  std::uint32_t logon_support = 0;  // the first support calls were Logon's
  std::vector<AgentSupportCall> support;
  std::vector<AgentCallRecord> calls;  // the client calls made, in order
  // How the agent ended during the case: in the last of `calls` (faulted),
  // or during Logon (not opened); when `lost`, somewhere in the case, unsaid
  // (it exited, was killed, or went past the verifier's deadline before it
  // wrote the case's messages).
  std::optional<AgentFault> fault;
  bool lost = false;
};

// Cases in one WindowsAgent::play_batch, at most.
inline constexpr std::size_t kAgentBatchCases = 64;

// One running agent process on one DLL. Not thread-safe; one request at a
// time. After a fault it is dead (alive() is false) and a new one must be
// started.
class WindowsAgent {
 public:
  // Starts the agent on the DLL at `dll` (an absolute path) under `setup`,
  // waits until it has loaded the DLL and called MSProviderInit, and gives
  // it `profile`. `name` names the provider in error messages. The calls the
  // provider makes are recorded into `log` (which must outlive the agent).
  // Throws ConfigurationError when Wine or the agent fails to start, the DLL
  // cannot be loaded (a missing dependency), has no MSProviderInit, or
  // MSProviderInit fails; InternalError when the agent speaks another
  // protocol.
  WindowsAgent(const WineSetup& setup, const std::filesystem::path& dll, const std::string& name,
               const MapiProfile& profile, AgentLog& log);

  // Asks the agent to quit, and kills it if it does not.
  ~WindowsAgent();

  WindowsAgent(const WindowsAgent&) = delete;
  WindowsAgent& operator=(const WindowsAgent&) = delete;

  bool alive() const noexcept;

  // Opens a fresh store (IMSProvider::Logon on a fresh support object in the
  // agent, whose calls `support` answers). Returns the fault when the agent
  // died during Logon (allowed max(timeout_ms, 10 s)), nothing when a store is
  // open. Throws ConfigurationError when Logon failed or gave no store,
  // naming the support call that failed before it and listing its calls.
  std::optional<AgentFault> open_store(IMAPISupport& support, std::uint32_t timeout_ms);

  // Makes `call` on the open store, with `*lpulFlags` in (nullptr: a NULL
  // lpulFlags) for StoreLogoff; the store's support calls meanwhile are
  // answered by `support`. Returns what the call returned, or the fault that
  // ended the agent (no answer within `timeout_ms`: AgentFault::Kind::hung).
  // Throws InternalError when the agent breaks the protocol.
  std::variant<AgentReturn, AgentFault> call(AgentCall call, const ULONG* lpulFlags,
                                             IMAPISupport& support, std::uint32_t timeout_ms);

  // Plays `cases` (at most kAgentBatchCases) in one exchange, each on a fresh store, its
  // steps (client calls and environment events) all made in order; the
  // agent answers the support calls as a SimulatedSupport would and times
  // each call (`timeout_ms`; Logon max(timeout_ms, 10 s)). Fills `results`
  // in order and returns how many it filled: all, or up to the case during
  // which the agent ended (whose fault says how; the agent is then dead).
  // Throws ConfigurationError when a Logon failed or gave no store, as
  // open_store does; InternalError when the agent breaks the protocol.
  std::size_t play_batch(std::span<const std::span<const Step>> cases, std::uint32_t timeout_ms,
                         std::span<AgentCase> results);

 private:
  std::unique_ptr<windows_agent::AgentProcess> process_;
  std::string name_;
  AgentLog& log_;
};

// The store an agent has open, as an IMsgStore: each call is a request to
// the agent. A call during which the agent faulted throws AgentStore::Fault
// (the interpreter's call_store records a throw) and fault() says what
// happened; the store must not be called again.
class AgentStore final : public IMsgStore {
 public:
  struct Fault : std::exception {
    const char* what() const noexcept override { return "the Windows agent faulted"; }
  };

  // `agent` has a store open; `support` answers its support calls.
  AgentStore(WindowsAgent& agent, IMAPISupport& support, std::uint32_t timeout_ms)
      : agent_(agent), support_(support), timeout_ms_(timeout_ms) {}

  ULONG AddRef() override;
  ULONG Release() override;
  HRESULT StoreLogoff(ULONG* lpulFlags) override;

  // The fault that ended the last call, if one did.
  const std::optional<AgentFault>& fault() const noexcept { return fault_; }

 private:
  AgentReturn call(AgentCall call, const ULONG* lpulFlags);

  WindowsAgent& agent_;
  IMAPISupport& support_;
  std::uint32_t timeout_ms_;
  std::optional<AgentFault> fault_;
};

}  // namespace logoffcheck
