// case_interpreter.h (internal to harness/run) — the interpreter every runner
// shares: a case played against the model, one client call at a time, by
// whatever makes the call (in process, in a worker, in the Windows agent, on
// one of several threads).
#pragma once

#include <span>
#include <vector>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/case_result.h"
#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"
#include "logoffcheck/step.h"
#include "logoffcheck/tally.h"

namespace logoffcheck {

class SimulatedSupport;

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

// The interpreter shared by every runner: given a way to make one client call
// on the store, plays a case against the model. `call(step, observation)`
// performs the client call of `step`, fills in `observation`, and returns
// false when the store must not be touched again (a fault). Exposed so that
// isolating runners can run the provider side in a child process.
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

  // Returns true when the case made the Release that took the count to zero;
  // false when it ended at a violation first, leaving the store with
  // references it will never be asked to give back.
  template <typename Call, typename Environment>
  bool run(std::span<const Step> steps, bool record, CaseResult& result, Call&& call,
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
inline void planned_steps(const CaseOptions& options, std::span<const Step> steps,
                          std::vector<Step>& plan) {
  plan.clear();
  State state = initial_state(options.profile);
  for (const Step& event : steps) {
    if (!caller_may(state, event)) continue;
    state = step(state, event).next;
    plan.push_back(event);
  }
  while (!state.destroyed) {
    state = step(state, release()).next;
    plan.push_back(release());
  }
}

template <typename Call, typename EnvironmentEvent>
bool CaseInterpreter::run(std::span<const Step> steps, bool record, CaseResult& result, Call&& call,
                          EnvironmentEvent&& environment_event) {
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
  State state = initial_state(options_.profile);
  const auto play = [&](const Step& step) {
    const Transition transition = logoffcheck::step(state, step);
    Observation observed;
    bool alive = true;
    if (is_client_call(step.action)) {
      alive = call(step, observed);
    } else {
      environment_event(step.action);
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
    if (!caller_may(state, step)) continue;
    if (!play(step)) {
      ended = true;
      break;
    }
  }
  while (!ended && !state.destroyed) {
    if (!play(release())) break;
  }
  step_tally_.flush(result.tally);
  return state.destroyed;
}

}  // namespace logoffcheck
