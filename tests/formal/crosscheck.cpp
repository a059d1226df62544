// formal_crosscheck — holds the Promela specification (model/spec/logoff.pml)
// and the C++ reference model (model/, logoffcheck::step) to each other
// (docs/formal.md, "Cross-validation"). Links logoffcheck_model only.
//
//   formal_crosscheck constants logoff.pml
//       every flag and HRESULT the specification #defines has mapi.h's value.
//   formal_crosscheck replay --min-traces N < spin-simulation-output
//       replays SPIN's random traces (printed with -DTRACE_STEPS) through
//       logoffcheck::step and compares every observable answer and every
//       abstract state; needs at least N complete traces.
//   formal_crosscheck states PROFILE CLIENT_CALLS ENVIRONMENT_EVENTS MAX_REFERENCES
//                     < pan-printf-output
//       the abstract states SPIN's exhaustive search printed equal the ones a
//       breadth-first search of the C++ model reaches under the same bounds.
//
// Exit status 0 when the two agree, 1 on a disagreement (each is printed),
// 2 on bad input.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "logoffcheck/mapi.h"
#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace {

using namespace logoffcheck;

// --- The abstract state both formalizations print -------------------------------

// What the specification prints after "STATE": the C++ State's fields, in
// this order (logoff.pml, PRINT_STATE). "accepted" is the last invalid
// input the store accepted since the last valid one (D3), -1 for none.
using AbstractState = std::array<long, 13>;

long last_accepted(const State& state) {
  return state.accepted_count == 0
             ? -1
             : static_cast<long>(state.accepted_inputs[state.accepted_count - 1]);
}

AbstractState abstract(const State& state) {
  const Environment& environment = state.environment;
  return {static_cast<long>(state.ref_count),
          static_cast<long>(state.saved_flag),
          last_accepted(state),
          state.transports_called,
          state.complete_returned,
          state.destroyed,
          environment.inbound_in_progress,
          environment.outbound_in_progress,
          environment.open_in_other_process,
          environment.reception_enabled,
          environment.logged_off,
          environment.queues_flushed,
          static_cast<long>(environment.outbox_queued)};
}

std::string describe(const AbstractState& state) {
  static constexpr std::array<const char*, 13> kNames = {
      "count",      "saved_flag", "accepted", "transports_called", "complete_returned",
      "destroyed",  "inbound",    "outbound", "other_process",     "reception",
      "logged_off", "flushed",    "queued"};
  std::string text = "{";
  for (std::size_t i = 0; i < state.size(); ++i) {
    text += (i ? " " : "") + std::string(kNames[i]) + "=" + std::to_string(state[i]);
  }
  return text + "}";
}

std::optional<AbstractState> read_state(std::istream& fields) {
  AbstractState state{};
  for (long& field : state) {
    if (!(fields >> field)) return std::nullopt;
  }
  return state;
}

// The StoreLogoff inputs the specification's client passes (logoff.pml,
// proctype Client): the five input flags, and invalid input of each kind D3
// names. `replay` checks that the traces use no other, so the two lists
// cannot drift apart unnoticed.
std::vector<Step> client_store_logoff_inputs() {
  std::vector<Step> inputs;
  for (ULONG flag : kInputFlags) inputs.push_back(store_logoff(flag));
  inputs.push_back(store_logoff_null());
  inputs.push_back(store_logoff(0));
  inputs.push_back(store_logoff(LOGOFF_NO_WAIT | LOGOFF_ORDERLY));
  inputs.push_back(store_logoff(LOGOFF_ABORT | 0x100));
  inputs.push_back(store_logoff(LOGOFF_COMPLETE));
  inputs.push_back(store_logoff(LOGOFF_NO_WAIT | LOGOFF_COMPLETE));
  return inputs;
}

bool is_client_input(const Step& step) {
  for (const Step& input : client_store_logoff_inputs()) {
    if (input == step) return true;
  }
  return false;
}

// --- constants ---------------------------------------------------------------------

