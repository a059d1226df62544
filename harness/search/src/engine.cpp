// Sequential cases as a case kind of the driver (driver.h): a case is a
// std::vector<Step>, played by a CaseRunner, judged step by step as it is
// played, and shrunk by RapidCheck's shrinks of step sequences.
#include "logoffcheck/engine.h"

#include <array>

#include "driver.h"

namespace logoffcheck {

namespace {

// "logoffch" — keeps logoffcheck's case streams apart from other users of
// the same seed.
constexpr std::uint64_t kStreamTag = 0x6c6f676f66666368ull;
constexpr int kMaxSize = 100;

rc::Random case_random(std::uint64_t seed, std::uint64_t index) {
  return rc::Random(rc::Random::Key{seed, index, kStreamTag, 0});
}

// RapidCheck's size for case `index`: cycles 0..100 so that short cases come
// early and often, and long ones regularly.
int case_size(std::uint64_t index) { return static_cast<int>(index % (kMaxSize + 1)); }

void throw_if_spooler_failed(const CaseResult& result) {
  if (!result.violation) return;
  const Clause& broken = clause(result.violation->clause);
  if (broken.party != Party::spooler) return;
  throw InternalError("the simulated spooler broke " + std::string(broken.code) + ": expected " +
                      result.violation->expected + ", answered " + result.violation->observed);
}

// The records of a failing run that was not recorded, `found`: the steps
// before the violation with what the model expected and what `replay` (a
// recorded run of the same steps that did not fail there) observed, and the
// violating step as found.
std::vector<StepRecord> as_found_records(const CaseResult& found, const CaseResult& replay,
                                         const CaseOptions& options) {
  std::vector<StepRecord> records;
  StoreStates states = initial_states(options.profile);
  for (std::size_t i = 0; i < found.violation_step; ++i) {
    const Step& step = found.executed[i];
    State& state = states[step.store];
    const Transition transition = logoffcheck::step(state, step);
    const bool replayed = i < replay.records.size() && replay.records[i].step == step;
    records.push_back(
        {step, transition.expected, replayed ? replay.records[i].observed : Observation{}});
    state = answered(transition, step, records.back().observed.result);
  }
  records.push_back(*found.violation_record);
  return records;
}

// `steps` played after the `earlier` cases in one batch: the result of
// `steps`, not recorded, or nullopt when an earlier case failed.
std::optional<CaseResult> play_after(CaseRunner& runner, std::span<const std::vector<Step>> earlier,
                                     std::span<const Step> steps) {
  std::vector<std::span<const Step>> cases(earlier.begin(), earlier.end());
  cases.push_back(steps);
  std::vector<CaseResult> results(cases.size());
  if (runner.run_batch(cases, results) < cases.size()) return std::nullopt;
  return std::move(results.back());
}

// The kind of sequential cases.
class SequentialKind {
 public:
  using Case = std::vector<Step>;
  using Result = CaseResult;
  using Runner = CaseRunner;

  SequentialKind(GenerationOptions generation, std::uint64_t seed, std::uint64_t max_shrink_runs)
      : generation_(generation), seed_(seed), max_shrink_runs_(max_shrink_runs) {}

  void generate(std::uint64_t index, Case& steps) const {
    generate_steps(generation_, case_random(seed_, index), case_size(index), steps);
  }

  // One batch through CaseRunner::run_batch: one message for a runner that
  // plays the cases in another process.
  std::size_t play_batch(Runner& runner, std::span<const Case> cases,
                         std::span<const std::uint64_t>, std::span<Result> results) const {
    std::vector<std::span<const Step>> spans(cases.begin(), cases.end());
    return runner.run_batch(spans, results);
  }

  void play(Runner& runner, const Case& steps, bool record, detail::PlayKey, Result& result) const {
    runner.run(steps, record, result);
  }

  void account(const Result& result, detail::Totals& totals) const {
    throw_if_spooler_failed(result);
    ++totals.cases;
    ++totals.plays;
    totals.steps += result.executed.size();
    totals.tally.add(result.tally);
    totals.coverage.add(result.coverage);
  }

  std::optional<ClauseId> failure(const Result& result) const {
    if (!result.violation) return std::nullopt;
    return result.violation->clause;
  }
  bool fails_with(const Result& result, ClauseId clause) const {
    return result.violation && result.violation->clause == clause;
  }
  // What tells two failures of one clause apart under --keep-going.
  const std::string& observed(const Result& result) const { return result.violation->observed; }

