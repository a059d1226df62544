// WindowsAgentRunner: cases played through a Windows agent, the store's
// support calls answered by this process's SimulatedSupport, and the agent's
// faults turned into the observations every runner makes.
#include "logoffcheck/windows_runner.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>

#include "case_interpreter.h"
#include "logoffcheck/support.h"

namespace logoffcheck {

namespace {

// The agent opens one store per case: a case of several (--stores) is
// refused, never played as one store.
void refuse_several_stores(std::span<const Step> steps) {
  if (stores_used(steps) > 1) {
    throw ConfigurationError(
        "a case of several stores (--stores) is not played against a Windows DLL yet: the "
        "agent opens one store per case");
  }
}

// The observation of a call during which the agent faulted.
void observe_fault(const AgentFault& fault, Observation& observed) {
  observed.fault_detail = fault.detail;
  observed.fault_text = {};
  switch (fault.kind) {
    case AgentFault::Kind::windows_exception:
    case AgentFault::Kind::cpp_exception:
      observed.outcome = CallOutcome::threw;
      set_fault_text(observed, fault.text);
      return;
    case AgentFault::Kind::exited:
      observed.outcome = CallOutcome::exited;
      return;
    case AgentFault::Kind::killed:
      observed.outcome = CallOutcome::signaled;
      return;
    case AgentFault::Kind::hung:
      observed.outcome = CallOutcome::hung;
      return;
  }
}

// The store of a batched case, as the agent reported it: each call replays
// the support calls the agent answered during it on the verifier's
// SimulatedSupport (which records them, as it does live), then returns what
// the agent's call returned, or throws AgentStore::Fault as a live call
// whose agent faulted does.
class ReplayStore final : public IMsgStore {
 public:
  ReplayStore(const AgentCase& played, SimulatedSupport& support)
      : played_(played), support_(support) {}

  // The next call replays `call`.
  void next(const AgentCallRecord& call) { call_ = &call; }
  // A support call the verifier answered otherwise than the agent did.
  bool disagreed() const noexcept { return disagreed_; }

  ULONG AddRef() override { return replay().value; }
  ULONG Release() override { return replay().value; }
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const AgentReturn returned = replay();
    if (lpulFlags != nullptr) *lpulFlags = returned.flags;
    return static_cast<HRESULT>(returned.value);
  }

  // Makes the support calls [first, first + count) of the case.
  void replay_support(std::uint32_t first, std::uint32_t count) {
    for (std::uint32_t index = first; index < first + count; ++index) {
      const AgentSupportCall& call = played_.support[index];
      ULONG value = 0;
      ULONG flags = call.flags_in;
      switch (call.method) {
        case AgentSupportCall::Method::add_ref:
          value = support_.AddRef();
          break;
        case AgentSupportCall::Method::release:
          value = support_.Release();
          break;
        case AgentSupportCall::Method::store_logoff_transports:
          value = static_cast<ULONG>(
              support_.StoreLogoffTransports(call.null_flags ? nullptr : &flags));
          if (!call.null_flags && flags != call.flags_out) disagreed_ = true;
          break;
      }
      if (value != call.value) disagreed_ = true;
    }
  }

 private:
  AgentReturn replay() {
    replay_support(call_->first_support, call_->support_count);
    if (call_->faulted) throw AgentStore::Fault{};
    return call_->returned;
  }

  const AgentCase& played_;
  SimulatedSupport& support_;
  const AgentCallRecord* call_ = nullptr;
  bool disagreed_ = false;
};

// LOGOFFCHECK_WINDOWS_BATCHES=off: every case call by call, as protocol 2 did.
bool batching_wanted() {
  const char* value = std::getenv("LOGOFFCHECK_WINDOWS_BATCHES");
  return value == nullptr || std::string_view(value) != "off";
}

}  // namespace

struct WindowsAgentRunner::State {
  std::string name;
  std::filesystem::path dll;
  CaseOptions options;
  std::uint32_t timeout_ms;
  std::optional<WineSetup> wine;
  bool sandbox = false;
  bool batching = batching_wanted();
  std::unique_ptr<WindowsAgent> agent;
  MapiProfile profile;
  AgentLog log;
  std::uint64_t started = 0;

  // The agent, started (again) when there is none alive. An agent that
  // fails to start is forgotten, so a later case tries a new one.
  WindowsAgent& running_agent() {
    if (agent && agent->alive()) return *agent;
    agent.reset();
    if (!wine) {
      wine = WineSetup::locate(windows_dll_bits(dll));
      wine->sandbox = sandbox;
    }
    ++started;
    agent = std::make_unique<WindowsAgent>(*wine, dll, name, profile, log);
    return *agent;
  }

  std::vector<AgentCase> played = std::vector<AgentCase>(kAgentBatchCases);
  std::vector<std::vector<Step>> plans = std::vector<std::vector<Step>>(kAgentBatchCases);

  [[noreturn]] void throw_logon_fault(const AgentFault& fault) const {
    Observation observed;
    observe_fault(fault, observed);
    throw ConfigurationError("provider '" + name + "' " + describe_outcome(observed) +
                             " in IMSProvider::Logon: it opened no store");
  }

