#include "logoffcheck/engine.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <thread>

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
    state = answered(transition, step, records.back().observed.result);
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
  std::vector<Step> steps;
  generate_steps({config.case_options.profile, config.max_steps}, case_random(config.seed, index),
                 case_size(index), steps);
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

namespace {

void check_shard(const RunConfig& config) {
  if (config.shard_count == 0 || config.shard_index >= config.shard_count) {
    throw ConfigurationError("shard index " + std::to_string(config.shard_index) +
                             " is not below the shard count " +
                             std::to_string(config.shard_count));
  }
}

// The cases of the shard, numbered 0, 1, ... by position: position p is case
// shard_index + p * shard_count.
std::uint64_t shard_cases(const RunConfig& config) {
  return config.cases / config.shard_count +
         (config.shard_index < config.cases % config.shard_count ? 1 : 0);
}

// Cases are run in chunks of consecutive positions. A chunk is the unit a
// worker takes and the unit of progress reports.
constexpr std::uint64_t kChunkCases = 64;

// What running one chunk gave: the cases run up to and including its first
// failing case (none after it), or an error a sequential run would have
// stopped at.
struct ChunkResult {
  std::uint64_t cases_run = 0;
  std::uint64_t steps_run = 0;
  ClauseTally tally;
  TransitionSet coverage;
  std::optional<std::uint64_t> failing_index;  // case index of the failing case
  CaseResult failing_result;  // as found: the store's output, the violation's record
  std::exception_ptr error;

  bool ends_run() const noexcept { return failing_index.has_value() || error != nullptr; }
};

// The cases of a chunk, their steps and results, reused from chunk to chunk
// to spare allocations.
struct ChunkBuffers {
  std::vector<std::vector<Step>> steps;
  std::vector<std::span<const Step>> cases;
  std::vector<CaseResult> results;
};

// Runs the cases of chunk `chunk` in order, stopping at the first failure:
// generated together and handed to the runner as one batch (cheaper for a
// runner that plays them in another process), then taken in order as if run
// one by one. `abandon()` is asked before the chunk; when it says yes the
// chunk's result will not be used, so the chunk stops at once.
template <typename Abandon>
void run_chunk(CaseRunner& runner, const RunConfig& config, std::uint64_t chunk,
               ChunkBuffers& buffers, ChunkResult& out, Abandon&& abandon) {
  const GenerationOptions options{config.case_options.profile, config.max_steps};
  const std::uint64_t begin = chunk * kChunkCases;
  const std::uint64_t end = std::min(shard_cases(config), (chunk + 1) * kChunkCases);
  const auto index_of = [&](std::uint64_t position) {
    return config.shard_index + position * config.shard_count;
  };
  try {
    if (abandon()) return;
    const std::size_t count = end - begin;
    buffers.steps.resize(std::max(buffers.steps.size(), count));
    buffers.results.resize(std::max(buffers.results.size(), count));
    buffers.cases.clear();
    for (std::uint64_t position = begin; position < end; ++position) {
      const std::uint64_t index = index_of(position);
      std::vector<Step>& steps = buffers.steps[position - begin];
      generate_steps(options, case_random(config.seed, index), case_size(index), steps);
      buffers.cases.emplace_back(steps);
    }
    const std::size_t played =
        runner.run_batch(buffers.cases, std::span<CaseResult>(buffers.results).first(count));
    for (std::size_t offset = 0; offset < played; ++offset) {
      const CaseResult& result = buffers.results[offset];
      throw_if_spooler_failed(result);
      ++out.cases_run;
      out.steps_run += result.executed.size();
      out.tally.add(result.tally);
      out.coverage.add(result.coverage);
      if (result.failed()) {
        out.failing_index = index_of(begin + offset);
        out.failing_result = result;
        return;
      }
    }
  } catch (...) {
    out.error = std::current_exception();
  }
}

// Adds `chunk` to `run`; returns true when the run ends with it.
bool merge_chunk(RunResult& run, ChunkResult& chunk, std::optional<ChunkResult>& failing) {
  run.cases_run += chunk.cases_run;
  run.steps_run += chunk.steps_run;
  run.tally.add(chunk.tally);
  run.coverage.add(chunk.coverage);
  if (!chunk.ends_run()) return false;
  failing = std::move(chunk);
  return true;
}

// The end of a run: rethrows the error it stopped at, or shrinks its
// failing case.
void finish(CaseRunner& runner, const RunConfig& config, std::optional<ChunkResult>& failing,
            RunResult& run) {
  if (!failing) return;
  if (failing->error) std::rethrow_exception(failing->error);
  Counterexample counterexample =
      shrink_failure(runner, failing->failing_result, config.max_shrink_runs, config.progress);
  counterexample.case_index = *failing->failing_index;
  run.counterexample = std::move(counterexample);
}

// The chunks of a shard, run by several workers, merged in chunk order so
// that the result is the sequential one: a failure in chunk f ends the run
// once every chunk below f is merged; chunks above f are never merged.
class ParallelRun {
 public:
  explicit ParallelRun(const RunConfig& config)
      : config_(config), chunks_((shard_cases(config) + kChunkCases - 1) / kChunkCases) {}