int check_constants(const char* path) {
  std::ifstream file(path);
  if (!file) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  // "#define LOGOFF_ABORT 8" or "#define MAPI_E_UNKNOWN_FLAGS (-2147221242)".
  const std::regex define(R"(^#define\s+([A-Z_]+)\s+\(?(-?[0-9]+)\)?\s*(/\*.*)?$)");
  std::set<std::string> seen;
  int disagreements = 0;
  std::string line;
  while (std::getline(file, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, define)) continue;
    const std::string name = match[1];
    const long long value = std::stoll(match[2]);
    auto check = [&](const auto& table) {
      for (const auto& named : table) {
        if (named.name != name) continue;
        seen.insert(name);
        if (static_cast<long long>(named.value) != value) {
          std::cout << "DISAGREE " << name << ": logoff.pml has " << value << ", mapi.h has "
                    << static_cast<long long>(named.value) << "\n";
          ++disagreements;
        }
      }
    };
    check(kFlagNames);
    check(kHresultNames);
  }
  for (const auto& named : kFlagNames) {
    if (!seen.contains(std::string(named.name))) {
      std::cout << "MISSING " << named.name << " in logoff.pml\n";
      ++disagreements;
    }
  }
  for (const auto& named : kHresultNames) {
    if (!seen.contains(std::string(named.name))) {
      std::cout << "MISSING " << named.name << " in logoff.pml\n";
      ++disagreements;
    }
  }
  std::cout << seen.size() << " constants compared, " << disagreements << " disagreements\n";
  return disagreements == 0 ? 0 : 1;
}

// --- replay --------------------------------------------------------------------------

// One "STEP ..." line of a SPIN trace.
struct TracedStep {
  Step step;
  long result = 0;           // HRESULT, or the count AddRef/Release returned
  long flags_out = 0;        // *lpulFlags on return
  long transport_calls = 0;  // StoreLogoffTransports calls during the step
  long transport_flag = 0;   // the first call's flag ...
  long spooler_result = 0;   // ... and the spooler's answer to it
  long spooler_out = 0;
  AbstractState state{};
};

std::optional<TracedStep> read_step(std::istream& fields) {
  TracedStep traced;
  std::string action_name, state_word;
  long null_pointer = 0, flags_in = 0;
  if (!(fields >> action_name >> null_pointer >> flags_in >> traced.result >> traced.flags_out >>
        traced.transport_calls >> traced.transport_flag >> traced.spooler_result >>
        traced.spooler_out >> state_word) ||
      state_word != "STATE") {
    return std::nullopt;
  }
  const std::optional<Action> action = parse_action(action_name);
  if (!action) return std::nullopt;
  traced.step = {*action, null_pointer != 0, 0, static_cast<ULONG>(flags_in)};
  const std::optional<AbstractState> state = read_state(fields);
  if (!state) return std::nullopt;
  traced.state = *state;
  return traced;
}

// The observable answers of one step on which the two formalizations differ,
// empty when they agree. Invalid StoreLogoff input may be rejected or, as the
// SDK sample store does, accepted (D3); the final Release after accepted
// input may pass any flag the model allows.
std::vector<std::string> compare(const TracedStep& traced, const State& before,
                                 const Transition& transition) {
  std::vector<std::string> differences;
  auto expect = [&](bool agree, const std::string& what, long spin, long model) {
    if (!agree) {
      differences.push_back(what + ": SPIN " + std::to_string(spin) + ", C++ model " +
                            std::to_string(model));
    }
  };
  const Expectation& expected = transition.expected;
  const Step& step = traced.step;
  if (step.action == Action::AddRef || step.action == Action::Release) {
    expect(traced.result == static_cast<long>(expected.count_returned), "count returned",
           traced.result, expected.count_returned);
  } else if (step.action == Action::StoreLogoff) {
    const bool accepted = !expected.valid_input && !step.null_flags_pointer &&
                          before.profile == Profile::deferred &&
                          !failed(static_cast<HRESULT>(traced.result));
    expect(static_cast<HRESULT>(traced.result) == expected.result || accepted,
           "StoreLogoff HRESULT", traced.result, expected.result);
    const ULONG out = static_cast<ULONG>(traced.flags_out);
    if (expected.output == OutputRule::exactly) {
      expect(out == expected.output_flags, "*lpulFlags", traced.flags_out, expected.output_flags);
    } else if (expected.output == OutputRule::input_activity_or_complete) {
      expect(
          out == expected.output_flags || (out & ~kActivityFlagMask) == 0 || out == LOGOFF_COMPLETE,
          "*lpulFlags (input, ACT subset or LOGOFF_COMPLETE)", traced.flags_out,
          expected.output_flags);
    }
  }
  const long due = expected.transport_call_due ? 1 : 0;
  expect(traced.transport_calls == due, "StoreLogoffTransports calls", traced.transport_calls, due);
  const bool flag_as_expected =
      static_cast<ULONG>(traced.transport_flag) == expected.transport_flag;
  if (due && traced.transport_calls == 1 && !flag_as_expected && expected.final_release &&
      before.profile == Profile::deferred &&
      final_flag_allowed(before, static_cast<ULONG>(traced.transport_flag))) {
    // D3: an accepted input passed on; the spooler answers that flag.
    const SpoolerAnswer answer = spooler_store_logoff_transports(
        before.environment, static_cast<ULONG>(traced.transport_flag));
    expect(static_cast<HRESULT>(traced.spooler_result) == answer.result, "spooler HRESULT",
           traced.spooler_result, answer.result);
    expect(static_cast<ULONG>(traced.spooler_out) == answer.flags_out, "spooler *lpulFlags",
           traced.spooler_out, answer.flags_out);
    State next = transition.next;
    next.environment = answer.after;
    if (traced.state != abstract(next)) {
      differences.push_back("state after: SPIN " + describe(traced.state) + ", C++ model " +
                            describe(abstract(next)));
    }
    return differences;
  }
  if (due && traced.transport_calls == 1) {
    expect(flag_as_expected, "StoreLogoffTransports flag", traced.transport_flag,
           expected.transport_flag);
    expect(static_cast<HRESULT>(traced.spooler_result) == expected.spooler.result,
           "spooler HRESULT", traced.spooler_result, expected.spooler.result);
    expect(static_cast<ULONG>(traced.spooler_out) == expected.spooler.flags_out,
           "spooler *lpulFlags", traced.spooler_out, expected.spooler.flags_out);
  }
  const State next = answered(transition, traced.step, static_cast<HRESULT>(traced.result));
  if (traced.state != abstract(next)) {
    differences.push_back("state after: SPIN " + describe(traced.state) + ", C++ model " +
                          describe(abstract(next)));
  }
  return differences;
}