  void run(std::span<const Step> steps, bool record, CaseResult& result) {
    refuse_several_stores(steps);
    WindowsAgent& current = running_agent();
    SimulatedSupport support;
    if (const std::optional<AgentFault> fault = current.open_store(support, timeout_ms)) {
      throw_logon_fault(*fault);
    }
    support.end_creation();
    AgentStore store(current, support, timeout_ms);
    CaseInterpreter(options).run(
        steps, record, result,
        [&](const Step& step, Observation& observed) {
          const bool returned = call_store(store, support, step, observed);
          if (!returned && store.fault()) observe_fault(*store.fault(), observed);
          return returned;
        },
        [&](const Step& step) { support.apply_environment_event(step.action); });
  }

  // Plays up to kAgentBatchCases cases in one batch of the agent and judges
  // them in order, stopping after the first that fails; returns how many
  // were judged (fewer when the agent ended during a case that passed).
  std::size_t play_batch(std::span<const std::span<const Step>> cases, bool record,
                         std::span<CaseResult> results) {
    std::span<const Step> planned[kAgentBatchCases];
    for (std::size_t index = 0; index < cases.size(); ++index) {
      planned_steps(options, cases[index], plans[index]);
      planned[index] = plans[index];
    }
    const std::size_t reported = running_agent().play_batch(
        std::span<const std::span<const Step>>(planned, cases.size()), timeout_ms, played);
    for (std::size_t index = 0; index < reported; ++index) {
      if (played[index].lost) {
        // The agent ended without saying where: the case alone, call by
        // call, on a fresh agent, as without batches.
        run(cases[index], record, results[index]);
      } else {
        judge(cases[index], plans[index], played[index], record, results[index]);
      }
      if (results[index].failed()) return index + 1;
    }
    return reported;
  }

  // Judges the case `steps` from what the agent reported of its plan.
  void judge(std::span<const Step> steps, const std::vector<Step>& plan, const AgentCase& reported,
             bool record, CaseResult& result) {
    SimulatedSupport support;
    ReplayStore store(reported, support);
    store.replay_support(0, reported.logon_support);
    if (!reported.opened) throw_logon_fault(*reported.fault);
    support.end_creation();
    std::size_t next_step = 0;
    std::size_t next_call = 0;
    const auto planned = [&](const Step& step) {
      if (next_step >= plan.size() || !(plan[next_step] == step)) {
        throw InternalError("windows agent: a batch played other steps than the case");
      }
      ++next_step;
    };
    CaseInterpreter(options).run(
        steps, record, result,
        [&](const Step& step, Observation& observed) {
          planned(step);
          if (next_call >= reported.calls.size()) {
            throw InternalError("windows agent: the agent ended its case before the verifier did");
          }
          const AgentCallRecord& call = reported.calls[next_call++];
          store.next(call);
          const bool returned = call_store(store, support, step, observed);
          if (store.disagreed()) {
            throw InternalError(
                "windows agent: the agent answered a support call otherwise than the verifier");
          }
          if (!returned && call.faulted) observe_fault(*reported.fault, observed);
          return returned;
        },
        [&](const Step& step) {
          planned(step);
          support.apply_environment_event(step.action);
        });
  }

  std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                        std::span<CaseResult> results) {
    for (const std::span<const Step> steps : cases) refuse_several_stores(steps);
    std::size_t judged = 0;
    while (judged < cases.size()) {
      const std::size_t size = std::min(kAgentBatchCases, cases.size() - judged);
      const std::size_t now =
          play_batch(cases.subspan(judged, size), record, results.subspan(judged, size));
      judged += now;
      if (results[judged - 1].failed()) break;
    }
    return judged;
  }
};

WindowsAgentRunner::WindowsAgentRunner(std::string dll_path, CaseOptions options,
                                       std::uint32_t timeout_ms, MapiProfile profile,
                                       bool sandbox) {
  if (timeout_ms == 0) throw ConfigurationError("the per-call timeout must be at least 1 ms");
  state_ = std::make_unique<State>();
  state_->dll = std::filesystem::absolute(dll_path);
  state_->name = std::move(dll_path);
  state_->options = options;
  state_->timeout_ms = timeout_ms;
  state_->profile = std::move(profile);
  state_->sandbox = sandbox;
}

WindowsAgentRunner::~WindowsAgentRunner() = default;

void WindowsAgentRunner::run(std::span<const Step> steps, bool record, CaseResult& result) {
  state_->run(steps, record, result);
}

std::size_t WindowsAgentRunner::run_batch(std::span<const std::span<const Step>> cases, bool record,
                                          std::span<CaseResult> results) {
  if (!state_->batching || cases.size() < 2) return CaseRunner::run_batch(cases, record, results);
  return state_->run_batch(cases, record, results);
}

const CaseOptions& WindowsAgentRunner::options() const noexcept { return state_->options; }

const std::map<std::string, std::uint64_t>& WindowsAgentRunner::unsupported_support_calls()
    const noexcept {
  return state_->log.unsupported;
}

std::vector<LogonCall> WindowsAgentRunner::logon_trace() const {
  std::vector<LogonCall> trace = state_->log.provider_init;
  trace.insert(trace.end(), state_->log.first_logon.begin(), state_->log.first_logon.end());
  return trace;
}

std::uint64_t WindowsAgentRunner::agents_started() const noexcept { return state_->started; }

}  // namespace logoffcheck
