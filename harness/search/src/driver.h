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
//   observed(result) -> string       what tells two failures of one clause
//                     apart, for --keep-going (failures.h)
//   after_earlier_cases(Runner&, const Found&, vector<Case> earlier, Shrunk&)
//                     for a failure that never recurred alone: whether it
//                     does after the cases its chunk played before it, and
//                     if so the fewest of them it needs (Shrunk::earlier)
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

#include "failures.h"
#include "logoffcheck/engine.h"

namespace logoffcheck::detail {

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
  // --keep-going: every case of the shard is played, and one failing case of
  // each distinct failure (failure_key) is kept and shrunk.
  bool keep_going = false;

  static DriverConfig of(const RunConfig& run) {
    return {run.seed, run.cases,    run.shard_index, run.shard_count,
            run.jobs, run.progress, run.keep_going};
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

// What a run of the driver gives: the totals, and the first failing case
// with its shrink.
template <typename Kind>
struct Outcome {
  Totals totals;
  // The known cases (a corpus) played before the stream: not among
  // `totals.cases`; their tally and coverage are in `totals`.
  std::uint64_t known_played = 0;
  double seconds = 0;
  std::optional<Found<Kind>> found;
  std::optional<Shrunk<Kind>> shrunk;
  // --keep-going: the other distinct failures, each found and shrunk, in the
  // order found; none whose shrunk failure (failure_key) equals an earlier one's.
  std::vector<std::pair<Found<Kind>, Shrunk<Kind>>> more;
  // Failing cases not kept: a failure already kept, or beyond kMaxKeptFailures.
  std::uint64_t more_failing_cases = 0;
};

// What playing one chunk gave: the cases up to and including its first
// failing case (none after it), or an error a sequential run would have
// stopped at.
template <typename Kind>
struct ChunkResult {
  Totals totals;
  std::optional<Found<Kind>> failing;
  KeptFailures<Kind> kept;  // --keep-going: the failures, and the run goes on
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

// Plays `cases` (numbered `indices`) in order into `out`, stopping at the
// first failure, or under --keep-going playing on after every failure.
// `known`: the cases are known ones (a corpus), not the seed's stream.
template <typename Kind>
void play_cases(const Kind& kind, typename Kind::Runner& runner, const DriverConfig& config,
                std::span<const typename Kind::Case> cases, std::span<const std::uint64_t> indices,
                std::span<typename Kind::Result> results, bool known, ChunkResult<Kind>& out) {
  std::size_t start = 0;
  while (start < cases.size()) {
    const std::size_t played = kind.play_batch(runner, cases.subspan(start), indices.subspan(start),
                                               results.subspan(start, cases.size() - start));
    for (std::size_t offset = start; offset < start + played; ++offset) {
      const typename Kind::Result& result = results[offset];
      kind.account(result, out.totals);
      if (!kind.failure(result)) continue;
      Found<Kind> failing{indices[offset], cases[offset], result, known};
      if (!config.keep_going) {
        out.failing.emplace(std::move(failing));
        return;
      }
      out.kept.add(kind, std::move(failing));
    }
    if (played == 0) return;
    start += played;
  }
}

// Plays chunk `chunk` of the shard, stopping at the first failure (unless
// --keep-going). `abandon()` is asked before the chunk; when it says yes the
// chunk's result will not be used, so the chunk stops at once.
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
    play_cases(kind, runner, config,
               std::span<const typename Kind::Case>(buffers.cases).first(count),
               std::span<const std::uint64_t>(buffers.indices),
               std::span<typename Kind::Result>(buffers.results).first(count), false, out);
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
  KeptFailures<Kind>& kept() { return kept_; }

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
      kept_.add(kind_, std::move(next->second.kept));
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
  KeptFailures<Kind> kept_;
  std::optional<ChunkResult<Kind>> ending_;
};

// Shrinks one failing case on `runner`, with what only the kind adds after.
template <typename Kind>
Shrunk<Kind> shrink_found(const Kind& kind, typename Kind::Runner& runner,
                          const DriverConfig& config, std::span<const typename Kind::Case> known,
                          Found<Kind>& found) {
  Shrunk<Kind> shrunk =
      shrink(kind, runner, found.index, found.found_case, found.result, config.progress);
  // A failure that never recurred alone may need the cases its worker
  // played before it, in the same batch (Kind::after_earlier_cases): those
  // of its chunk, or for a known case up to a chunk's worth of known cases.
  if constexpr (requires { kind.after_earlier_cases(runner, found, {}, shrunk); }) {
    if (!shrunk.recurred) {
      std::vector<typename Kind::Case> earlier;
      if (found.known) {
        const std::size_t first = found.index >= kChunkCases ? found.index - kChunkCases + 1 : 0;
        earlier.assign(known.begin() + static_cast<std::ptrdiff_t>(first),
                       known.begin() + static_cast<std::ptrdiff_t>(found.index));
      } else {
        const std::uint64_t position = (found.index - config.shard_index) / config.shard_count;
        earlier.resize(position % kChunkCases);
        for (std::size_t i = 0; i < earlier.size(); ++i) {
          const std::uint64_t before = position - earlier.size() + i;
          kind.generate(config.shard_index + before * config.shard_count, earlier[i]);
        }
      }
      kind.after_earlier_cases(runner, found, std::move(earlier), shrunk);
    }
  }
  if constexpr (requires { kind.finish(runner, found, shrunk); }) {
    kind.finish(runner, found, shrunk);
  }
  return shrunk;
}

// The end of a run: rethrows the error it stopped at, or shrinks its
// failing case on `runner` (under --keep-going, each failure kept).
template <typename Kind>
void finish(const Kind& kind, typename Kind::Runner& runner, const DriverConfig& config,
            std::span<const typename Kind::Case> known, std::optional<ChunkResult<Kind>>& ending,
            KeptFailures<Kind>& kept, Outcome<Kind>& outcome) {
  if (ending && ending->error) std::rethrow_exception(ending->error);
  if (ending && ending->failing) kept.found.insert(kept.found.begin(), std::move(*ending->failing));
  outcome.more_failing_cases = kept.more_cases;
  for (Found<Kind>& found : kept.found) {
    Shrunk<Kind> shrunk = shrink_found(kind, runner, config, known, found);
    if (!outcome.found) {
      outcome.found = std::move(found);
      outcome.shrunk = std::move(shrunk);
      continue;
    }
    // Two failures seen apart may shrink to one: it is shown once.
    const auto key = [&](const Found<Kind>& as_found, const Shrunk<Kind>& as_shrunk) {
      return failure_key(kind, kind.failure(as_shrunk.shown) ? as_shrunk.shown : as_found.result);
    };
    bool seen = key(*outcome.found, *outcome.shrunk) == key(found, shrunk);
    for (const auto& [other_found, other] : outcome.more) {
      seen = seen || key(other_found, other) == key(found, shrunk);
    }
    if (seen) {
      ++outcome.more_failing_cases;
      continue;
    }
    outcome.more.emplace_back(std::move(found), std::move(shrunk));
  }
}

// Plays the known cases (a corpus) on `runner` before the seed's stream:
// their tally and coverage count, their number is `known_played`, and a
// failing one ends the run as a failing case of the stream would (or is
// kept, under --keep-going).
template <typename Kind>
void play_known(const Kind& kind, typename Kind::Runner& runner, const DriverConfig& config,
                std::span<const typename Kind::Case> known, Outcome<Kind>& outcome,
                KeptFailures<Kind>& kept, std::optional<ChunkResult<Kind>>& ending) {
  if (known.empty()) return;
  ChunkResult<Kind> out;
  std::vector<std::uint64_t> indices(known.size());
  for (std::size_t position = 0; position < known.size(); ++position) indices[position] = position;
  std::vector<typename Kind::Result> results(known.size());
  try {
    play_cases(kind, runner, config, known, std::span<const std::uint64_t>(indices),
               std::span<typename Kind::Result>(results), true, out);
  } catch (...) {
    out.error = std::current_exception();
  }
  outcome.known_played = out.totals.cases;
  outcome.totals.tally.add(out.totals.tally);
  outcome.totals.coverage.add(out.totals.coverage);
  kept.add(kind, std::move(out.kept));
  if (out.ends_run()) ending = std::move(out);
}

// Plays the known cases, then runs the cases of the shard on `runners` (one
// worker each, the calling thread among them) until one fails (or all of
// them, under --keep-going), then shrinks the failure on the first runner.
// The outcome is the same whatever the number of runners.
template <typename Kind>
Outcome<Kind> drive(const Kind& kind, std::span<typename Kind::Runner* const> runners,
                    const DriverConfig& config, std::span<const typename Kind::Case> known = {}) {
  check_shard(config);
  const auto start = std::chrono::steady_clock::now();
  Outcome<Kind> outcome;
  std::optional<ChunkResult<Kind>> ending;
  KeptFailures<Kind> kept;
  play_known(kind, *runners.front(), config, known, outcome, kept, ending);
  if (ending) {
    // A known failure ends the run before the stream.
  } else if (runners.size() == 1) {
    Progress status;
    status.cases_total = shard_cases(config);
    ChunkBuffers<Kind> buffers;
    for (std::uint64_t chunk = 0; chunk * kChunkCases < status.cases_total; ++chunk) {
      ChunkResult<Kind> out;
      play_chunk(kind, *runners.front(), config, chunk, buffers, out, [] { return false; });
      outcome.totals.add(out.totals);
      kept.add(kind, std::move(out.kept));
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
    outcome.totals.add(parallel.totals());
    ending = std::move(parallel.ending());
    kept.add(kind, std::move(parallel.kept()));
  }
  finish(kind, *runners.front(), config, known, ending, kept, outcome);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

// As above with config.jobs runners made by `make_runner` (all made before
// any case runs, so that an unusable provider fails once, here).
template <typename Kind, typename Factory>
Outcome<Kind> drive_jobs(const Kind& kind, const Factory& make_runner, const DriverConfig& config,
                         std::span<const typename Kind::Case> known = {}) {
  check_shard(config);
  const std::uint32_t jobs = worker_count(config.jobs);
  std::vector<std::unique_ptr<typename Kind::Runner>> owned;
  std::vector<typename Kind::Runner*> runners;
  for (std::uint32_t job = 0; job < jobs; ++job) {
    owned.push_back(make_runner());
    runners.push_back(owned.back().get());
  }
  return drive(kind, std::span<typename Kind::Runner* const>(runners), config, known);
}

}  // namespace logoffcheck::detail
