// Room harness/search (docs/architecture.md): choosing cases. Generation as
// values (generate.h), the random engine and its shrinking (engine.h),
// bounded exhaustive exploration (explore.h). It reaches a provider only
// through a CaseRunner.
//
// logoffcheck/engine.h — the random checking engine: generate cases, run
// them through a CaseRunner, and shrink the first failure to a minimal
// counterexample that names the violated clause.
//
// Everything is a function of the configuration: case `i` of seed `s` is the
// same sequence on every run and machine, so a verdict reproduces, shards with
// the same seed and shard count partition the cases, and a counterexample
// replays exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/coverage.h"
#include "logoffcheck/errors.h"
#include "logoffcheck/generate.h"

namespace logoffcheck {

struct Progress {
  std::uint64_t cases_done = 0;   // cases of this shard run so far
  std::uint64_t cases_total = 0;  // cases of this shard in all
  std::uint64_t steps = 0;
  bool shrinking = false;
  std::uint64_t shrink_runs = 0;
  std::size_t shrunk_length = 0;  // executed steps of the smallest failure so far
};

struct RunConfig {
  CaseOptions case_options;
  std::uint64_t seed = 1;
  std::uint64_t cases = 10000;   // in all shards together
  std::uint32_t max_steps = 64;  // generated steps per case, before the final Releases
  // The stores a case may open (certify --stores, 1..kMaxStores; issue 23).
  std::uint32_t stores = 1;
  std::uint32_t shard_index = 0;
  std::uint32_t shard_count = 1;
  // Workers that run the shard's cases at once (run_certification with a
  // RunnerFactory); 0 means one per core. The result is the same whatever
  // the number.
  std::uint32_t jobs = 1;
  // Bound on the candidate runs shrinking may make (for each failure shrunk).
  std::uint64_t max_shrink_runs = 100000;
  // Keep going after the first failure (certify --keep-going): every case of
  // the shard is played, and the first failing case of each distinct failure
  // (clause and observed) is kept and shrunk, up to 16 of them.
  bool keep_going = false;
  // Known cases (certify --corpus) played in order before the seed's
  // stream, on the first runner: a failing one fails the run as a failing
  // case of the stream would. They are not counted among the run's cases.
  std::vector<std::vector<Step>> corpus;
  // Called now and then during a run (never more than every 64 cases), one
  // call at a time, from whichever worker finished a stretch of cases.
  std::function<void(const Progress&)> progress;
};

// A minimal failing sequence with everything needed to replay and explain it.
struct Counterexample {
  std::uint64_t case_index = 0;     // which case of the run failed first
  std::vector<StepRecord> records;  // every executed step, final Releases included
  Violation violation;
  std::size_t violation_step = 0;   // 0-based index into records
  std::size_t original_length = 0;  // executed steps before shrinking
  std::uint64_t shrink_runs = 0;
  // What the store wrote during the recorded run (CaseResult::provider_output).
  std::string provider_output;
  std::uint64_t provider_output_bytes = 0;
  // 0 when the failure recurred on replay. Otherwise it did not (a flaky
  // store): the failure as found, shrunk as far as it kept failing, and
  // `replays_failed` of `replays` more runs of it failed the same way.
  std::uint32_t replays = 0;
  std::uint32_t replays_failed = 0;
  // The failing case was RunConfig::corpus[*corpus_entry], not one of the
  // seed's stream (case_index is then 0).
  std::optional<std::size_t> corpus_entry;
  // Cases to play before `records`' steps in the same process (run_after):
  // the failure never recurred alone but did after these, which its worker
  // had played before it — a store keeping state in a global. Each shrunk.
  std::vector<std::vector<Step>> earlier_cases;

  std::vector<Step> steps() const;
};

struct RunResult {
  std::uint64_t cases_run = 0;
  std::uint64_t steps_run = 0;
  double seconds = 0;
  ClauseTally tally;  // over the cases of the search (not the shrinking runs)
  // The model transitions those cases exercised (coverage.h), over the same cases.
  TransitionSet coverage;
  std::optional<Counterexample> counterexample;
  // RunConfig::keep_going: the other distinct failures, shrunk, in the order
  // found (none equal to an earlier one once shrunk), and how many more
  // failing cases repeated a failure already kept.
  std::vector<Counterexample> more_counterexamples;
  std::uint64_t more_failing_cases = 0;
  // The known cases (RunConfig::corpus) played before the stream.
  std::uint64_t corpus_cases_run = 0;

  bool conformant() const noexcept { return !counterexample.has_value(); }
};

// The steps of case `index` (0-based, across all shards) under `config`.
std::vector<Step> generate_case(const RunConfig& config, std::uint64_t index);

// Runs the cases of `config`'s shard in order until one fails, then shrinks
// that one, all on the calling thread (config.jobs is not used). Throws
// ConfigurationError for an unusable provider and InternalError when the
// verifier's own spooler breaks an SP- clause.
RunResult run_certification(CaseRunner& runner, const RunConfig& config);

// Makes a runner of its own for one worker. Called on the calling thread of
// run_certification, before any case runs.
using RunnerFactory = std::function<std::unique_ptr<CaseRunner>()>;

// The same run on config.jobs workers, each with a runner from
// `make_runner`. The result is the sequential one whatever the number of
// workers: the cases are taken in chunks of consecutive positions; a failure
// ends the run only once every case before it has passed, and cases after
// the lowest failing one count for nothing (they are skipped or their
// results dropped), so verdict, counts, tally and counterexample are those of
// run_certification(runner, config). The failure is shrunk on the first
// runner. The runners must not share mutable state: each is used by one
// worker thread.
RunResult run_certification(const RunnerFactory& make_runner, const RunConfig& config);

// Shrinks a failing case. `failing` must fail with `runner`; the result
// fails with the same clause and is locally minimal: no chunk can be removed
// and no step made simpler without losing that failure.
Counterexample shrink_failure(CaseRunner& runner, const std::vector<Step>& failing,
                              std::uint64_t max_runs = 100000,
                              const std::function<void(const Progress&)>& progress = {});

// Plays the `earlier` cases, then `steps`, on `runner` in one process (as
// one batch), and returns the result of `steps`: recorded when the runner
// keeps its process from one batch to the next (in-process, and an isolated
// worker after cases that passed), else with what the model expected at
// each step and the violating step as observed. nullopt when one of the
// earlier cases failed (`steps` were then not played).
std::optional<CaseResult> run_after(CaseRunner& runner, std::span<const std::vector<Step>> earlier,
                                    std::span<const Step> steps);

// Replays of a failure that did not recur, to count how often it does.
inline constexpr std::uint32_t kFlakyReplays = 10;

// As above, from the recorded result `found` of a failing run. A failure
// that does not recur is still the store's: the result is then the last
// failing run (the one found, or a shrink of it), marked with how many of
// kFlakyReplays replays failed.
Counterexample shrink_failure(CaseRunner& runner, const CaseResult& found,
                              std::uint64_t max_runs = 100000,
                              const std::function<void(const Progress&)>& progress = {});

}  // namespace logoffcheck
