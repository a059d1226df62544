// logoffcheck/replay.h — a counterexample document played again, whatever
// its kind, as a library function: `logoffcheck replay` only prints what it
// returns (docs/cli.md "replay"), and a provider author's tool can call it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/document.h"
#include "logoffcheck/history.h"

namespace logoffcheck {

// The runners a replay plays with; only the one of the document's kind is
// needed (a sequential part plays through `steps`, a concurrent part through
// `threads`), and it must judge under the document's profile and strictness.
// When the engine's one runner for every kind lands (issue 18, engine half),
// this becomes that runner.
struct ReplayRunners {
  CaseRunner* steps = nullptr;
  HistoryRunner* threads = nullptr;
};

// A play under a recorded controlled schedule that observed something else
// than the document recorded under the same schedule (a store that is
// deterministic never does): which play (1-based), and its calls.
struct DivergentPlay {
  std::uint32_t play = 0;
  std::vector<ConcurrentCallRecord> calls;
};

// What a replay found.
struct ReplayResult {
  // How often the case was played, and how many plays failed: a sequential
  // case is played once; a concurrent one `plays` times (replay's argument,
  // else the document's repeat).
  std::uint32_t plays = 0;
  std::uint32_t failed_plays = 0;
  // What was played and observed, in the document's kind: the executed steps
  // and the failing step's index; or, for a concurrent case, the first failing
  // play (the first play when none failed) with its longest explained order,
  // the unexplained call (violation_call) and its cause, and failed_runs/repeat
  // the figures above.
  CounterexamplePart played;
  // Sequential: every executed step with what the model expected and the
  // store did.
  std::vector<StepRecord> records;
  // The violation of the first failing play; nullopt when the case passes now.
  std::optional<Violation> violation;
  // What an isolated store printed during the replay (a concurrent one: the
  // worker that played the shown play).
  std::optional<ProviderOutput> provider_output;
  // The violation names the clause the document recorded, at the same step
  // (sequential) — "as recorded".
  bool as_recorded = false;
  // A concurrent part with a controlled schedule: the first play that
  // diverged from the recorded history, if any.
  std::optional<DivergentPlay> divergent;

  bool failed() const noexcept { return violation.has_value(); }
};

// Plays `document`'s case again through the runner of its kind in `runners`
// and judges it: a sequential case once, with recording; a concurrent one
// `plays` times (0: the document's repeat), each play judged for
// linearizability, with schedule perturbations that are a function of the
// document, so that two replays of one file try the same schedules; or, when
// the document holds a controlled schedule, each play under that very
// schedule (the runner must be controlled). Throws
// ConfigurationError when `runners` lacks the runner of the document's kind,
// and InternalError when the verifier's own spooler breaks an SP- clause.
ReplayResult replay(const CounterexampleDocument& document, const ReplayRunners& runners,
                    std::uint32_t plays = 0);

}  // namespace logoffcheck
