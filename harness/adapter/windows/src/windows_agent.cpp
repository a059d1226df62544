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

// A support call as the logon trace shows it: "IMAPISupport::AddRef()" -> "1".
LogonCall support_call_entry(SupportCall method, std::uint32_t flags_in, bool null_flags,
                             std::uint32_t value) {
  switch (method) {
    case SupportCall::add_ref:
      return {"IMAPISupport::AddRef()", std::to_string(value), false};
    case SupportCall::release:
      return {"IMAPISupport::Release()", std::to_string(value), false};
    case SupportCall::store_logoff_transports:
      return {"IMAPISupport::StoreLogoffTransports(" +
                  (null_flags ? std::string("NULL") : hex(flags_in, 8)) + ")",
              mapi_result_name(value), false};
  }
  throw InternalError("windows agent: unknown support call " +
                      std::to_string(static_cast<std::uint32_t>(method)));
}

// The fault a threw or exception message reports (the agent then ends).
std::optional<AgentFault> reported_fault(Message& message) {
  if (message.kind == Kind::threw) {
    message.text[sizeof message.text - 1] = '\0';
    std::string text = message.text[0] != '\0' ? message.text : "a C++ exception";
    return AgentFault{AgentFault::Kind::cpp_exception, 0, std::move(text)};
  }
  if (message.kind == Kind::exception) {
    return AgentFault{AgentFault::Kind::windows_exception, static_cast<std::int32_t>(message.a),
                      describe_windows_exception(message)};
  }
  return std::nullopt;
}

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
        const auto method = static_cast<SupportCall>(message.a);
        switch (method) {
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
        if (trace != nullptr) {
          trace->push_back(support_call_entry(method, message.b, message.c != 0, answer.a));
        }
        break;
      }
      case Kind::trace: {
        LogonCall call = traced_call(message);
        if (call.unsupported) ++log.unsupported[method_of(call.call)];
        if (trace != nullptr) trace->push_back(std::move(call));
        break;
      }
      case Kind::threw:
      case Kind::exception: {
        AgentFault fault = *reported_fault(message);
        agent.kill_and_reap();
        return fault;
      }
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

namespace {

// A batch request: per case, its count of events and the events.
void encode_batch(std::span<const std::span<const Step>> cases, std::vector<char>& bytes) {
  bytes.clear();
  for (const std::span<const Step>& steps : cases) {
    const auto count = static_cast<std::uint32_t>(steps.size());
    const auto* count_bytes = reinterpret_cast<const char*>(&count);
    bytes.insert(bytes.end(), count_bytes, count_bytes + sizeof count);
    for (const Step& step : steps) {
      BatchEvent event;
      event.action = static_cast<std::uint8_t>(step.action);
      event.null_flags = step.null_flags_pointer ? 1 : 0;
      event.flags = step.flags;
      const auto* event_bytes = reinterpret_cast<const char*>(&event);
      bytes.insert(bytes.end(), event_bytes, event_bytes + sizeof event);
    }
  }
}

static_assert(kAgentBatchCases == kBatchCases);

// The model's client calls are the protocol's.
static_assert(static_cast<std::uint32_t>(Action::AddRef) ==
                  static_cast<std::uint32_t>(Call::add_ref) &&
              static_cast<std::uint32_t>(Action::Release) ==
                  static_cast<std::uint32_t>(Call::release) &&
              static_cast<std::uint32_t>(Action::StoreLogoff) ==
                  static_cast<std::uint32_t>(Call::store_logoff));

}  // namespace