int replay(long min_traces) {
  long traces = 0, complete = 0, steps = 0, disagreements = 0;
  std::optional<State> state;  // the C++ model's state in the current trace
  std::string line;
  auto disagree = [&](const std::string& what) {
    if (disagreements++ < 20) std::cout << "DISAGREE trace " << traces << ": " << what << "\n";
  };
  auto finish_trace = [&] {
    if (state && state->destroyed)
      ++complete;
    else if (state)
      disagree("the trace ends before the final Release");
  };
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string word;
    fields >> word;
    if (word == "LIFETIME") {
      finish_trace();
      std::string profile_text;
      fields >> profile_text;
      const std::optional<Profile> profile = parse_profile(profile_text);
      if (!profile) {
        std::cerr << "bad profile in: " << line << "\n";
        return 2;
      }
      ++traces;
      state = initial_state(*profile);
      if (!std::getline(std::cin, line) || !line.starts_with("STATE ")) {
        std::cerr << "LIFETIME without its initial STATE\n";
        return 2;
      }
      std::istringstream state_fields(line.substr(6));
      const std::optional<AbstractState> initial = read_state(state_fields);
      if (!initial) {
        std::cerr << "bad line: " << line << "\n";
        return 2;
      }
      if (*initial != abstract(*state)) {
        disagree("initial state: SPIN " + describe(*initial) + ", C++ model " +
                 describe(abstract(*state)));
      }
    } else if (word == "STEP") {
      const std::optional<TracedStep> traced = read_step(fields);
      if (!traced || !state) {
        std::cerr << "bad line: " << line << "\n";
        return 2;
      }
      ++steps;
      const std::string where = "step " + describe_step(traced->step);
      if (traced->step.action == Action::StoreLogoff && !is_client_input(traced->step)) {
        disagree(where + ": an input the C++ side's list of client inputs does not have");
      }
      if (!caller_may(*state, traced->step)) {
        disagree(where + ": the C++ model's caller rules forbid this step");
        state.reset();
        continue;
      }
      const Transition transition = step(*state, traced->step);
      for (const std::string& difference : compare(*traced, *state, transition)) {
        disagree(where + ": " + difference);
      }
      state = answered(transition, traced->step, static_cast<HRESULT>(traced->result));
    }
  }
  finish_trace();
  std::cout << complete << " of " << traces << " SPIN traces (" << steps
            << " steps) replayed through the C++ model, " << disagreements << " disagreements\n";
  if (complete < min_traces) {
    std::cout << "FAIL: fewer than " << min_traces << " complete traces\n";
    return 1;
  }
  return disagreements == 0 ? 0 : 1;
}

// --- states --------------------------------------------------------------------------

