// The verifier's side of the Windows agent: starts logoffcheck-agent.exe
// under Wine, and plays cases through it with the same CaseInterpreter and
// SimulatedSupport as every other runner. The store the interpreter calls
// is a proxy (AgentStore) whose calls are requests to the agent; while one
// is in progress, the store's own calls on its support object come back as
// requests and are answered by the local SimulatedSupport.
#include "logoffcheck/windows_agent.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <variant>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "../protocol/agent_protocol.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/support.h"

namespace logoffcheck {

namespace {

namespace fs = std::filesystem;
using namespace windows_agent;
using Clock = std::chrono::steady_clock;

// Starting Wine and the agent (and MSProviderInit) may take this long; a
// prefix being created takes longer, and has its own bound.
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kPrefixTimeout = std::chrono::seconds(180);

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool executable(const fs::path& path) {
  return ::access(path.c_str(), X_OK) == 0 && fs::is_regular_file(path);
}

std::optional<fs::path> on_path(std::string_view name) {
  const std::string path = environment("PATH");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const fs::path candidate = fs::path(path.substr(start, end - start)) / name;
    if (end > start && executable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

constexpr std::string_view kInstallWine =
    "certifying a Windows DLL needs Wine (64-bit): on Debian, apt-get install wine wine64 "
    "(scripts/setup does), or point LOGOFFCHECK_WINE at a Wine loader";

fs::path find_wine() {
  if (const std::string chosen = environment("LOGOFFCHECK_WINE"); !chosen.empty()) {
    if (!executable(chosen)) {
      throw ConfigurationError("LOGOFFCHECK_WINE=" + chosen + " is not an executable; " +
                               std::string(kInstallWine));
    }
    return chosen;
  }
  if (executable("/usr/lib/wine/wine64")) return "/usr/lib/wine/wine64";
  for (const std::string_view name : {"wine64", "wine"}) {
    if (auto found = on_path(name)) return *found;
  }
  throw ConfigurationError("Wine is not installed: " + std::string(kInstallWine));
}

fs::path find_agent() {
  if (const std::string chosen = environment("LOGOFFCHECK_WINDOWS_AGENT"); !chosen.empty()) {
    if (!fs::is_regular_file(chosen)) {
      throw ConfigurationError("LOGOFFCHECK_WINDOWS_AGENT=" + chosen + ": no such file");
    }
    return chosen;
  }
  std::vector<fs::path> candidates;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(self.parent_path() / "logoffcheck-agent.exe");
    candidates.push_back(self.parent_path().parent_path() / "lib" / "logoffcheck" /
                         "logoffcheck-agent.exe");
  }
#ifdef LOGOFFCHECK_WINDOWS_AGENT_PATH
  candidates.emplace_back(LOGOFFCHECK_WINDOWS_AGENT_PATH);
#endif
  for (const fs::path& candidate : candidates) {
    if (fs::is_regular_file(candidate, error)) return candidate;
  }
  throw ConfigurationError(
      "the Windows agent (logoffcheck-agent.exe) was not built: install the mingw-w64 "
      "cross compiler (Debian: apt-get install g++-mingw-w64-x86-64, or run scripts/setup) "
      "and rebuild logoffcheck, or point LOGOFFCHECK_WINDOWS_AGENT at the agent");
}

fs::path prefix_path() {
  if (const std::string chosen = environment("LOGOFFCHECK_WINEPREFIX"); !chosen.empty()) {
    return chosen;
  }
  if (const std::string cache = environment("XDG_CACHE_HOME"); !cache.empty()) {
    return fs::path(cache) / "logoffcheck" / "wine";
  }
  const std::string home = environment("HOME");
  if (home.empty()) {
    throw ConfigurationError(
        "no place for the Wine prefix: set LOGOFFCHECK_WINEPREFIX, XDG_CACHE_HOME or HOME");
  }
  return fs::path(home) / ".cache" / "logoffcheck" / "wine";
}

// The environment Wine runs in: quiet, this prefix, and no offer to install
// Mono or Gecko (a prefix for MAPI stores needs neither).
std::vector<std::string> wine_environment(const fs::path& wine, const fs::path& prefix) {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("WINEPREFIX=") || text.starts_with("WINEDEBUG=") ||
        text.starts_with("WINEDLLOVERRIDES=") || text.starts_with("WINELOADER=") ||
        text.starts_with("DISPLAY=") || text.starts_with("WAYLAND_DISPLAY=")) {
      continue;
    }
    variables.emplace_back(text);
  }
  variables.push_back("WINEPREFIX=" + prefix.string());
  variables.push_back("WINEDEBUG=-all");
  variables.push_back("WINEDLLOVERRIDES=mscoree,mshtml=");
  variables.push_back("WINELOADER=" + wine.string());
  return variables;
}

// An anonymous file for a process's stderr: read when it fails, else dropped.
int stderr_file() {
  FILE* file = std::tmpfile();
  if (file == nullptr) throw InternalError("windows agent: cannot create a temporary file");
  const int fd = ::dup(fileno(file));
  std::fclose(file);
  return fd;
}

std::string tail_of(int fd) {
  std::string text;
  char buffer[4096];
  ::lseek(fd, 0, SEEK_SET);
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text;
}

// Starts `argv` with the given environment, stdin and stdout, and stderr
// into `error_fd`. The child dies with the verifier.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            int stdin_fd, int stdout_fd, int error_fd) {
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  std::vector<char*> variables;
  for (const std::string& variable : env) variables.push_back(const_cast<char*>(variable.c_str()));
  variables.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw InternalError(std::string("windows agent: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(stdin_fd, 0);
    ::dup2(stdout_fd, 1);
    ::dup2(error_fd, 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execve(arguments[0], arguments.data(), variables.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for(pid_t pid, Clock::time_point deadline) {
  int status = 0;
  for (;;) {
    const pid_t ended = ::waitpid(pid, &status, WNOHANG);
    if (ended == pid) return status;
    if (ended < 0 && errno != EINTR) return 0;
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    ::usleep(2000);
  }
}

// A prefix wineboot has set up (Wine writes its registry files later, when
// the wineserver exits, so the verifier leaves its own mark).
bool prefix_ready(const fs::path& prefix) {
  return fs::exists(prefix / ".logoffcheck-ready") || fs::exists(prefix / "system.reg");
}

// Creates the prefix once per user: concurrent verifiers wait on a lock
// while the first one runs wineboot.
void ensure_prefix(const fs::path& wine, const fs::path& prefix) {
  if (prefix_ready(prefix)) return;
  std::error_code error;
  fs::create_directories(prefix.parent_path(), error);
  if (error) {
    throw ConfigurationError("cannot create the Wine prefix's folder " +
                             prefix.parent_path().string() + ": " + error.message());
  }
  const std::string lock_path = prefix.string() + ".lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    throw ConfigurationError("cannot lock " + lock_path + ": " + std::strerror(errno));
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  if (prefix_ready(prefix)) return;
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const int errors = stderr_file();
  const pid_t pid = spawn({wine.string(), "wineboot", "--init"}, wine_environment(wine, prefix),
                          null_fd, null_fd, errors);
  ::close(null_fd);
  const int status = wait_for(pid, Clock::now() + kPrefixTimeout);
  const std::string output = tail_of(errors);
  ::close(errors);
  if (status != 0 || !fs::exists(prefix / "drive_c")) {
    throw ConfigurationError(
        "Wine could not create its prefix at " + prefix.string() +
        (status < 0 ? " (wineboot did not finish)" : " (wineboot exited with status " +
                                                         std::to_string(WEXITSTATUS(status)) + ")") +
        (output.empty() ? "" : ": " + output) +
        "; check that wine and wine64 are installed (scripts/setup), remove the folder and "
        "retry, or set LOGOFFCHECK_WINEPREFIX");
  }
  std::ofstream(prefix / ".logoffcheck-ready") << "created by logoffcheck with wineboot --init\n";
}

// The DLL's path as the agent sees it, through Wine's Z: drive (the root).
std::string windows_path(const fs::path& path) {
  std::string text = "Z:" + path.string();
  std::replace(text.begin(), text.end(), '/', '\\');
  return text;
}

std::string hex(std::uint64_t value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%0*llX", digits, static_cast<unsigned long long>(value));
  return text;
}

// "access violation writing 0x0000000000000010", "exception 0xC00000FD (stack overflow)".
std::string describe_windows_exception(const Message& message) {
  const std::uint32_t code = message.a;
  switch (code) {
    case 0xC0000005: {
      const char* access = message.b == 1 ? "writing" : message.b == 8 ? "executing" : "reading";
      return std::string("access violation ") + access + " " + hex(message.address, 1);
    }
    case 0xC00000FD:
      return "stack overflow (exception 0xC00000FD)";
    case 0xC0000094:
      return "integer division by zero (exception 0xC0000094)";
    case 0xC000001D:
      return "illegal instruction (exception 0xC000001D)";
    case 0x80000003:
      return "breakpoint (exception 0x80000003)";
    case 0xE06D7363:
      return "an MSVC C++ exception (exception 0xE06D7363)";
    case 0x20474343:
      return "a GCC C++ exception (exception 0x20474343)";
    default:
      return "unhandled exception " + hex(code, 8);
  }
}

// A fault of the agent during a call: the call's observation.
struct AgentFault {
  CallOutcome outcome = CallOutcome::threw;
  std::int32_t detail = 0;
  std::string text;
};

// Thrown through the proxy store out of a faulted call; call_store catches it.
struct FaultInCall : std::exception {
  const char* what() const noexcept override { return "the Windows agent faulted"; }
};

// One running agent: a Wine process speaking agent_protocol.h.
class Agent {
 public:
  // Starts the agent on `dll`; handshake() waits for it to be ready.
  Agent(const fs::path& wine, const fs::path& prefix, const fs::path& agent,
        const fs::path& dll) {
    int to_agent[2];
    int from_agent[2];
    if (::pipe2(to_agent, O_CLOEXEC) != 0 || ::pipe2(from_agent, O_CLOEXEC) != 0) {
      throw InternalError(std::string("windows agent: pipe failed: ") + std::strerror(errno));
    }
    errors_ = stderr_file();
    pid_ = spawn({wine.string(), agent.string(), windows_path(dll)},
                 wine_environment(wine, prefix), to_agent[0], from_agent[1], errors_);
    ::close(to_agent[0]);
    ::close(from_agent[1]);
    to_agent_ = to_agent[1];
    from_agent_ = from_agent[0];
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  }

  // Waits for the agent to have loaded the DLL and called MSProviderInit.
  // Throws ConfigurationError saying why it could not.
  void handshake(const std::string& name) {
    const std::variant<Message, AgentFault> first = receive(Clock::now() + kStartTimeout, 0);
    if (const AgentFault* fault = std::get_if<AgentFault>(&first)) {
      throw ConfigurationError("the Windows agent for '" + name + "' " +
                               (fault->outcome == CallOutcome::hung
                                    ? "did not start within " +
                                          std::to_string(kStartTimeout.count()) + " s"
                                    : "ended before it was ready (" + fault->text + ")") +
                               stderr_note());
    }
    const Message& message = std::get<Message>(first);
    if (message.kind == Kind::start_failed) throw ConfigurationError(start_failure(message, name));
    if (message.kind != Kind::ready || message.a != kProtocolVersion) {
      throw InternalError("windows agent: it does not speak protocol " +
                          std::to_string(kProtocolVersion) + ": rebuild logoffcheck");
    }
  }

  ~Agent() {
    if (alive_) {
      send(Message{Kind::quit});
      if (wait_for(pid_, Clock::now() + std::chrono::seconds(2)) >= 0) alive_ = false;
    }
    if (alive_) kill_and_reap();
    for (const int fd : {to_agent_, from_agent_, pidfd_, errors_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  bool alive() const noexcept { return alive_; }

  // Writing to an agent that has just died must not raise SIGPIPE in the
  // verifier: the signal is blocked during the write, and one it caused is
  // taken off the thread's pending set before it is unblocked.
  void send(const Message& message) {
    sigset_t pipe_signal;
    sigset_t previous;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
    const auto* bytes = reinterpret_cast<const char*>(&message);
    std::size_t sent = 0;
    bool broken = false;
    while (sent < sizeof message) {
      const ssize_t wrote = ::write(to_agent_, bytes + sent, sizeof message - sent);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) {  // the agent is gone: receive() will say how
        broken = errno == EPIPE;
        break;
      }
      sent += static_cast<std::size_t>(wrote);
    }
    if (broken && !sigismember(&previous, SIGPIPE)) {
      const timespec now{0, 0};
      while (::sigtimedwait(&pipe_signal, nullptr, &now) < 0 && errno == EINTR) {
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }

  // The next message, or how the agent ended: it died (exited or killed by a
  // signal), or sent nothing before `deadline` (it is then killed).
  std::variant<Message, AgentFault> receive(Clock::time_point deadline, std::uint32_t timeout_ms) {
    Message message;
    auto* bytes = reinterpret_cast<char*>(&message);
    std::size_t have = 0;
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd ready[2] = {{from_agent_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
      const int polled = ::poll(ready, pidfd_ >= 0 ? 2 : 1,
                                static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (polled < 0 && errno == EINTR) continue;
      if (polled == 0) {
        kill_and_reap();
        return AgentFault{CallOutcome::hung, static_cast<std::int32_t>(timeout_ms),
                          "no answer within the timeout"};
      }
      if ((ready[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const ssize_t got = ::read(from_agent_, bytes + have, sizeof message - have);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got > 0) {
          have += static_cast<std::size_t>(got);
          if (have == sizeof message) return message;
          continue;
        }
        return ended();
      }
      if ((ready[1].revents & POLLIN) != 0) {
        // Dead, and everything it wrote has been read.
        return ended();
      }
    }
  }

  // Ends the agent (after it reported a fault, it is ending itself anyway).
  void kill_and_reap() {
    if (!alive_) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    alive_ = false;
  }

  // The last lines Wine and the agent wrote on stderr, for error messages.
  std::string stderr_note() const {
    const std::string text = tail_of(errors_);
    return text.empty() ? "" : "; Wine said: " + text;
  }

 private:
  AgentFault ended() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    alive_ = false;
    if (WIFSIGNALED(status)) {
      return {CallOutcome::signaled, WTERMSIG(status), "killed by signal " +
                                                           std::to_string(WTERMSIG(status))};
    }
    return {CallOutcome::exited, WEXITSTATUS(status),
            "exit code " + std::to_string(WEXITSTATUS(status))};
  }

  std::string start_failure(const Message& message, const std::string& name) const {
    const std::string prefix = "cannot load Windows provider '" + name + "': ";
    switch (static_cast<StartStage>(message.a)) {
      case StartStage::load_library:
        if (message.b == 193) {
          return prefix + "not an x64 Windows DLL (LoadLibrary error 193); logoffcheck "
                          "certifies 64-bit DLLs only";
        }
        if (message.b == 126) {
          return prefix + "LoadLibrary error 126: a DLL it depends on was not found; put its "
                          "dependencies beside it";
        }
        return prefix + "LoadLibrary failed with error " + std::to_string(message.b) +
               stderr_note();
      case StartStage::find_entry:
        return prefix + "it does not export MSProviderInit (is it a message-store provider? "
                        "export it undecorated, extern \"C\")";
      case StartStage::provider_init:
        return prefix + "MSProviderInit failed with " + hex(message.b, 8);
    }
    return prefix + "the agent could not start it";
  }

  pid_t pid_ = -1;
  int to_agent_ = -1;
  int from_agent_ = -1;
  int pidfd_ = -1;
  int errors_ = -1;
  bool alive_ = true;
};

// Answers the agent's requests with `support` until `done` accepts a
// message; returns that message, or the fault that ended the agent.
template <typename Done>
std::variant<Message, AgentFault> serve(Agent& agent, SimulatedSupport& support,
                                        std::map<std::string, std::uint64_t>& unsupported,
                                        std::uint32_t timeout_ms, Clock::time_point deadline,
                                        Done&& done) {
  for (;;) {
    std::variant<Message, AgentFault> received = agent.receive(deadline, timeout_ms);
    if (std::holds_alternative<AgentFault>(received)) return received;
    Message& message = std::get<Message>(received);
    switch (message.kind) {
      case Kind::support_call: {
        Message answer{Kind::answer};
        switch (static_cast<SupportCall>(message.a)) {
          case SupportCall::add_ref:
            answer.a = support.AddRef();
            break;
          case SupportCall::release:
            answer.a = support.Release();
            break;
          case SupportCall::store_logoff_transports: {
            ULONG flags = message.b;
            answer.a = static_cast<std::uint32_t>(
                support.StoreLogoffTransports(message.c != 0 ? nullptr : &flags));
            answer.b = flags;
            break;
          }
          default:
            throw InternalError("windows agent: unknown support call " + std::to_string(message.a));
        }
        agent.send(answer);
        break;
      }
      case Kind::unsupported:
        message.text[sizeof message.text - 1] = '\0';
        ++unsupported[std::string("IMAPISupport::") + message.text];
        break;
      case Kind::threw: {
        message.text[sizeof message.text - 1] = '\0';
        std::string text = message.text[0] != '\0' ? message.text : "a C++ exception";
        agent.kill_and_reap();
        return AgentFault{CallOutcome::threw, 0, std::move(text)};
      }
      case Kind::exception:
        agent.kill_and_reap();
        return AgentFault{CallOutcome::threw, static_cast<std::int32_t>(message.a),
                          describe_windows_exception(message)};
      default:
        if (done(message)) return received;
        throw InternalError("windows agent: unexpected message " +
                            std::to_string(static_cast<std::uint32_t>(message.kind)));
    }
  }
}

// The store the interpreter calls: each call is a request to the agent.
class AgentStore final : public IMsgStore {
 public:
  AgentStore(Agent& agent, SimulatedSupport& support,
             std::map<std::string, std::uint64_t>& unsupported, std::uint32_t timeout_ms)
      : agent_(agent), support_(support), unsupported_(unsupported), timeout_ms_(timeout_ms) {}

  ULONG AddRef() override { return call(Call::add_ref, nullptr).a; }
  ULONG Release() override { return call(Call::release, nullptr).a; }
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const Message reply = call(Call::store_logoff, lpulFlags);
    if (lpulFlags != nullptr) *lpulFlags = reply.b;
    return static_cast<HRESULT>(reply.a);
  }

  // The fault that ended the last call, if one did.
  const std::optional<AgentFault>& fault() const noexcept { return fault_; }

 private:
  Message call(Call method, const ULONG* lpulFlags) {
    Message request{Kind::call};
    request.a = static_cast<std::uint32_t>(method);
    request.b = lpulFlags != nullptr ? *lpulFlags : 0;
    request.c = lpulFlags == nullptr;
    agent_.send(request);
    std::variant<Message, AgentFault> reply =
        serve(agent_, support_, unsupported_, timeout_ms_,
              Clock::now() + std::chrono::milliseconds(timeout_ms_),
              [](const Message& message) { return message.kind == Kind::returned; });
    if (AgentFault* fault = std::get_if<AgentFault>(&reply)) {
      fault_ = std::move(*fault);
      throw FaultInCall{};
    }
    return std::get<Message>(reply);
  }

  Agent& agent_;
  SimulatedSupport& support_;
  std::map<std::string, std::uint64_t>& unsupported_;
  std::uint32_t timeout_ms_;
  std::optional<AgentFault> fault_;
};

}  // namespace

bool is_windows_provider_path(std::string_view path) noexcept {
  if (path.size() < 4) return false;
  std::string tail(path.substr(path.size() - 4));
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".dll";
}

namespace {

IMsgStore* refuse_in_process(IMAPISupport*) {
  throw ConfigurationError(
      "a Windows DLL cannot be called in this process: it runs under Wine, through a "
      "WindowsAgentRunner (make_runner picks one for a .dll)");
}

}  // namespace

Provider windows_dll_provider(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    throw ConfigurationError("cannot load provider '" + path + "': no such file");
  }
  if (!fs::is_regular_file(path, error)) {
    throw ConfigurationError("cannot load provider '" + path + "': not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {};
  in.read(magic, 2);
  if (!in || magic[0] != 'M' || magic[1] != 'Z') {
    throw ConfigurationError("cannot load provider '" + path +
                             "': not a Windows DLL (no MZ header)");
  }
  return Provider(path, &refuse_in_process);
}

struct WindowsAgentRunner::State {
  std::string name;
  fs::path dll;
  CaseOptions options;
  std::uint32_t timeout_ms;
  std::optional<fs::path> wine, prefix, agent_executable;
  std::unique_ptr<Agent> agent;
  std::map<std::string, std::uint64_t> unsupported;
  std::uint64_t started = 0;

  Agent& running_agent() {
    if (agent && agent->alive()) return *agent;
    agent.reset();
    if (!wine) {
      wine = find_wine();
      agent_executable = find_agent();
      prefix = prefix_path();
      ensure_prefix(*wine, *prefix);
    }
    agent = std::make_unique<Agent>(*wine, *prefix, *agent_executable, dll);
    ++started;
    try {
      agent->handshake(name);
    } catch (...) {
      agent.reset();
      throw;
    }
    return *agent;
  }

  [[noreturn]] void throw_open_failure(const AgentFault& fault) {
    Observation observed;
    observed.outcome = fault.outcome;
    observed.fault_detail = fault.detail;
    set_fault_text(observed, fault.text);
    throw ConfigurationError("provider '" + name + "' " + describe_outcome(observed) +
                             " in IMSProvider::Logon: it opened no store");
  }

  void run(std::span<const Step> steps, bool record, CaseResult& result) {
    Agent& current = running_agent();
    SimulatedSupport support;
    current.send(Message{Kind::open_store});
    const std::variant<Message, AgentFault> opened = serve(
        current, support, unsupported, timeout_ms,
        Clock::now() + std::max(std::chrono::milliseconds(timeout_ms),
                                std::chrono::milliseconds(10000)),
        [](const Message& message) {
          return message.kind == Kind::opened || message.kind == Kind::open_failed;
        });
    if (const AgentFault* fault = std::get_if<AgentFault>(&opened)) throw_open_failure(*fault);
    if (std::get<Message>(opened).kind == Kind::open_failed) {
      const std::uint32_t hresult = std::get<Message>(opened).a;
      throw ConfigurationError("provider '" + name + "': IMSProvider::Logon " +
                               (hresult == 0 ? std::string("returned S_OK but no store")
                                             : "failed with " + hex(hresult, 8)) +
                               ": it opened no store");
    }
    support.end_creation();
    AgentStore store(current, support, unsupported, timeout_ms);
    CaseInterpreter(options).run(
        steps, record, result,
        [&](const Step& step, Observation& observed) {
          const bool returned = call_store(store, support, step, observed);
          if (!returned && store.fault()) {
            const AgentFault& fault = *store.fault();
            observed.outcome = fault.outcome;
            observed.fault_detail = fault.detail;
            observed.fault_text = {};
            if (fault.outcome == CallOutcome::threw) set_fault_text(observed, fault.text);
          }
          return returned;
        },
        [&](Action action) { support.apply_environment_event(action); });
  }
};

WindowsAgentRunner::WindowsAgentRunner(std::string dll_path, CaseOptions options,
                                       std::uint32_t timeout_ms) {
  if (timeout_ms == 0) throw ConfigurationError("the per-call timeout must be at least 1 ms");
  state_ = std::make_unique<State>();
  state_->name = dll_path;
  state_->dll = fs::absolute(dll_path);
  state_->options = options;
  state_->timeout_ms = timeout_ms;
}

WindowsAgentRunner::~WindowsAgentRunner() = default;

void WindowsAgentRunner::run(std::span<const Step> steps, bool record, CaseResult& result) {
  state_->run(steps, record, result);
}

const CaseOptions& WindowsAgentRunner::options() const noexcept { return state_->options; }

const std::map<std::string, std::uint64_t>& WindowsAgentRunner::unsupported_support_calls()
    const noexcept {
  return state_->unsupported;
}

std::uint64_t WindowsAgentRunner::agents_started() const noexcept { return state_->started; }

}  // namespace logoffcheck
