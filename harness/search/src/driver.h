// Private to harness/search: the one driver every kind of case runs under.
//
// A *case kind* says what a case is and how one is played; the driver owns
// everything else: which cases a shard runs, chunks of them handed whole to
// a runner, --jobs workers, progress, confirming a failure (flakiness),
// shrinking it, and the totals of the run. Sequential cases (engine.cpp)
// and concurrent histories (concurrent.cpp) are two kinds; the next one
// (several stores per case) is a third kind, and a new way to play a kind's
// cases (a controlled schedule, another platform) is a new runner of it.
//
// A kind K provides (see SequentialKind and ConcurrentKind for the two):
//   K::Case    a value: what case `index` of a seed is
//   K::Result  what playing it once gave (a sequential case's CaseResult, a
//              concurrent case's `repeat` judged histories)
//   K::Runner  what plays it (CaseRunner, HistoryRunner)
//   generate(index, Case&)                     case `index` of the seed
//   play_batch(Runner&, cases, indices, results) -> played
//                     plays cases in order as play() would with play 0,
//                     stopping after the first that fails
//   play(Runner&, case, record, PlayKey, Result&)
//   account(result, Totals&)       adds what a search play counts; throws
//                                  InternalError when the verifier's own
//                                  spooler failed
//   failure(result) -> optional<ClauseId>   the clause it failed, if any
//   fails_with(result, clause) -> bool
//   shrink_start(case, result) -> Case      what shrinking starts from
//   smaller(case) -> rc::Seq<Case>   candidates, each strictly smaller
//   length(case)                     its size, for progress
//   max_shrink_runs()                the bound on candidate plays
// and may provide
//   finish(Runner&, const Found&, Shrunk&)   after shrinking, on the runner
//                     that shrank: what only that runner can add (a
//                     controlled runner's fewest preemptions, shrink_schedule.h)
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "logoffcheck/engine.h"

namespace logoffcheck::detail {

// Which play of which case: the search plays case `case_index` as play 0;
// confirming and shrinking a failure of it number their plays 1, 2, ... A
// kind whose plays vary by schedule (concurrent histories) draws the
// schedule from it, so that a run is a function of its seed.
struct PlayKey {
  std::uint64_t case_index = 0;
  std::uint64_t play = 0;
};

// What the search of a run adds up (shrinking plays aside).
struct Totals {
  std::uint64_t cases = 0;
  std::uint64_t plays = 0;  // plays of those cases: concurrent cases play `repeat` histories
  std::uint64_t steps = 0;  // executed steps (calls and events)
  // Plays in which calls of two threads overlapped in time: what varies
  // between runs of one seed (0 for sequential cases).
  std::uint64_t overlapping_plays = 0;
  ClauseTally tally;
  TransitionSet coverage;

  void add(const Totals& other) {
    cases += other.cases;
    plays += other.plays;
    steps += other.steps;
    overlapping_plays += other.overlapping_plays;
    tally.add(other.tally);
    coverage.add(other.coverage);
  }
};

// The shard and its bounds, the same for every kind.
struct DriverConfig {
  std::uint64_t seed = 1;
  std::uint64_t cases = 0;
  std::uint32_t shard_index = 0;
  std::uint32_t shard_count = 1;
  std::uint32_t jobs = 1;
  std::function<void(const Progress&)> progress;