// The C++ model's reachable abstract states under the bounds of the
// specification's client and environment (logoff.pml, "Bounds"): at most
// `client_calls` calls, then only Releases; at most `environment_events`
// events; at most `max_references` references held by the client.
std::set<AbstractState> model_reachable_states(Profile profile, int client_calls,
                                               int environment_events, int max_references) {
  struct Node {
    State state;
    int client_budget;
    int environment_budget;
    auto operator<=>(const Node& other) const {
      return std::tie(client_budget, environment_budget, state.ref_count, state.saved_flag,
                      state.accepted_inputs, state.accepted_count, state.transports_called,
                      state.complete_returned, state.destroyed,
                      state.environment.inbound_in_progress, state.environment.outbound_in_progress,
                      state.environment.open_in_other_process, state.environment.reception_enabled,
                      state.environment.logged_off, state.environment.queues_flushed,
                      state.environment.outbox_queued) <=>
             std::tie(
                 other.client_budget, other.environment_budget, other.state.ref_count,
                 other.state.saved_flag, other.state.accepted_inputs, other.state.accepted_count,
                 other.state.transports_called, other.state.complete_returned,
                 other.state.destroyed, other.state.environment.inbound_in_progress,
                 other.state.environment.outbound_in_progress,
                 other.state.environment.open_in_other_process,
                 other.state.environment.reception_enabled, other.state.environment.logged_off,
                 other.state.environment.queues_flushed, other.state.environment.outbox_queued);
    }
  };
  std::vector<Step> client_steps = client_store_logoff_inputs();
  client_steps.push_back(add_ref());
  client_steps.push_back(release());
  std::set<Node> seen;
  std::vector<Node> frontier = {{initial_state(profile), client_calls, environment_events}};
  seen.insert(frontier.front());
  std::set<AbstractState> reached = {abstract(frontier.front().state)};
  while (!frontier.empty()) {
    std::vector<Node> next_frontier;
    auto visit = [&](const Node& node, const Step& event, int client_cost, int environment_cost) {
      const Node next{step(node.state, event).next, node.client_budget - client_cost,
                      node.environment_budget - environment_cost};
      reached.insert(abstract(next.state));
      if (seen.insert(next).second) next_frontier.push_back(next);
    };
    for (const Node& node : frontier) {
      for (const Step& call : client_steps) {
        if (!caller_may(node.state, call)) continue;
        // The budget bounds every call but the Releases that end a lifetime.
        if (call.action != Action::Release && node.client_budget == 0) continue;
        if (call.action == Action::AddRef &&
            node.state.ref_count >= static_cast<ULONG>(max_references)) {
          continue;
        }
        visit(node, call, node.client_budget > 0 ? 1 : 0, 0);
      }
      if (node.environment_budget > 0) {
        for (std::size_t a = static_cast<std::size_t>(Action::InboundBegins); a < kActionCount;
             ++a) {
          const Step event = environment(static_cast<Action>(a));
          if (caller_may(node.state, event)) visit(node, event, 0, 1);
        }
      }
    }
    frontier = std::move(next_frontier);
  }
  return reached;
}

int compare_states(const char* profile_text, int client_calls, int environment_events,
                   int max_references) {
  const std::optional<Profile> profile = parse_profile(profile_text);
  if (!profile) {
    std::cerr << "unknown profile " << profile_text << "\n";
    return 2;
  }
  std::set<AbstractState> spin_states;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.starts_with("STATE ")) continue;
    std::istringstream fields(line.substr(6));
    const std::optional<AbstractState> state = read_state(fields);
    if (!state) {
      std::cerr << "bad line: " << line << "\n";
      return 2;
    }
    spin_states.insert(*state);
  }
  const std::set<AbstractState> model_states =
      model_reachable_states(*profile, client_calls, environment_events, max_references);
  int only_spin = 0, only_model = 0;
  for (const AbstractState& state : spin_states) {
    if (!model_states.contains(state) && only_spin++ < 10) {
      std::cout << "ONLY SPIN " << describe(state) << "\n";
    }
  }
  for (const AbstractState& state : model_states) {
    if (!spin_states.contains(state) && only_model++ < 10) {
      std::cout << "ONLY C++ " << describe(state) << "\n";
    }
  }
  std::cout << profile_text << ": SPIN reached " << spin_states.size()
            << " abstract states, the C++ model " << model_states.size() << "; " << only_spin
            << " only in SPIN, " << only_model << " only in the C++ model\n";
  return spin_states.empty() || only_spin != 0 || only_model != 0 ? 1 : 0;
}

int usage() {
  std::cerr << "usage: formal_crosscheck constants FILE.pml\n"
               "       formal_crosscheck replay --min-traces N < spin-trace\n"
               "       formal_crosscheck states PROFILE CLIENT_CALLS ENVIRONMENT_EVENTS "
               "MAX_REFERENCES < pan-output\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "constants") return check_constants(argv[2]);
  if (args.size() == 3 && args[0] == "replay" && args[1] == "--min-traces") {
    return replay(std::stol(args[2]));
  }
  if (args.size() == 5 && args[0] == "states") {
    return compare_states(argv[2], std::stoi(args[2]), std::stoi(args[3]), std::stoi(args[4]));
  }
  return usage();
}
