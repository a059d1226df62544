// logoffcheck/concurrent.h — certification by concurrent histories (clause
// RC-4, docs/concurrency.md): generate concurrent cases as values, play each
// several times through a HistoryRunner, judge every history with the
// linearizability checker, and shrink the first failure.
//
// Races are probabilistic: a case is played `repeat` times with different
// schedule perturbations and fails when any of its histories does; a
// shrinking candidate is kept when any of its `repeat` runs fails with the
// same clause; and the counterexample says in how many of `repeat` fresh
// runs the shrunk case failed.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "logoffcheck/engine.h"
#include "logoffcheck/history.h"
#include "logoffcheck/linearizability.h"

namespace logoffcheck {

struct ConcurrentConfig {
  // Profile, strictness, seed, cases, shards and progress, as for sequential
  // runs; `run.max_steps` bounds the sequential prefix.
  RunConfig run;
  std::uint32_t threads = 2;           // client threads per case, at least 2
  std::uint32_t repeat = 8;            // plays of each case
  std::uint32_t max_thread_calls = 6;  // calls per thread before handed-back Releases
  // Bound on the candidate cases shrinking may play (each `repeat` times).
  std::uint64_t max_shrink_cases = 300;
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
};

struct ConcurrentRunResult {
  std::uint64_t cases_run = 0;
  std::uint64_t histories_run = 0;  // cases_run * repeat, shrinking aside
  std::uint64_t calls_run = 0;      // calls and events in those histories
  double seconds = 0;
  ClauseTally tally;  // over every history of the search
  std::optional<ConcurrentCounterexample> counterexample;

  bool conformant() const noexcept { return !counterexample.has_value(); }
};

// Concurrent case `index` of `config` (a function of seed and index). It
// keeps the caller rules (concurrent_case_valid). About half the cases hand
// all the client's references to the threads, so that the final Release is
// one of theirs and races with the others' Releases; the rest keep one, and
// the client's final Releases follow the threads.
ConcurrentCase generate_concurrent_case(const ConcurrentConfig& config, std::uint64_t index);

// Runs the cases of `config`'s shard until one fails, then shrinks it.
// Throws ConfigurationError for an unusable provider or configuration
// (threads below 2, repeat 0) and InternalError when the verifier's own
// spooler breaks an SP- clause.
ConcurrentRunResult run_concurrent_certification(HistoryRunner& runner,
                                                 const ConcurrentConfig& config);

// The first failing history of `histories` and its judgement, if any.
std::optional<std::pair<History, LinearizabilityResult>> first_failure(
    const std::vector<History>& histories, const CaseOptions& options);

}  // namespace logoffcheck