  static DriverConfig of(const RunConfig& run) {
    return {run.seed, run.cases, run.shard_index, run.shard_count, run.jobs, run.progress};
  }
};

// Throws ConfigurationError for a shard that does not exist.
void check_shard(const DriverConfig& config);

// The cases of the shard, numbered 0, 1, ... by position: position p is case
// shard_index + p * shard_count.
std::uint64_t shard_cases(const DriverConfig& config) noexcept;

// Cases are played in chunks of consecutive positions. A chunk is the unit a
// worker takes, the batch a runner plays at once, and the unit of progress.
inline constexpr std::uint64_t kChunkCases = 64;

// Workers for `jobs` (0: one per core).
std::uint32_t worker_count(std::uint32_t jobs) noexcept;

// The first failing case of a search, as found.
template <typename Kind>
struct Found {
  std::uint64_t index = 0;
  typename Kind::Case found_case;
  typename Kind::Result result;
};

// A failure confirmed and shrunk (or not confirmed: a flaky store).
template <typename Kind>
struct Shrunk {
  typename Kind::Case smallest;  // locally minimal (as found when it never recurred)
  // The failing play the counterexample shows: the last failing play of
  // `smallest`; when the failure never recurred, the replay that passed.
  typename Kind::Result shown;
  // When the store is flaky: the first play of `smallest` after shrinking,
  // failing or not (else `shown` is that play).
  std::optional<typename Kind::Result> fresh;
  bool recurred = false;
  std::uint64_t shrink_runs = 0;
  // 0 when the failure recurred at once and every time; otherwise
  // `replays_failed` of `replays` plays of `smallest` failed the same way.
  std::uint32_t replays = 0;
  std::uint32_t replays_failed = 0;
};

// Confirms the failure `found` (up to kFlakyReplays plays until it recurs),
// then shrinks it: a candidate is kept when it fails with the same clause;
// every candidate is strictly smaller, so this ends. Then plays the smallest
// once more: a failure that needed more than one play to recur, or does not
// recur then, is flaky, and kFlakyReplays plays say how often it recurs.
template <typename Kind>
Shrunk<Kind> shrink(const Kind& kind, typename Kind::Runner& runner, std::uint64_t case_index,
                    const typename Kind::Case& found_case, const typename Kind::Result& found,
                    const std::function<void(const Progress&)>& progress) {
  using Result = typename Kind::Result;
  using Case = typename Kind::Case;
  const ClauseId clause = *kind.failure(found);
  std::uint64_t plays = 0;
  const auto next_key = [&] { return PlayKey{case_index, ++plays}; };
  const std::uint64_t max_runs = kind.max_shrink_runs();

  Shrunk<Kind> shrunk;
  Case current = kind.shrink_start(found_case, found);
  Result last_failure;
  Result result;
  std::uint32_t attempts = 0;
  while (!shrunk.recurred && attempts < kFlakyReplays) {
    kind.play(runner, current, true, next_key(), result);
    ++attempts;
    shrunk.recurred = kind.fails_with(result, clause);
  }
  if (!shrunk.recurred) {
    // Never again: the failure stands as found.
    shrunk.smallest = std::move(current);
    shrunk.shown = std::move(result);
    shrunk.replays = kFlakyReplays;
    return shrunk;
  }
  std::swap(last_failure, result);
  Progress status;
  status.shrinking = true;
  status.shrunk_length = kind.length(current);
  bool progressed = true;
  while (progressed && shrunk.shrink_runs < max_runs) {
    progressed = false;
    for (const Case& candidate : kind.smaller(current)) {
      if (shrunk.shrink_runs >= max_runs) break;
      kind.play(runner, candidate, true, next_key(), result);
      ++shrunk.shrink_runs;
      if (!kind.fails_with(result, clause)) continue;
      current = candidate;
      std::swap(last_failure, result);
      progressed = true;
      if (progress) {
        status.shrink_runs = shrunk.shrink_runs;
        status.shrunk_length = kind.length(current);
        progress(status);
      }
      break;
    }
  }
  kind.play(runner, current, true, next_key(), result);
  if (attempts > 1 || !kind.fails_with(result, clause)) {
    // A flaky store: the last failing play stands, with how often it recurs.
    shrunk.replays = kFlakyReplays;
    shrunk.replays_failed = kind.fails_with(result, clause) ? 1 : 0;
    Result replay;
    for (std::uint32_t count = 1; count < kFlakyReplays; ++count) {
      kind.play(runner, current, false, next_key(), replay);
      shrunk.replays_failed += kind.fails_with(replay, clause) ? 1 : 0;
    }
    shrunk.fresh = std::move(result);
    result = std::move(last_failure);
  }
  shrunk.smallest = std::move(current);
  shrunk.shown = std::move(result);
  return shrunk;
}

// What a run of the driver gives: the totals, and the first failing case
// with its shrink.
template <typename Kind>
struct Outcome {
  Totals totals;
  double seconds = 0;
  std::optional<Found<Kind>> found;
  std::optional<Shrunk<Kind>> shrunk;
};

// What playing one chunk gave: the cases up to and including its first
// failing case (none after it), or an error a sequential run would have
// stopped at.
template <typename Kind>
struct ChunkResult {
  Totals totals;
  std::optional<Found<Kind>> failing;
  std::exception_ptr error;

