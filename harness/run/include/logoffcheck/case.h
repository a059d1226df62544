// Room harness/run (docs/architecture.md): playing one case against one
// store. The simulated support object (support.h), the case interpreter and
// the in-process runner (case.h), the isolating runner (isolation.h) and the
// choice between runners (runner.h). Nothing here chooses which cases to run.
//
// logoffcheck/case.h — running one test case: a sequence of steps played
// against a provider and the model side by side, step by step.
//
// A CaseRunner executes cases; InProcessRunner calls the provider directly.
// (An isolating runner executes the same cases in child processes.) The
// engine (engine.h) only ever talks to a CaseRunner.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "logoffcheck/adapter.h"
#include "logoffcheck/checks.h"
#include "logoffcheck/coverage.h"
#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"
#include "logoffcheck/step.h"

namespace logoffcheck {

struct CaseOptions {
  Profile profile = Profile::deferred;
  // SHOULD clauses end a case too.
  bool strict = false;
};

// How often each clause was judged, passed and failed.
struct ClauseTally {
  std::array<std::uint64_t, kClauseCount> passed{};
  std::array<std::uint64_t, kClauseCount> failed{};

  std::uint64_t exercised(ClauseId id) const noexcept {
    const auto i = static_cast<std::size_t>(id);
    return passed[i] + failed[i];
  }
  void add(const StepVerdicts& verdicts) noexcept;
  void add(const ClauseTally& other) noexcept;

  friend bool operator==(const ClauseTally&, const ClauseTally&) = default;
};

// Adds step verdicts to a ClauseTally in bulk: one byte-wide counter per
// clause and verdict, eight to a machine word, so that a step costs a few
// word additions; the counters go into the tally before any can overflow,
// and on flush().
class StepTally {
 public:
  void add(const StepVerdicts& verdicts, ClauseTally& tally) noexcept;
  void flush(ClauseTally& tally) noexcept;

 private:
  static constexpr std::size_t kWords = (kClauseCount + 7) / 8;
  std::array<std::uint64_t, kWords> passed_{};
  std::array<std::uint64_t, kWords> failed_{};
  std::uint32_t steps_ = 0;  // added since the last flush; at most 255
};

// One executed step with what the model expected and what was observed.
struct StepRecord {
  Step step;
  Expectation expected;
  Observation observed;
};

// The most of a store's output a CaseResult keeps: its end.
inline constexpr std::size_t kProviderOutputTail = 4096;

struct CaseResult {
  // Every executed step in order (steps a caller rule skipped are not listed),
  // including the Releases the case appended to end the store's life.
  std::vector<Step> executed;
  // With recording on: one record per executed step.
  std::vector<StepRecord> records;
  // The violation that ended the case, if any, and the 0-based index in
  // `executed` of the step where it was observed.
  std::optional<Violation> violation;
  std::size_t violation_step = 0;
  // The record of that step, recorded or not: what a failure that does not
  // recur is shown with (engine.h).
  std::optional<StepRecord> violation_record;
  ClauseTally tally;
  // The model transitions the executed steps took (coverage.h), marked as
  // they are played, so that coverage costs no second walk of the model.
  TransitionSet coverage;
  // With isolation and captured output (docs/isolation.md): the end of what
  // the store wrote to stdout and stderr during the case, at most
  // kProviderOutputTail bytes, unprintable bytes shown as '?'; and how many
  // bytes it wrote in all. Empty and 0 otherwise.
  std::string provider_output;
  std::uint64_t provider_output_bytes = 0;

  bool failed() const noexcept { return violation.has_value(); }
};

class CaseRunner {
 public:
  virtual ~CaseRunner() = default;

  // Plays `steps` (skipping those caller_may refuses), then Releases every
  // reference the client still holds, judging each step; stops at the first
  // violation that ends a case, and never calls the store after it. Records
  // each step in `result.records` when `record` is true. `result` is reused
  // to spare allocations. Throws ConfigurationError when the provider gives
  // no store.
  virtual void run(std::span<const Step> steps, bool record, CaseResult& result) = 0;

  CaseResult run(std::span<const Step> steps, bool record = true) {
    CaseResult result;
    run(steps, record, result);
    return result;
  }

  // Plays `cases` in order, each as run(cases[i], record, results[i])
  // would, stopping after the first case that fails: the cases after it are
  // not played and their results are left as they were. Returns how many
  // cases were played. Requires results.size() >= cases.size(). A runner may
  // play the cases together (the isolating runner hands a batch to one worker
  // in one message); the results are those of run() all the same. The
  // default calls run() for each case.
  virtual std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                                std::span<CaseResult> results) {
    for (std::size_t index = 0; index < cases.size(); ++index) {
      run(cases[index], record, results[index]);
      if (results[index].failed()) return index + 1;
    }
    return cases.size();
  }

  // As above, without recording the steps (how certify plays its cases).
  std::size_t run_batch(std::span<const std::span<const Step>> cases,
                        std::span<CaseResult> results) {
    return run_batch(cases, false, results);
  }

  virtual const CaseOptions& options() const noexcept = 0;
};

// Calls the provider in this process. A C++ exception escaping the provider
// is caught and reported as RC-3; a crash or hang takes the process with it
// (use an isolating runner for untrusted providers). A store whose case ends
// at a violation is abandoned, never released: it is leaked on purpose.
class InProcessRunner final : public CaseRunner {
 public:
  InProcessRunner(Provider provider, CaseOptions options)
      : provider_(std::move(provider)), options_(options) {}

  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override;
  const CaseOptions& options() const noexcept override { return options_; }

 private:
  Provider provider_;
  CaseOptions options_;
  StepTally step_tally_;
};

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
  explicit CaseInterpreter(const CaseOptions& options) : options_(options) {}

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
  StepTally step_tally_;
};

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
    result.executed.push_back(step);
    result.coverage.mark(state, step);
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