  void work(CaseRunner& runner) {
    ChunkBuffers buffers;
    for (;;) {
      const std::uint64_t chunk = next_chunk_.fetch_add(1, std::memory_order_relaxed);
      if (chunk >= chunks_ || chunk > lowest_end_.load(std::memory_order_acquire)) return;
      ChunkResult out;
      run_chunk(runner, config_, chunk, buffers, out, [&] {
        return chunk > lowest_end_.load(std::memory_order_relaxed);
      });
      if (out.ends_run()) lower_end(chunk);
      if (chunk > lowest_end_.load(std::memory_order_acquire)) continue;  // discarded
      deliver(chunk, std::move(out));
    }
  }

  RunResult& result() { return run_; }
  std::optional<ChunkResult>& failing() { return failing_; }

 private:
  void lower_end(std::uint64_t chunk) {
    std::uint64_t lowest = lowest_end_.load(std::memory_order_relaxed);
    while (chunk < lowest &&
           !lowest_end_.compare_exchange_weak(lowest, chunk, std::memory_order_acq_rel)) {
    }
  }

  // Merges every chunk that is next in order; the rest wait in `pending_`.
  void deliver(std::uint64_t chunk, ChunkResult out) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) return;
    pending_.emplace(chunk, std::move(out));
    for (auto next = pending_.find(merged_); next != pending_.end();
         next = pending_.find(merged_)) {
      ++merged_;
      const bool ends = merge_chunk(run_, next->second, failing_);
      pending_.erase(next);
      if (ends) {
        ended_ = true;
        pending_.clear();
        return;
      }
    }
    if (config_.progress) {
      Progress status;
      status.cases_total = shard_cases(config_);
      status.cases_done = run_.cases_run;
      status.steps = run_.steps_run;
      config_.progress(status);  // under the lock: one call at a time
    }
  }

  const RunConfig& config_;
  const std::uint64_t chunks_;
  std::atomic<std::uint64_t> next_chunk_{0};
  // The lowest chunk known to end the run; no chunk above it counts.
  std::atomic<std::uint64_t> lowest_end_{std::numeric_limits<std::uint64_t>::max()};
  std::mutex mutex_;
  std::map<std::uint64_t, ChunkResult> pending_;  // finished, waiting for lower chunks
  std::uint64_t merged_ = 0;                      // chunks below it are merged
  bool ended_ = false;
  RunResult run_;
  std::optional<ChunkResult> failing_;
};

}  // namespace

RunResult run_certification(CaseRunner& runner, const RunConfig& config) {
  check_shard(config);
  const auto start = std::chrono::steady_clock::now();
  RunResult run;
  Progress status;
  status.cases_total = shard_cases(config);
  std::optional<ChunkResult> failing;
  ChunkBuffers buffers;
  for (std::uint64_t chunk = 0; chunk * kChunkCases < status.cases_total; ++chunk) {
    ChunkResult out;
    run_chunk(runner, config, chunk, buffers, out, [] { return false; });
    if (merge_chunk(run, out, failing)) break;
    if (config.progress) {
      status.cases_done = run.cases_run;
      status.steps = run.steps_run;
      config.progress(status);
    }
  }
  finish(runner, config, failing, run);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

RunResult run_certification(const RunnerFactory& make_runner, const RunConfig& config) {
  check_shard(config);
  const std::uint32_t jobs = config.jobs != 0 ? config.jobs
                                              : std::max(1u, std::thread::hardware_concurrency());
  // Every runner is made before any work starts, so that a provider that
  // cannot be used fails here, once.
  std::vector<std::unique_ptr<CaseRunner>> runners;
  for (std::uint32_t job = 0; job < jobs; ++job) runners.push_back(make_runner());
  if (jobs == 1) return run_certification(*runners.front(), config);

  const auto start = std::chrono::steady_clock::now();
  ParallelRun parallel(config);
  {
    std::vector<std::jthread> workers;
    for (std::uint32_t job = 1; job < jobs; ++job) {
      workers.emplace_back([&parallel, runner = runners[job].get()] { parallel.work(*runner); });
    }
    parallel.work(*runners.front());
  }  // joins the workers
  RunResult& run = parallel.result();
  finish(*runners.front(), config, parallel.failing(), run);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return std::move(run);
}

}  // namespace logoffcheck
