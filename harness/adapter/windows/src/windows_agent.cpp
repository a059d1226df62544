// WindowsAgent and AgentStore: requests to a running agent, and the
// store's support calls answered while each is in progress (the agent asks
// back; the verifier's IMAPISupport answers).
#include "logoffcheck/windows_agent.h"

#include <algorithm>

#include "agent_process.h"

namespace logoffcheck {

using namespace windows_agent;

namespace {

// The public AgentCall is the protocol's Call.
static_assert(static_cast<std::uint32_t>(AgentCall::add_ref) ==
              static_cast<std::uint32_t>(Call::add_ref));
static_assert(static_cast<std::uint32_t>(AgentCall::release) ==
              static_cast<std::uint32_t>(Call::release));
static_assert(static_cast<std::uint32_t>(AgentCall::store_logoff) ==
              static_cast<std::uint32_t>(Call::store_logoff));

// Answers the agent's requests with `support` until `done` accepts a
// message; returns that message, or the fault that ended the agent.
template <typename Done>
std::variant<Message, AgentFault> serve(AgentProcess& agent, IMAPISupport& support,
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
        return AgentFault{AgentFault::Kind::cpp_exception, 0, std::move(text)};
      }
      case Kind::exception:
        agent.kill_and_reap();
        return AgentFault{AgentFault::Kind::windows_exception, static_cast<std::int32_t>(message.a),
                          describe_windows_exception(message)};
      default:
        if (done(message)) return received;
        throw InternalError("windows agent: unexpected message " +
                            std::to_string(static_cast<std::uint32_t>(message.kind)));
    }
  }
}

}  // namespace

WindowsAgent::WindowsAgent(const WineSetup& setup, const std::filesystem::path& dll,
                           const std::string& name,
                           std::map<std::string, std::uint64_t>& unsupported)
    : process_(std::make_unique<AgentProcess>(setup, dll)), name_(name), unsupported_(unsupported) {
  process_->handshake(name);
}

WindowsAgent::~WindowsAgent() = default;

bool WindowsAgent::alive() const noexcept { return process_->alive(); }

std::optional<AgentFault> WindowsAgent::open_store(IMAPISupport& support,
                                                   std::uint32_t timeout_ms) {
  process_->send(Message{Kind::open_store});
  // Logon may do more than a store call: it gets at least 10 s.
  const std::variant<Message, AgentFault> opened =
      serve(*process_, support, unsupported_, timeout_ms,
            Clock::now() +
                std::max(std::chrono::milliseconds(timeout_ms), std::chrono::milliseconds(10000)),
            [](const Message& message) {
              return message.kind == Kind::opened || message.kind == Kind::open_failed;
            });
  if (const AgentFault* fault = std::get_if<AgentFault>(&opened)) return *fault;
  const Message& reply = std::get<Message>(opened);
  if (reply.kind == Kind::open_failed) {
    throw ConfigurationError("provider '" + name_ + "': IMSProvider::Logon " +
                             (reply.a == 0 ? std::string("returned S_OK but no store")
                                           : "failed with " + hex(reply.a, 8)) +
                             ": it opened no store");
  }
  return std::nullopt;
}

std::variant<AgentReturn, AgentFault> WindowsAgent::call(AgentCall call, const ULONG* lpulFlags,
                                                         IMAPISupport& support,
                                                         std::uint32_t timeout_ms) {
  Message request{Kind::call};
  request.a = static_cast<std::uint32_t>(call);
  request.b = lpulFlags != nullptr ? *lpulFlags : 0;
  request.c = lpulFlags == nullptr;
  process_->send(request);
  std::variant<Message, AgentFault> reply =
      serve(*process_, support, unsupported_, timeout_ms,
            Clock::now() + std::chrono::milliseconds(timeout_ms),
            [](const Message& message) { return message.kind == Kind::returned; });
  if (AgentFault* fault = std::get_if<AgentFault>(&reply)) return std::move(*fault);
  const Message& returned = std::get<Message>(reply);
  return AgentReturn{returned.a, returned.b};
}

ULONG AgentStore::AddRef() { return call(AgentCall::add_ref, nullptr).value; }

ULONG AgentStore::Release() { return call(AgentCall::release, nullptr).value; }

HRESULT AgentStore::StoreLogoff(ULONG* lpulFlags) {
  const AgentReturn reply = call(AgentCall::store_logoff, lpulFlags);
  if (lpulFlags != nullptr) *lpulFlags = reply.flags;
  return static_cast<HRESULT>(reply.value);
}

AgentReturn AgentStore::call(AgentCall call, const ULONG* lpulFlags) {
  std::variant<AgentReturn, AgentFault> reply = agent_.call(call, lpulFlags, support_, timeout_ms_);
  if (AgentFault* fault = std::get_if<AgentFault>(&reply)) {
    fault_ = std::move(*fault);
    throw Fault{};
  }
  return std::get<AgentReturn>(reply);
}

}  // namespace logoffcheck
