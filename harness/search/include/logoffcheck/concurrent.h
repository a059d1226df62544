// logoffcheck/concurrent.h — certification by concurrent histories (clause
// RC-4, docs/concurrency.md): generate concurrent cases as values, play each
// several times through a HistoryRunner, judge every history with the
// linearizability checker, and shrink the first failure.
//
// Concurrent histories are a case kind of the engine's one driver (the
// sequential cases are the other): sharding, chunks, --jobs, progress,
// confirming a failure and shrinking it are the driver's, as for sequential
// cases (docs/architecture.md).
//
// Races are probabilistic: a case is played `repeat` times with different
// schedule perturbations and fails when any of its histories does; a
// shrinking candidate is kept when any of its `repeat` runs fails with the
// same clause; and the counterexample says in how many of `repeat` fresh
// runs the shrunk case failed. The cases are a function of the seed; which
// interleavings their plays met is not, and ConcurrentRunResult says how
// many histories had calls that overlapped in time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "logoffcheck/engine.h"
#include "logoffcheck/history.h"
#include "logoffcheck/linearizability.h"

namespace logoffcheck {

struct ConcurrentConfig {
  // Profile, strictness, seed, cases, shards, jobs and progress, as for
  // sequential runs; `run.max_steps` bounds the sequential prefix.
  RunConfig run;
  std::uint32_t threads = 2;           // client threads per case, at least 2
  std::uint32_t repeat = 8;            // plays of each case
  std::uint32_t max_thread_calls = 6;  // calls per thread before handed-back Releases
  // Bound on the candidate cases shrinking may play (each `repeat` times).
  std::uint64_t max_shrink_cases = 300;
  // Known cases (certify --threads --corpus) played before the seed's
  // stream, as RunConfig::corpus for sequential cases.
  std::vector<ConcurrentCase> corpus;
};

struct ConcurrentCounterexample {
  std::uint64_t case_index = 0;
  ConcurrentCase original;  // as generated
  ConcurrentCase shrunk;    // locally minimal: no thread, no call can go
  // A failing history of the shrunk case and its judgement.
  History history;
  LinearizabilityResult judgement;
  // Of `repeat` fresh plays of the shrunk case, how many failed.
  std::uint32_t repeat = 0;
  std::uint32_t failed_runs = 0;
  std::uint64_t shrink_cases = 0;
  // 0 when the failure recurred at once and on the replay of the shrunk
  // case; otherwise (a race that rarely shows) `replays_failed` of `replays`
  // plays of `repeat` histories each failed the same way. When the failure
  // never recurred at all, `shrunk` is `original` and `history` the one found.
  std::uint32_t replays = 0;
  std::uint32_t replays_failed = 0;
  // The failing case was ConcurrentConfig::corpus[*corpus_entry] (case_index 0).
  std::optional<std::size_t> corpus_entry;
};

struct ConcurrentRunResult {
  std::uint64_t cases_run = 0;
  std::uint64_t histories_run = 0;  // cases_run * repeat, shrinking aside
  std::uint64_t calls_run = 0;      // calls and events in those histories
  // What can vary between two runs of the same seed, which play the same
  // cases: the interleavings their plays met. Histories in which calls of two
  // threads overlapped in real time (the rest ran one thread after another,
  // as a sequential case would). The per-clause counts of `tally` follow
  // the orders the checker found, and vary with them.
  std::uint64_t overlapping_histories = 0;
  double seconds = 0;
  ClauseTally tally;  // over every history of the search
  std::optional<ConcurrentCounterexample> counterexample;
  // run.keep_going: the other distinct failures (by clause), shrunk, in the
  // order found.
  std::vector<ConcurrentCounterexample> more_counterexamples;
  // The known cases (ConcurrentConfig::corpus) played before the stream.
  std::uint64_t corpus_cases_run = 0;

  bool conformant() const noexcept { return !counterexample.has_value(); }
};

// Concurrent case `index` of `config` (a function of seed and index). It
// keeps the caller rules (concurrent_case_valid). About half the cases hand
// all the client's references to the threads, so that the final Release is
// one of theirs and races with the others' Releases; the rest keep one, and
// the client's final Releases follow the threads.
ConcurrentCase generate_concurrent_case(const ConcurrentConfig& config, std::uint64_t index);

// Runs the cases of `config`'s shard until one fails, then shrinks it, all
// on the calling thread (config.run.jobs is not used). Throws
// ConfigurationError for an unusable provider or configuration (threads
// below 2, repeat 0) and InternalError when the verifier's own spooler
// breaks an SP- clause.
ConcurrentRunResult run_concurrent_certification(HistoryRunner& runner,
                                                 const ConcurrentConfig& config);

// Makes a history runner of its own for one worker; called on the calling
// thread before any case runs.
using HistoryRunnerFactory = std::function<std::unique_ptr<HistoryRunner>()>;

// The same run on config.run.jobs workers (0: one per core), each with a
// runner from `make_runner`, taking chunks of 64 cases as sequential runs
// do; the failure is shrunk on the first runner. The cases, and which of
// them is the first to fail when a failure shows every time, are those of
// run_concurrent_certification(runner, config).
ConcurrentRunResult run_concurrent_certification(const HistoryRunnerFactory& make_runner,
                                                 const ConcurrentConfig& config);

// Judges one played history: check_linearizability, and an InternalError
// when what failed is the verifier's own simulated spooler (an SP- clause
// as the violation's cause, whatever clause the violation names: RC-4
// names the cause's failure when calls overlapped). certify and replay
// judge every history with it, so that they test the same thing.
LinearizabilityResult judge_history(const History& history, const CaseOptions& options);

// The first failing history of `histories` and its judgement (judge_history), if any.
std::optional<std::pair<History, LinearizabilityResult>> first_failure(
    const std::vector<History>& histories, const CaseOptions& options);

// True when calls of two different threads of `history` overlapped in real time.
bool calls_overlapped(const History& history) noexcept;

}  // namespace logoffcheck