  bool ends_run() const noexcept { return failing.has_value() || error != nullptr; }
};

// The cases of a chunk and their results, reused from chunk to chunk.
template <typename Kind>
struct ChunkBuffers {
  std::vector<typename Kind::Case> cases;
  std::vector<std::uint64_t> indices;
  std::vector<typename Kind::Result> results;
};

// Plays chunk `chunk` of the shard, stopping at the first failure.
// `abandon()` is asked before the chunk; when it says yes the chunk's result
// will not be used, so the chunk stops at once.
template <typename Kind, typename Abandon>
void play_chunk(const Kind& kind, typename Kind::Runner& runner, const DriverConfig& config,
                std::uint64_t chunk, ChunkBuffers<Kind>& buffers, ChunkResult<Kind>& out,
                Abandon&& abandon) {
  const std::uint64_t begin = chunk * kChunkCases;
  const std::uint64_t end = std::min(shard_cases(config), (chunk + 1) * kChunkCases);
  try {
    if (abandon()) return;
    const std::size_t count = end - begin;
    buffers.cases.resize(std::max(buffers.cases.size(), count));
    buffers.results.resize(std::max(buffers.results.size(), count));
    buffers.indices.resize(count);
    for (std::uint64_t position = begin; position < end; ++position) {
      const std::uint64_t index = config.shard_index + position * config.shard_count;
      buffers.indices[position - begin] = index;
      kind.generate(index, buffers.cases[position - begin]);
    }
    const std::size_t played =
        kind.play_batch(runner, std::span<const typename Kind::Case>(buffers.cases).first(count),
                        std::span<const std::uint64_t>(buffers.indices),
                        std::span<typename Kind::Result>(buffers.results).first(count));
    for (std::size_t offset = 0; offset < played; ++offset) {
      const typename Kind::Result& result = buffers.results[offset];
      kind.account(result, out.totals);
      if (kind.failure(result)) {
        out.failing.emplace(Found<Kind>{buffers.indices[offset], buffers.cases[offset], result});
        return;
      }
    }
  } catch (...) {
    out.error = std::current_exception();
  }
}

// The chunks of a shard, played by several workers, merged in chunk order
// so that the outcome is the sequential one: a failure in chunk f ends the
// run once every chunk below f is merged; chunks above f are never merged.
template <typename Kind>
class ParallelRun {
 public:
  ParallelRun(const Kind& kind, const DriverConfig& config)
      : kind_(kind),
        config_(config),
        chunks_((shard_cases(config) + kChunkCases - 1) / kChunkCases) {}

  void work(typename Kind::Runner& runner) {
    ChunkBuffers<Kind> buffers;
    for (;;) {
      const std::uint64_t chunk = next_chunk_.fetch_add(1, std::memory_order_relaxed);
      if (chunk >= chunks_ || chunk > lowest_end_.load(std::memory_order_acquire)) return;
      ChunkResult<Kind> out;
      play_chunk(kind_, runner, config_, chunk, buffers, out,
                 [&] { return chunk > lowest_end_.load(std::memory_order_relaxed); });
      if (out.ends_run()) lower_end(chunk);
      if (chunk > lowest_end_.load(std::memory_order_acquire)) continue;  // discarded
      deliver(chunk, std::move(out));
    }
  }

  Totals& totals() { return totals_; }
  std::optional<ChunkResult<Kind>>& ending() { return ending_; }

 private:
  void lower_end(std::uint64_t chunk) {
    std::uint64_t lowest = lowest_end_.load(std::memory_order_relaxed);
    while (chunk < lowest &&
           !lowest_end_.compare_exchange_weak(lowest, chunk, std::memory_order_acq_rel)) {
    }
  }

  // Merges every chunk that is next in order; the rest wait in `pending_`.
  void deliver(std::uint64_t chunk, ChunkResult<Kind> out) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (ended_) return;
    pending_.emplace(chunk, std::move(out));
    const std::uint64_t merged_before = merged_;
    for (auto next = pending_.find(merged_); next != pending_.end();
         next = pending_.find(merged_)) {
      ++merged_;
      totals_.add(next->second.totals);
      if (next->second.ends_run()) {
        ending_ = std::move(next->second);
        ended_ = true;
        pending_.clear();
        return;
      }
      pending_.erase(next);
    }
    // Progress only when it moved: a chunk that waits for a lower one adds nothing yet.
    if (config_.progress && merged_ != merged_before) {
      Progress status;
      status.cases_total = shard_cases(config_);
      status.cases_done = totals_.cases;
      status.steps = totals_.steps;
      config_.progress(status);  // under the lock: one call at a time
    }
  }