  // What was executed: skipped steps and untried tails are gone.
  Case shrink_start(const Case&, const Result& found) const { return found.executed; }
  rc::Seq<Case> smaller(const Case& steps) const {
    return rc::seq::map(shrinkable_steps(steps).shrinks(),
                        [](const rc::Shrinkable<Case>& candidate) { return candidate.value(); });
  }
  std::size_t length(const Case& steps) const { return steps.size(); }
  std::uint64_t max_shrink_runs() const { return max_shrink_runs_; }

  // A failure that never recurred alone: does it after the cases played
  // before it? Then the latest one that suffices alone (else all of them),
  // shrunk, and the failing case shrunk after it.
  void after_earlier_cases(Runner& runner, const detail::Found<SequentialKind>& found,
                           std::vector<Case> earlier,
                           detail::Shrunk<SequentialKind>& shrunk) const {
    const ClauseId clause = *failure(found.result);
    std::uint64_t runs = 0;
    const auto fails = [&](std::span<const Case> before, const Case& steps) {
      ++runs;
      const std::optional<CaseResult> result = play_after(runner, before, steps);
      return result && fails_with(*result, clause);
    };
    Case failing = found.result.executed;
    if (earlier.empty() || !fails(earlier, failing)) return;
    for (auto one = earlier.rbegin(); one != earlier.rend(); ++one) {
      if (fails(std::span(&*one, 1), failing)) {
        earlier = {*one};
        break;
      }
    }
    // Greedy, as the driver's shrink: the first smaller candidate that still fails.
    const auto minimise = [&](Case& current, const auto& still_fails) {
      for (bool progressed = true; progressed && runs < max_shrink_runs_;) {
        progressed = false;
        for (const Case& candidate : smaller(current)) {
          if (runs >= max_shrink_runs_) break;
          if (!still_fails(candidate)) continue;
          current = candidate;
          progressed = true;
          break;
        }
      }
    };
    if (earlier.size() == 1) {
      minimise(earlier.front(),
               [&](const Case& candidate) { return fails(std::span(&candidate, 1), failing); });
    }
    minimise(failing, [&](const Case& candidate) { return fails(earlier, candidate); });
    // The earlier cases as executed: their final Releases included.
    std::vector<std::span<const Step>> cases(earlier.begin(), earlier.end());
    std::vector<CaseResult> results(cases.size());
    if (runner.run_batch(cases, results) < cases.size()) return;
    for (std::size_t i = 0; i < earlier.size(); ++i) earlier[i] = std::move(results[i].executed);
    std::optional<CaseResult> shown = run_after(runner, earlier, failing);
    if (!shown || !fails_with(*shown, clause)) return;
    shrunk.recurred = true;
    shrunk.replays = shrunk.replays_failed = 0;
    shrunk.fresh.reset();
    shrunk.shrink_runs += runs;
    shrunk.smallest = std::move(failing);
    shrunk.shown = std::move(*shown);
    shrunk.earlier = std::move(earlier);
  }

