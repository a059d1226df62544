// case_interpreter.h (internal to harness/run) — the interpreter every runner
// shares: a case played against the model, one client call at a time, by
// whatever makes the call (in process, in a worker, in the Windows agent, on
// one of several threads).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/case_result.h"
#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"
#include "logoffcheck/step.h"
#include "logoffcheck/support.h"
#include "logoffcheck/tally.h"

namespace logoffcheck {

// Opens a store of `provider` on `support` and ends the creating call. Throws
// ConfigurationError when the provider throws or returns nullptr.
IMsgStore& open_checked_store(const Provider& provider, SimulatedSupport& support);

// Makes the client call of `step` on `store`, recording the result and every
// support-object call into `observed`. An escaping C++ exception is caught and
// recorded as CallOutcome::threw. Returns true when the call returned.
bool call_store(IMsgStore& store, SimulatedSupport& support, const Step& step,
                Observation& observed) noexcept;

// As call_store, made by one of several threads calling the store at once:
// the support object records into `observed` only the calls made on the
// calling thread (SimulatedSupport::begin_thread_step).
bool call_store_concurrently(IMsgStore& store, SimulatedSupport& support, const Step& step,
                             Observation& observed) noexcept;

// The stores of one case played in this process, each on a support object
// of its own (its own spooler environment), each opened at its first client
// call. Store 0 is opened first by open_first().
class CaseStores {
 public:
  explicit CaseStores(const Provider& provider) : provider_(provider) {}

  IMsgStore& open_first() { return store(0); }

  // Store `index`, opened now if it was not yet.
  IMsgStore& store(std::size_t index) {
    if (stores_[index] == nullptr) stores_[index] = &open_checked_store(provider_, support(index));
    return *stores_[index];
  }

  SimulatedSupport& support(std::size_t index) {
    if (!supports_[index]) supports_[index].emplace();
    return *supports_[index];
  }

  // The client call of `step` on its store (call_store).
  bool call(const Step& step, Observation& observed) {
    return call_store(store(step.store), support(step.store), step, observed);
  }

  // The environment event of `step` in its store's environment.
  void environment_event(const Step& step) {
    support(step.store).apply_environment_event(step.action);
  }

  // The stores whose bit is set in `alive`, if opened.
  template <typename Each>
  void each_alive(std::uint32_t alive, Each&& each) {
    for (std::size_t index = 0; index < kMaxStores; ++index) {
      if ((alive >> index & 1) != 0 && stores_[index] != nullptr) each(*stores_[index]);
    }
  }

 private:
  const Provider& provider_;
  std::array<std::optional<SimulatedSupport>, kMaxStores> supports_;
  std::array<IMsgStore*, kMaxStores> stores_{};
};

// The interpreter shared by every runner: given a way to make one client call
// on a store, plays a case against the model. `call(step, observation)`
// performs the client call of `step` on store `step.store` (a runner opens
// each store of the case at its first call: store 0 always, another only
// when a step names it), fills in `observation`, and returns false when the
// store must not be touched again (a fault). `environment_event(step)`
// changes the spooler environment of store `step.store`: each store has its
// own, as MAPI's spooler keeps one per store. Exposed so that isolating
// runners can run the provider side in a child process.
class CaseInterpreter {
 public:
  // How much of a judgement the caller needs.
  enum class Judging {
    full,  // the verdict, the tally, coverage, the executed steps and the words
    // Whether the case fails, and at which clause (result.violation holds the
    // clause alone): what a worker needs to stop its batch at a failing case,
    // which the verifier judges in full from the same observations.
    verdict_only,
  };

  explicit CaseInterpreter(const CaseOptions& options, Judging judging = Judging::full)
      : options_(options), judging_(judging) {}

