// WindowsAgent and AgentStore: requests to a running agent, and the
// store's support calls answered while each is in progress (the agent asks
// back; the verifier's IMAPISupport answers).
#include "logoffcheck/windows_agent.h"

#include <algorithm>
#include <cstring>

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

// A call the agent traced, as the log keeps it.
LogonCall traced_call(const Message& message) {
  std::string text(message.text, strnlen(message.text, sizeof message.text));
  const bool unsupported = static_cast<TraceKind>(message.b) == TraceKind::unsupported;
  return {std::move(text), mapi_result_name(message.a), unsupported};
}

// "IMAPISupport::GetMemAllocRoutines" of "IMAPISupport::GetMemAllocRoutines(...)".
std::string method_of(const std::string& call) { return call.substr(0, call.find('(')); }

// Answers the agent's requests with `support` until `done` accepts a
// message; returns that message, or the fault that ended the agent. Traced
// calls go into `log` (and `trace`, when given), as do the support calls
// the verifier answers.
template <typename Done>
std::variant<Message, AgentFault> serve(AgentProcess& agent, IMAPISupport& support, AgentLog& log,
                                        std::vector<LogonCall>* trace, std::uint32_t timeout_ms,
                                        Clock::time_point deadline, Done&& done) {
  for (;;) {
    std::variant<Message, AgentFault> received = agent.receive(deadline, timeout_ms);
    if (std::holds_alternative<AgentFault>(received)) return received;
    Message& message = std::get<Message>(received);
    switch (message.kind) {
      case Kind::support_call: {
        Message answer{Kind::answer};
        std::string call;
        std::string result;
        switch (static_cast<SupportCall>(message.a)) {
          case SupportCall::add_ref:
            answer.a = support.AddRef();
            call = "IMAPISupport::AddRef()";
            result = std::to_string(answer.a);
            break;
          case SupportCall::release:
            answer.a = support.Release();
            call = "IMAPISupport::Release()";
            result = std::to_string(answer.a);
            break;
          case SupportCall::store_logoff_transports: {
            ULONG flags = message.b;
            answer.a = static_cast<std::uint32_t>(
                support.StoreLogoffTransports(message.c != 0 ? nullptr : &flags));
            answer.b = flags;
            call = "IMAPISupport::StoreLogoffTransports(" +
                   (message.c != 0 ? std::string("NULL") : hex(message.b, 8)) + ")";
            result = mapi_result_name(answer.a);
            break;
          }
          default:
            throw InternalError("windows agent: unknown support call " + std::to_string(message.a));
        }
        agent.send(answer);
        if (trace != nullptr) trace->push_back({std::move(call), std::move(result), false});
        break;
      }
      case Kind::trace: {
        LogonCall call = traced_call(message);
        if (call.unsupported) ++log.unsupported[method_of(call.call)];
        if (trace != nullptr) trace->push_back(std::move(call));
        break;
      }
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

// Sends the profile's properties (before the first Logon).
void send_profile(AgentProcess& agent, const MapiProfile& profile) {
  for (const auto& [section, properties] : {std::pair{ProfileSection::provider, &profile.provider},
                                            std::pair{ProfileSection::global, &profile.global}}) {
    for (const MapiProperty& property : *properties) {
      Message message{Kind::profile_value};
      message.a = static_cast<std::uint32_t>(section);
      message.b = property.tag;
      message.c = static_cast<std::uint32_t>(property.value.size());
      std::size_t sent = 0;
      do {
        const std::size_t chunk = std::min<std::size_t>(kTextBytes, property.value.size() - sent);
        std::memcpy(message.text, property.value.data() + sent, chunk);
        agent.send(message);
        sent += chunk;
        message = Message{Kind::profile_more};
      } while (sent < property.value.size());
    }
  }
}

// Why a Logon opened no store: the support call that failed last before it
// returned, and every call it made.
std::string logon_failure(const std::string& name, const Message& reply,
                          const std::vector<LogonCall>& calls) {
  std::string text = "provider '" + name + "': IMSProvider::Logon ";
  text += reply.a == 0 ? "returned S_OK but no store" : "failed with " + mapi_result_name(reply.a);
  const LogonCall* culprit = nullptr;
  for (const LogonCall& call : calls) {
    if (call.call.starts_with("IMSProvider::Logon")) break;
    if (call.result.starts_with("MAPI_E_") || call.result.starts_with("E_") ||
        call.result.starts_with("0x8")) {
      culprit = &call;
    }
  }
  if (culprit == nullptr) {
    text += "; every call it made on its support object succeeded";
  } else if (culprit->unsupported) {
    text += " after " + method_of(culprit->call) + ", which logoffcheck does not support";
  } else {
    text += " after " + culprit->call + " answered " + culprit->result;
  }
  text += ": it opened no store. Its calls, in order:";
  std::size_t number = 0;
  for (const LogonCall& call : calls) {
    text += "\n  " + std::to_string(++number) + ". " + call.call + " -> " + call.result +
            (call.unsupported ? " (not supported by logoffcheck)" : "");
  }
  return text;
}

}  // namespace

WindowsAgent::WindowsAgent(const WineSetup& setup, const std::filesystem::path& dll,
                           const std::string& name, const MapiProfile& profile, AgentLog& log)
    : process_(std::make_unique<AgentProcess>(setup, dll)), name_(name), log_(log) {
  std::vector<LogonCall> init;
  process_->handshake(name, init);
  if (log_.provider_init.empty()) log_.provider_init = std::move(init);
  send_profile(*process_, profile);
}

WindowsAgent::~WindowsAgent() = default;

bool WindowsAgent::alive() const noexcept { return process_->alive(); }

std::optional<AgentFault> WindowsAgent::open_store(IMAPISupport& support,
                                                   std::uint32_t timeout_ms) {
  process_->send(Message{Kind::open_store});
  std::vector<LogonCall> calls;
  // Logon may do more than a store call: it gets at least 10 s.
  const std::variant<Message, AgentFault> opened =
      serve(*process_, support, log_, &calls, timeout_ms,
            Clock::now() +
                std::max(std::chrono::milliseconds(timeout_ms), std::chrono::milliseconds(10000)),
            [](const Message& message) {
              return message.kind == Kind::opened || message.kind == Kind::open_failed;
            });
  if (const AgentFault* fault = std::get_if<AgentFault>(&opened)) return *fault;
  const Message& reply = std::get<Message>(opened);
  if (reply.kind == Kind::open_failed) {
    throw ConfigurationError(logon_failure(name_, reply, calls));
  }
  if (log_.first_logon.empty()) log_.first_logon = std::move(calls);
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
      serve(*process_, support, log_, nullptr, timeout_ms,
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
