// One Windows agent process and its pipe protocol (agent_protocol.h): start
// and handshake, send, receive with a deadline, and how it ended.
#include "agent_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace logoffcheck::windows_agent {

namespace {

// Starting Wine and the agent (and MSProviderInit) may take this long.
constexpr auto kStartTimeout = std::chrono::seconds(60);

}  // namespace

AgentProcess::AgentProcess(const WineSetup& setup, const std::filesystem::path& dll) {
  int to_agent[2];
  int from_agent[2];
  if (::pipe2(to_agent, O_CLOEXEC) != 0 || ::pipe2(from_agent, O_CLOEXEC) != 0) {
    throw InternalError(std::string("windows agent: pipe failed: ") + std::strerror(errno));
  }
  errors_ = stderr_file();
  std::vector<std::string> environment = wine_environment(setup.wine, setup.prefix);
  std::vector<std::string> writable;
  if (setup.sandbox) {
    ensure_wine_server(setup.wine, setup.prefix);
    // Wine writes its prefix (the registry; C:, where Windows programs keep
    // their temporary files) and nothing else.
    writable = {setup.prefix.string()};
  }
  pid_ = spawn({setup.wine.string(), setup.agent.string(), windows_path(dll)}, environment,
               to_agent[0], from_agent[1], errors_, setup.sandbox, writable);
  ::close(to_agent[0]);
  ::close(from_agent[1]);
  to_agent_ = to_agent[1];
  from_agent_ = from_agent[0];
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

void AgentProcess::handshake(const std::string& name, std::vector<LogonCall>& init) {
  const Clock::time_point deadline = Clock::now() + kStartTimeout;
  std::variant<Message, AgentFault> first = receive(deadline, 0);
  // MSProviderInit's calls, and MSProviderInit itself, come first.
  while (std::holds_alternative<Message>(first) && std::get<Message>(first).kind == Kind::trace) {
    const Message& traced = std::get<Message>(first);
    init.push_back({std::string(traced.text, strnlen(traced.text, sizeof traced.text)),
                    mapi_result_name(traced.a),
                    static_cast<TraceKind>(traced.b) == TraceKind::unsupported});
    first = receive(deadline, 0);
  }
  if (const AgentFault* fault = std::get_if<AgentFault>(&first)) {
    throw ConfigurationError(
        "the Windows agent for '" + name + "' " +
        (fault->kind == AgentFault::Kind::hung
             ? "did not start within " + std::to_string(kStartTimeout.count()) + " s"
             : "ended before it was ready (" + fault->text + ")") +
        stderr_note());
  }
  const Message& message = std::get<Message>(first);
  if (message.kind == Kind::start_failed) {
    throw ConfigurationError(start_failure(message, name, init));
  }
  if (message.kind != Kind::ready || message.a != kProtocolVersion) {
    throw InternalError("windows agent: it does not speak protocol " +
                        std::to_string(kProtocolVersion) + ": rebuild logoffcheck");
  }
}

AgentProcess::~AgentProcess() {
  if (alive_) {
    send(Message{Kind::quit});
    if (wait_for(pid_, Clock::now() + std::chrono::seconds(2)) >= 0) alive_ = false;
  }
  if (alive_) kill_and_reap();
  for (const int fd : {to_agent_, from_agent_, pidfd_, errors_}) {
    if (fd >= 0) ::close(fd);
  }
}

// Writing to an agent that has just died must not raise SIGPIPE in the
// verifier: the signal is blocked during the write, and one it caused is
// taken off the thread's pending set before it is unblocked.
void AgentProcess::send_bytes(const void* data, std::size_t size) {
  sigset_t pipe_signal;
  sigset_t previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  const auto* bytes = static_cast<const char*>(data);
  std::size_t sent = 0;
  bool broken = false;
  while (sent < size) {
    const ssize_t wrote = ::write(to_agent_, bytes + sent, size - sent);
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

std::variant<Message, AgentFault> AgentProcess::receive(Clock::time_point deadline,
                                                        std::uint32_t timeout_ms) {
  Message message;
  for (;;) {
    if (inbox_end_ - inbox_begin_ >= sizeof message) {
      std::memcpy(&message, inbox_.data() + inbox_begin_, sizeof message);
      inbox_begin_ += sizeof message;
      return message;
    }
    if (inbox_begin_ == inbox_end_) inbox_begin_ = inbox_end_ = 0;
    if (inbox_.size() - inbox_end_ < sizeof message) {  // keep the part of a message at the front
      std::memmove(inbox_.data(), inbox_.data() + inbox_begin_, inbox_end_ - inbox_begin_);
      inbox_end_ -= inbox_begin_;
      inbox_begin_ = 0;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd ready[2] = {{from_agent_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    const int polled = ::poll(ready, pidfd_ >= 0 ? 2 : 1,
                              static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      kill_and_reap();
      return AgentFault{AgentFault::Kind::hung, static_cast<std::int32_t>(timeout_ms),
                        "no answer within the timeout"};
    }
    if ((ready[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t got =
          ::read(from_agent_, inbox_.data() + inbox_end_, inbox_.size() - inbox_end_);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got > 0) {
        inbox_end_ += static_cast<std::size_t>(got);
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

void AgentProcess::kill_and_reap() {
  if (!alive_) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  alive_ = false;
}

std::string AgentProcess::stderr_note() const {
  const std::string text = tail_of(errors_);
  return text.empty() ? "" : "; Wine said: " + text;
}

AgentFault AgentProcess::ended() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  alive_ = false;
  if (WIFSIGNALED(status)) {
    return {AgentFault::Kind::killed, WTERMSIG(status),
            "killed by signal " + std::to_string(WTERMSIG(status))};
  }
  return {AgentFault::Kind::exited, WEXITSTATUS(status),
          "exit code " + std::to_string(WEXITSTATUS(status))};
}

std::string AgentProcess::start_failure(const Message& message, const std::string& name,
                                        const std::vector<LogonCall>& init) const {
  const std::string prefix = "cannot load Windows provider '" + name + "': ";
  switch (static_cast<StartStage>(message.a)) {
    case StartStage::load_library:
      if (message.b == 193) {
        return prefix + "LoadLibrary error 193: not a Windows DLL this Wine loader can load" +
               stderr_note();
      }
      if (message.b == 126) {
        return prefix +
               "LoadLibrary error 126: a DLL it depends on was not found; put its "
               "dependencies beside it";
      }
      return prefix + "LoadLibrary failed with error " + std::to_string(message.b) + stderr_note();
    case StartStage::find_entry:
      return prefix +
             "it does not export MSProviderInit (is it a message-store provider? "
             "export it undecorated, extern \"C\")";
    case StartStage::provider_init: {
      std::string text = prefix + "MSProviderInit failed with " + mapi_result_name(message.b);
      if (message.b == 0x80040110)
        text += " (it wants another MAPI version than CURRENT_SPI_VERSION)";
      if (init.size() > 1) {
        text += "; its calls, in order:";
        for (const LogonCall& call : init) text += "\n  " + call.call + " -> " + call.result;
      }
      return text;
    }
  }
  return prefix + "the agent could not start it";
}

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

}  // namespace logoffcheck::windows_agent
