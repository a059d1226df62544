// WindowsAgentRunner: cases played through a Windows agent, the store's
// support calls answered by this process's SimulatedSupport, and the agent's
// faults turned into the observations every runner makes.
#include "logoffcheck/windows_runner.h"

#include <filesystem>
#include <optional>

#include "case_interpreter.h"
#include "logoffcheck/support.h"

namespace logoffcheck {

namespace {

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

}  // namespace

struct WindowsAgentRunner::State {
  std::string name;
  std::filesystem::path dll;
  CaseOptions options;
  std::uint32_t timeout_ms;
  std::optional<WineSetup> wine;
  bool sandbox = false;
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

  void run(std::span<const Step> steps, bool record, CaseResult& result) {
    if (stores_used(steps) > 1) {
      throw ConfigurationError(
          "a case of several stores (--stores) is not played against a Windows DLL yet: the "
          "agent opens one store per case");
    }
    WindowsAgent& current = running_agent();
    SimulatedSupport support;
    if (const std::optional<AgentFault> fault = current.open_store(support, timeout_ms)) {
      Observation observed;
      observe_fault(*fault, observed);
      throw ConfigurationError("provider '" + name + "' " + describe_outcome(observed) +
                               " in IMSProvider::Logon: it opened no store");
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
