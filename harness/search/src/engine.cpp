#include "logoffcheck/engine.h"

#include <chrono>

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

rc::Shrinkable<std::vector<Step>> generate(const RunConfig& config, std::uint64_t index) {
  const GenerationOptions options{config.case_options.profile, config.max_steps};
  return gen_steps(options)(case_random(config.seed, index), case_size(index));
}

void throw_if_spooler_failed(const CaseResult& result) {
  if (!result.violation) return;
  const Clause& broken = clause(result.violation->clause);
  if (broken.party != Party::spooler) return;
  throw InternalError("the simulated spooler broke " + std::string(broken.code) + ": expected " +
                      result.violation->expected + ", answered " + result.violation->observed);
}

bool same_failure(const CaseResult& result, ClauseId clause) {
  return result.violation && result.violation->clause == clause;
}

// The records of a failing run that was not recorded, `found`: the steps
// before the violation with what the model expected and what `replay` (a
// recorded run of the same steps that did not fail there) observed, and the
// violating step as found.
std::vector<StepRecord> as_found_records(const CaseResult& found, const CaseResult& replay,
                                         const CaseOptions& options) {
  std::vector<StepRecord> records;
  State state = initial_state(options.profile);
  for (std::size_t i = 0; i < found.violation_step; ++i) {
    const Step& step = found.executed[i];
    const Transition transition = logoffcheck::step(state, step);
    const bool replayed = i < replay.records.size() && replay.records[i].step == step;
    records.push_back({step, transition.expected,
                       replayed ? replay.records[i].observed : Observation{}});
    state = transition.next;
  }
  records.push_back(*found.violation_record);
  return records;
}

}  // namespace

std::vector<Step> Counterexample::steps() const {
  std::vector<Step> steps;
  steps.reserve(records.size());
  for (const StepRecord& record : records) steps.push_back(record.step);
  return steps;
}

std::vector<Step> generate_case(const RunConfig& config, std::uint64_t index) {
  return generate(config, index).value();
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

Counterexample shrink_failure(CaseRunner& runner, const CaseResult& found,
                              std::uint64_t max_runs,
                              const std::function<void(const Progress&)>& progress) {
  if (!found.failed()) throw std::invalid_argument("shrink_failure: the case does not fail");
  const ClauseId clause = found.violation->clause;

  Counterexample counterexample;
  counterexample.original_length = found.executed.size();
  // The failure again, recorded: what shrinking starts from, and what is
  // reported should later runs not fail.
  CaseResult last_failure;
  CaseResult result;
  std::uint32_t attempts = 0;
  bool recurred = false;
  while (!recurred && attempts < kFlakyReplays) {
    runner.run(found.executed, true, result);
    ++attempts;
    recurred = same_failure(result, clause);
  }
  if (!recurred) {
    // Never again: the failure stands as found.
    counterexample.records = as_found_records(found, result, runner.options());
    counterexample.violation = *found.violation;
    counterexample.violation_step = found.violation_step;
    counterexample.replays = kFlakyReplays;
    return counterexample;
  }
  std::swap(last_failure, result);
  // Shrink what was executed: skipped steps and untried tails are gone.
  std::vector<Step> current = found.executed;
  Progress status;
  status.shrinking = true;
  status.shrunk_length = current.size();
  bool progressed = true;
  while (progressed && counterexample.shrink_runs < max_runs) {
    progressed = false;
    for (const auto& candidate : shrinkable_steps(current).shrinks()) {
      if (counterexample.shrink_runs >= max_runs) break;
      const std::vector<Step> steps = candidate.value();
      runner.run(steps, true, result);
      ++counterexample.shrink_runs;
      if (!same_failure(result, clause)) continue;
      // Keep the candidate itself: every shrink is strictly smaller (shorter,
      // or a simpler step), so this terminates. Its executed form may be
      // longer by the appended final Releases.
      current = steps;
      std::swap(last_failure, result);
      progressed = true;
      if (progress) {
        status.shrink_runs = counterexample.shrink_runs;
        status.shrunk_length = current.size();
        progress(status);
      }
      break;
    }
  }
  runner.run(current, true, result);
  if (attempts > 1 || !same_failure(result, clause)) {
    // A flaky store: the last failing run stands, with how often it recurs.
    counterexample.replays = kFlakyReplays;
    counterexample.replays_failed = same_failure(result, clause) ? 1 : 0;
    for (std::uint32_t replay = 1; replay < kFlakyReplays; ++replay) {
      runner.run(current, false, result);
      counterexample.replays_failed += same_failure(result, clause) ? 1 : 0;
    }
    result = std::move(last_failure);
  }
  counterexample.records = std::move(result.records);
  counterexample.violation = std::move(*result.violation);
  counterexample.violation_step = result.violation_step;
  counterexample.provider_output = std::move(result.provider_output);
  counterexample.provider_output_bytes = result.provider_output_bytes;
  return counterexample;
}

RunResult run_certification(CaseRunner& runner, const RunConfig& config) {
  if (config.shard_count == 0 || config.shard_index >= config.shard_count) {
    throw ConfigurationError("shard index " + std::to_string(config.shard_index) +
                             " is not below the shard count " +
                             std::to_string(config.shard_count));
  }
  const auto start = std::chrono::steady_clock::now();
  RunResult run;
  Progress status;
  status.cases_total = config.cases / config.shard_count +
                       (config.shard_index < config.cases % config.shard_count ? 1 : 0);
  CaseResult result;
  for (std::uint64_t index = config.shard_index; index < config.cases;
       index += config.shard_count) {
    const rc::Shrinkable<std::vector<Step>> generated = generate(config, index);
    const std::vector<Step> steps = generated.value();
    runner.run(steps, false, result);
    throw_if_spooler_failed(result);
    ++run.cases_run;
    run.steps_run += result.executed.size();
    run.tally.add(result.tally);
    if (result.failed()) {
      Counterexample counterexample = shrink_failure(runner, result, config.max_shrink_runs,
                                                     config.progress);
      counterexample.case_index = index;
      run.counterexample = std::move(counterexample);
      break;
    }
    if (config.progress && run.cases_run % 64 == 0) {
      status.cases_done = run.cases_run;
      status.steps = run.steps_run;
      config.progress(status);
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace logoffcheck