 private:
  GenerationOptions generation_;
  std::uint64_t seed_;
  std::uint64_t max_shrink_runs_;
};

SequentialKind sequential_kind(const RunConfig& config) {
  return SequentialKind({config.case_options.profile, config.max_steps, config.stores}, config.seed,
                        config.max_shrink_runs);
}

Counterexample counterexample_of(const detail::Found<SequentialKind>& found,
                                 detail::Shrunk<SequentialKind>& shrunk,
                                 const CaseOptions& options) {
  Counterexample counterexample;
  counterexample.case_index = found.known ? 0 : found.index;
  if (found.known) counterexample.corpus_entry = found.index;
  counterexample.original_length = found.result.executed.size();
  counterexample.shrink_runs = shrunk.shrink_runs;
  counterexample.replays = shrunk.replays;
  counterexample.replays_failed = shrunk.replays_failed;
  if (!shrunk.recurred) {
    counterexample.records = as_found_records(found.result, shrunk.shown, options);
    counterexample.violation = *found.result.violation;
    counterexample.violation_step = found.result.violation_step;
    return counterexample;
  }
  CaseResult& result = shrunk.shown;
  counterexample.records = std::move(result.records);
  counterexample.violation = std::move(*result.violation);
  counterexample.violation_step = result.violation_step;
  counterexample.provider_output = std::move(result.provider_output);
  counterexample.provider_output_bytes = result.provider_output_bytes;
  counterexample.earlier_cases = std::move(shrunk.earlier);
  return counterexample;
}

RunResult run_result_of(detail::Outcome<SequentialKind>& outcome, const CaseOptions& options) {
  RunResult run;
  run.cases_run = outcome.totals.cases;
  run.steps_run = outcome.totals.steps;
  run.seconds = outcome.seconds;
  run.tally = outcome.totals.tally;
  run.coverage = outcome.totals.coverage;
  run.corpus_cases_run = outcome.known_played;
  run.more_failing_cases = outcome.more_failing_cases;
  if (outcome.found)
    run.counterexample = counterexample_of(*outcome.found, *outcome.shrunk, options);
  for (auto& [found, shrunk] : outcome.more) {
    run.more_counterexamples.push_back(counterexample_of(found, shrunk, options));
  }
  return run;
}

}  // namespace

std::vector<Step> Counterexample::steps() const {
  std::vector<Step> steps;
  steps.reserve(records.size());
  for (const StepRecord& record : records) steps.push_back(record.step);
  return steps;
}

std::optional<CaseResult> run_after(CaseRunner& runner, std::span<const std::vector<Step>> earlier,
                                    std::span<const Step> steps) {
  if (earlier.empty()) return runner.run(steps, true);
  std::optional<CaseResult> batch = play_after(runner, earlier, steps);
  if (!batch) return std::nullopt;
  // Recorded: the earlier cases as a batch, then `steps` in the same process.
  std::vector<std::span<const Step>> cases(earlier.begin(), earlier.end());
  std::vector<CaseResult> results(cases.size());
  if (runner.run_batch(cases, results) == cases.size()) {
    CaseResult recorded = runner.run(steps, true);
    if (recorded.violation == batch->violation &&
        recorded.violation_step == batch->violation_step) {
      return recorded;
    }
  }
  if (batch->violation) batch->records = as_found_records(*batch, CaseResult{}, runner.options());
  return batch;
}

std::vector<Step> generate_case(const RunConfig& config, std::uint64_t index) {
  std::vector<Step> steps;
  sequential_kind(config).generate(index, steps);
  return steps;
}

Counterexample shrink_failure(CaseRunner& runner, const std::vector<Step>& failing,
                              std::uint64_t max_runs,
                              const std::function<void(const Progress&)>& progress) {
  CaseResult result;
  runner.run(failing, false, result);
  throw_if_spooler_failed(result);
  if (!result.failed()) throw std::invalid_argument("shrink_failure: the case does not fail");
  return shrink_failure(runner, result, max_runs, progress);
}

Counterexample shrink_failure(CaseRunner& runner, const CaseResult& found, std::uint64_t max_runs,
                              const std::function<void(const Progress&)>& progress) {
  if (!found.failed()) throw std::invalid_argument("shrink_failure: the case does not fail");
  const SequentialKind kind({runner.options().profile}, 0, max_runs);
  detail::Found<SequentialKind> as_found{0, found.executed, found};
  detail::Shrunk<SequentialKind> shrunk =
      detail::shrink(kind, runner, 0, as_found.found_case, found, progress);
  return counterexample_of(as_found, shrunk, runner.options());
}

RunResult run_certification(CaseRunner& runner, const RunConfig& config) {
  CaseRunner* const runners[] = {&runner};
  detail::Outcome<SequentialKind> outcome = detail::drive(
      sequential_kind(config), std::span<CaseRunner* const>(runners),
      detail::DriverConfig::of(config), std::span<const std::vector<Step>>(config.corpus));
  return run_result_of(outcome, runner.options());
}

RunResult run_certification(const RunnerFactory& make_runner, const RunConfig& config) {
  std::optional<CaseOptions> options;
  const auto make = [&] {
    std::unique_ptr<CaseRunner> runner = make_runner();
    if (!options) options = runner->options();
    return runner;
  };
  detail::Outcome<SequentialKind> outcome =
      detail::drive_jobs(sequential_kind(config), make, detail::DriverConfig::of(config),
                         std::span<const std::vector<Step>>(config.corpus));
  return run_result_of(outcome, *options);
}

}  // namespace logoffcheck