  // Plays the case; each store is judged against a model state of its own.
  // After the steps, Releases every reference the client still holds, store
  // by store in index order. Returns the stores left alive: bit i set when
  // store i was opened and the case ended at a violation before the Release
  // that took its count to zero, leaving it with references it will never be
  // asked to give back. 0 when every store was released.
  template <typename Call, typename Environment>
  std::uint32_t run(std::span<const Step> steps, bool record, CaseResult& result, Call&& call,
                    Environment&& environment_event);

 private:
  // Judges one step; returns false when the case ends.
  bool judge(const State& before, const Step& step, const Expectation& expected,
             const Observation& observed, bool record, CaseResult& result);

  CaseOptions options_;
  Judging judging_;
  StepTally step_tally_;
};

// The steps run() plays of `steps` when every call returns and no judgement
// ends the case, in order: those caller_may allows, then the Releases the
// client still owes. Which steps run() plays depends on the model alone (the
// store's answers change only what answered() remembers of accepted input,
// which no caller rule reads), so a runner may ship them ahead: the Windows
// agent's batches play them all, and run() asks for a prefix of them.
// With several stores, each store's steps by its own state, then each
// opened store's Releases in index order, as run() plays them.
inline void planned_steps(const CaseOptions& options, std::span<const Step> steps,
                          std::vector<Step>& plan) {
  plan.clear();
  StoreStates states = initial_states(options.profile);
  std::uint32_t opened = 1;
  for (const Step& event : steps) {
    if (event.store >= kMaxStores) continue;
    opened |= std::uint32_t{1} << event.store;
    State& state = states[event.store];
    if (!caller_may(state, event)) continue;
    state = step(state, event).next;
    plan.push_back(event);
  }
  for (std::size_t store = 0; store < kMaxStores; ++store) {
    if ((opened >> store & 1) == 0) continue;
    while (!states[store].destroyed) {
      states[store] = step(states[store], on_store(release(), store)).next;
      plan.push_back(on_store(release(), store));
    }
  }
}

template <typename Call, typename EnvironmentEvent>
std::uint32_t CaseInterpreter::run(std::span<const Step> steps, bool record, CaseResult& result,
                                   Call&& call, EnvironmentEvent&& environment_event) {
  result.executed.clear();
  result.records.clear();
  result.violation.reset();
  result.violation_step = 0;
  result.violation_record.reset();
  result.tally = {};
  result.coverage = {};
  step_tally_ = {};
  result.provider_output.clear();
  result.provider_output_bytes = 0;
  StoreStates states = initial_states(options_.profile);
  std::uint32_t opened = 1;  // store 0 is every case's
  const auto play = [&](const Step& step) {
    State& state = states[step.store];
    const Transition transition = logoffcheck::step(state, step);
    Observation observed;
    bool alive = true;
    if (is_client_call(step.action)) {
      alive = call(step, observed);
    } else {
      environment_event(step);
    }
    if (judging_ == Judging::full) {
      result.executed.push_back(step);
      result.coverage.mark(state, step);
    }
    const bool go_on = judge(state, step, transition.expected, observed, record, result) && alive;
    state = answered(transition, step, observed.result);  // D3: accepted input is remembered
    return go_on;
  };
  bool ended = false;
  for (const Step& step : steps) {
    if (step.store >= kMaxStores)
      throw std::invalid_argument("a step names a store beyond the last");
    opened |= std::uint32_t{1} << step.store;
    if (!caller_may(states[step.store], step)) continue;
    if (!play(step)) {
      ended = true;
      break;
    }
  }
  for (std::size_t store = 0; store < kMaxStores && !ended; ++store) {
    if ((opened >> store & 1) == 0) continue;
    while (!states[store].destroyed) {
      if (!play(on_store(release(), store))) {
        ended = true;
        break;
      }
    }
  }
  step_tally_.flush(result.tally);
  std::uint32_t alive = 0;
  for (std::size_t store = 0; store < kMaxStores; ++store) {
    if ((opened >> store & 1) != 0 && !states[store].destroyed) alive |= std::uint32_t{1} << store;
  }
  return alive;
}

}  // namespace logoffcheck