std::size_t WindowsAgent::play_batch(std::span<const std::span<const Step>> cases,
                                     std::uint32_t timeout_ms, std::span<AgentCase> results) {
  if (cases.size() > kBatchCases || results.size() < cases.size()) {
    throw InternalError("windows agent: a batch of " + std::to_string(cases.size()) + " cases");
  }
  std::vector<char> bytes;
  encode_batch(cases, bytes);
  Message request{Kind::batch};
  request.a = static_cast<std::uint32_t>(cases.size());
  request.b = timeout_ms;
  request.c = static_cast<std::uint32_t>(bytes.size());
  process_->send(request);
  process_->send_bytes(bytes.data(), bytes.size());
  std::vector<LogonCall> logon;
  for (std::size_t index = 0; index < cases.size(); ++index) {
    AgentCase& out = results[index];
    out.opened = false;
    out.logon_support = 0;
    out.support.clear();
    out.calls.clear();
    out.fault.reset();
    out.lost = false;
    logon.clear();
    // The agent times every call itself; this only guards against an agent
    // that cannot (Logon's allowance, every call's timeout, and as much again).
    std::size_t client_calls = 0;
    for (const Step& step : cases[index]) client_calls += is_client_call(step.action) ? 1 : 0;
    const auto allowed =
        std::chrono::milliseconds(timeout_ms) * (client_calls + 1) +
        std::max(std::chrono::milliseconds(timeout_ms), std::chrono::milliseconds(10000));
    const Clock::time_point deadline = Clock::now() + 2 * allowed;
    for (bool done = false; !done;) {
      std::variant<Message, AgentFault> received = process_->receive(deadline, timeout_ms);
      if (AgentFault* fault = std::get_if<AgentFault>(&received)) {
        out.fault = std::move(*fault);
        out.lost = true;
        return index + 1;
      }
      Message& message = std::get<Message>(received);
      switch (message.kind) {
        case Kind::support_call: {
          AgentSupportCall call;
          call.method = static_cast<AgentSupportCall::Method>(message.a);
          if (message.a > static_cast<std::uint32_t>(SupportCall::store_logoff_transports)) {
            throw InternalError("windows agent: unknown support call " + std::to_string(message.a));
          }
          call.flags_in = message.b;
          call.null_flags = message.c != 0;
          call.value = static_cast<std::uint32_t>(message.address);
          call.flags_out = static_cast<std::uint32_t>(message.address >> 32);
          out.support.push_back(call);
          if (!out.opened) {
            logon.push_back(support_call_entry(static_cast<SupportCall>(message.a), call.flags_in,
                                               call.null_flags, call.value));
          }
          break;
        }
        case Kind::trace: {
          LogonCall call = traced_call(message);
          if (call.unsupported) ++log_.unsupported[method_of(call.call)];
          if (!out.opened) logon.push_back(std::move(call));
          break;
        }
        case Kind::opened:
          out.opened = true;
          out.logon_support = static_cast<std::uint32_t>(out.support.size());
          if (log_.first_logon.empty()) log_.first_logon = logon;
          break;
        case Kind::open_failed:
          throw ConfigurationError(logon_failure(name_, message, logon));
        case Kind::returned:
        case Kind::threw:
        case Kind::exception:
        case Kind::hung: {
          AgentCallRecord call;
          const std::uint32_t made =
              out.calls.empty() ? out.logon_support
                                : out.calls.back().first_support + out.calls.back().support_count;
          call.first_support = made;
          call.support_count = static_cast<std::uint32_t>(out.support.size()) - made;
          if (message.kind == Kind::returned) {
            call.returned = AgentReturn{message.a, message.b};
            out.calls.push_back(call);
            break;
          }
          out.fault = message.kind == Kind::hung ? AgentFault{AgentFault::Kind::hung,
                                                              static_cast<std::int32_t>(timeout_ms),
                                                              "no answer within the timeout"}
                                                 : *reported_fault(message);
          call.faulted = true;
          if (out.opened) out.calls.push_back(call);
          process_->kill_and_reap();
          return index + 1;
        }
        case Kind::case_done:
          done = true;
          break;
        default:
          throw InternalError("windows agent: unexpected message " +
                              std::to_string(static_cast<std::uint32_t>(message.kind)));
      }
    }
  }
  return cases.size();
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
