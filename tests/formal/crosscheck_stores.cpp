// formal_crosscheck_stores — holds the Promela specification of several
// stores in one process (model/spec/stores.pml) and the C++ composition of
// the model (logoffcheck::StoreStates: one State per store, a step of store i
// changing states[i] alone) to each other (docs/formal.md, "Several stores").
// Links logoffcheck_model only.
//
//   formal_crosscheck_stores --min-traces N < spin-simulation-output
//       replays SPIN's random traces of stores.pml (printed with
//       -DTRACE_STEPS) through logoffcheck::step on the composition and
//       compares every observed answer (count returned, StoreLogoffTransports
//       calls and flag) and the abstract state of every store after every
//       step; needs at least N complete traces.
//
// Exit status 0 when the two agree, 1 on a disagreement (the first few are
// printed), 2 on bad input.
#include <array>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "logoffcheck/mapi.h"
#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace {

using namespace logoffcheck;

// What stores.pml prints for one store: count saved transports_called
// destroyed inbound logged_off.
using StoreAbstract = std::array<long, 6>;

StoreAbstract abstract(const State& state, bool opened) {
  if (!opened) return {};
  return {state.destroyed ? 0 : static_cast<long>(state.ref_count),
          static_cast<long>(state.saved_flag),
          state.transports_called,
          state.destroyed,
          state.environment.inbound_in_progress,
          state.environment.logged_off};
}

std::string describe(const StoreAbstract& state) {
  static constexpr std::array<const char*, 6> kNames = {
      "count", "saved_flag", "transports_called", "destroyed", "inbound", "logged_off"};
  std::string text = "{";
  for (std::size_t i = 0; i < state.size(); ++i) {
    text += (i ? " " : "") + std::string(kNames[i]) + "=" + std::to_string(state[i]);
  }
  return text + "}";
}

std::optional<Step> step_of(const std::string& action, long flags) {
  const std::optional<Action> parsed = parse_action(action);
  if (!parsed) return std::nullopt;
  if (*parsed == Action::StoreLogoff) return store_logoff(static_cast<ULONG>(flags));
  return environment(*parsed);
}

struct Replay {
  StoreStates states = initial_states(Profile::deferred);
  std::array<bool, kMaxStores> opened{};
  std::size_t stores = 0;
  long traces = 0, steps = 0, disagreements = 0;

  void start(std::size_t count) {
    if (count == 0 || count > kMaxStores) throw std::runtime_error("bad store count");
    states = initial_states(Profile::deferred);
    opened = {};
    opened[0] = true;
    stores = count;
    ++traces;
  }

  void disagree(long line, const std::string& what) {
    if (++disagreements <= 10) std::cout << "line " << line << ": " << what << "\n";
  }

  // "SSTEP s action flags count calls flag STATES <6 per store>"
  void step(std::istringstream& fields, long line) {
    std::size_t store = 0;
    std::string action, states_word;
    long flags = 0, count = 0, calls = 0, flag = 0;
    if (!(fields >> store >> action >> flags >> count >> calls >> flag >> states_word) ||
        states_word != "STATES" || store >= stores) {
      throw std::runtime_error("line " + std::to_string(line) + ": not an SSTEP line");
    }
    const std::optional<Step> parsed = step_of(action, flags);
    if (!parsed) throw std::runtime_error("line " + std::to_string(line) + ": bad action");
    const Step step = on_store(*parsed, store);
    ++steps;
    opened[store] = true;
    State& state = states[step.store];
    if (!caller_may(state, step)) {
      disagree(line, "the specification's client breaks a caller rule: " + describe_step(step));
    }
    const Transition transition = logoffcheck::step(state, step);
    const Expectation& expected = transition.expected;
    if (is_client_call(step.action) && step.action != Action::StoreLogoff &&
        static_cast<long>(expected.count_returned) != count) {
      disagree(line, describe_step(step, true) + ": count " + std::to_string(count) +
                         ", the model expects " + std::to_string(expected.count_returned));
    }
    const long due = expected.transport_call_due ? 1 : 0;
    if (calls != due || (due && static_cast<long>(expected.transport_flag) != flag)) {
      disagree(line, describe_step(step, true) + ": " + std::to_string(calls) +
                         " transport calls (flag " + std::to_string(flag) +
                         "), the model expects " + std::to_string(due) + " (flag " +
                         std::to_string(expected.transport_flag) + ")");
    }
    state = transition.next;
    for (std::size_t s = 0; s < stores; ++s) {
      StoreAbstract printed{};
      for (long& field : printed) {
        if (!(fields >> field)) throw std::runtime_error("line " + std::to_string(line));
      }
      const StoreAbstract model = abstract(states[s], opened[s]);
      if (printed != model) {
        disagree(line, "after " + describe_step(step, true) + ", store " + std::to_string(s) +
                           ": specification " + describe(printed) + ", model " + describe(model));
      }
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() != 2 || args[0] != "--min-traces") {
    std::cerr << "usage: formal_crosscheck_stores --min-traces N < spin-output\n";
    return 2;
  }
  const long min_traces = std::atol(args[1].c_str());
  Replay replay;
  std::string text;
  long line = 0;
  try {
    while (std::getline(std::cin, text)) {
      ++line;
      // SPIN's simulation prefixes printf output with blanks.
      std::istringstream fields(text);
      std::string word;
      if (!(fields >> word)) continue;
      if (word == "LIFETIME") {
        std::string stores_word;
        std::size_t count = 0;
        fields >> stores_word >> count;
        replay.start(count);
      } else if (word == "SSTEP") {
        if (replay.traces == 0) throw std::runtime_error("a step before any LIFETIME");
        replay.step(fields, line);
      }
    }
  } catch (const std::exception& error) {
    std::cerr << "formal_crosscheck_stores: bad input: " << error.what() << "\n";
    return 2;
  }
  std::cout << replay.traces << " traces, " << replay.steps << " steps of several stores, "
            << replay.disagreements << " disagreements\n";
  if (replay.traces < min_traces) {
    std::cout << "FAIL: fewer than " << min_traces << " traces\n";
    return 1;
  }
  return replay.disagreements == 0 ? 0 : 1;
}