  const Kind& kind_;
  const DriverConfig& config_;
  const std::uint64_t chunks_;
  std::atomic<std::uint64_t> next_chunk_{0};
  // The lowest chunk known to end the run; no chunk above it counts.
  std::atomic<std::uint64_t> lowest_end_{std::numeric_limits<std::uint64_t>::max()};
  std::mutex mutex_;
  std::map<std::uint64_t, ChunkResult<Kind>> pending_;  // waiting for lower chunks
  std::uint64_t merged_ = 0;                            // chunks below it are merged
  bool ended_ = false;
  Totals totals_;
  std::optional<ChunkResult<Kind>> ending_;
};

// The end of a run: rethrows the error it stopped at, or shrinks its
// failing case on `runner`.
template <typename Kind>
void finish(const Kind& kind, typename Kind::Runner& runner, const DriverConfig& config,
            std::optional<ChunkResult<Kind>>& ending, Outcome<Kind>& outcome) {
  if (!ending) return;
  if (ending->error) std::rethrow_exception(ending->error);
  Found<Kind>& found = *ending->failing;
  outcome.shrunk =
      shrink(kind, runner, found.index, found.found_case, found.result, config.progress);
  if constexpr (requires { kind.finish(runner, found, *outcome.shrunk); }) {
    kind.finish(runner, found, *outcome.shrunk);
  }
  outcome.found = std::move(found);
}

// Runs the cases of the shard on `runners` (one worker each, the calling
// thread among them) until one fails, then shrinks it on the first runner.
// The outcome is the same whatever the number of runners.
template <typename Kind>
Outcome<Kind> drive(const Kind& kind, std::span<typename Kind::Runner* const> runners,
                    const DriverConfig& config) {
  check_shard(config);
  const auto start = std::chrono::steady_clock::now();
  Outcome<Kind> outcome;
  std::optional<ChunkResult<Kind>> ending;
  if (runners.size() == 1) {
    Progress status;
    status.cases_total = shard_cases(config);
    ChunkBuffers<Kind> buffers;
    for (std::uint64_t chunk = 0; chunk * kChunkCases < status.cases_total; ++chunk) {
      ChunkResult<Kind> out;
      play_chunk(kind, *runners.front(), config, chunk, buffers, out, [] { return false; });
      outcome.totals.add(out.totals);
      if (out.ends_run()) {
        ending = std::move(out);
        break;
      }
      if (config.progress) {
        status.cases_done = outcome.totals.cases;
        status.steps = outcome.totals.steps;
        config.progress(status);
      }
    }
  } else {
    ParallelRun<Kind> parallel(kind, config);
    {
      std::vector<std::jthread> workers;
      for (std::size_t job = 1; job < runners.size(); ++job) {
        workers.emplace_back([&parallel, runner = runners[job]] { parallel.work(*runner); });
      }
      parallel.work(*runners.front());
    }  // joins the workers
    outcome.totals = std::move(parallel.totals());
    ending = std::move(parallel.ending());
  }
  finish(kind, *runners.front(), config, ending, outcome);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

// As above with config.jobs runners made by `make_runner` (all made before
// any case runs, so that an unusable provider fails once, here).
template <typename Kind, typename Factory>
Outcome<Kind> drive_jobs(const Kind& kind, const Factory& make_runner, const DriverConfig& config) {
  check_shard(config);
  const std::uint32_t jobs = worker_count(config.jobs);
  std::vector<std::unique_ptr<typename Kind::Runner>> owned;
  std::vector<typename Kind::Runner*> runners;
  for (std::uint32_t job = 0; job < jobs; ++job) {
    owned.push_back(make_runner());
    runners.push_back(owned.back().get());
  }
  return drive(kind, std::span<typename Kind::Runner* const>(runners), config);
}

}  // namespace logoffcheck::detail
