// logoffcheck/explore.h — bounded exhaustive exploration: every sequence of
// steps over an alphabet, up to a length, next to random testing.
//
// Random testing finds bugs fast; exploration says what is true of every
// short history. Run to length L, it proves that a provider has no
// counterexample of fewer than L executed steps over the alphabet, and finds
// the shortest one there is. Sequences are plain step vectors like any case,
// played through the same CaseRunner.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/coverage.h"

namespace logoffcheck {

// One representative of every kind of step the generator makes: AddRef,
// Release, StoreLogoff with each input flag, with NULL, zero, two flags, an
// undefined bit, an output-only flag, an input flag beside an output flag
// (a fed-back output, D3), and each environment event (20).
std::vector<Step> exploration_alphabet();

struct ExplorationResult {
  std::uint64_t sequences_run = 0;
  // explore_client_calls only: the steps those sequences executed, every
  // clause's judgements over them, and the model transitions they took.
  std::uint64_t steps_run = 0;
  ClauseTally tally;
  TransitionSet coverage;
  // The failure with the fewest executed steps (the first found among equals,
  // in order of length, then of the alphabet), if any.
  std::optional<CaseResult> shortest_failure;
};

// Plays every sequence over `alphabet` of 0 to `max_length` steps through
// `runner`, shortest first, and keeps the failure with the fewest executed
// steps. Stops early once no longer sequence can execute fewer steps than the
// failure found. Every failure of fewer than `max_length` + 1 executed steps
// over the alphabet is among the sequences run, so a result with none, or
// with a shortest failure of E steps, is a proof for those lengths.
ExplorationResult explore_bounded(CaseRunner& runner, std::span<const Step> alphabet,
                                  std::size_t max_length);

// Every history of up to `max_client_calls` client calls (AddRef, Release and
// the ten StoreLogoff representatives of exploration_alphabet()), with any
// environment events between them, through `runner` (docs/exploration.md).
//
// The reduction that makes this finite and fast: environment events do not
// call the store, so a run of them between two client calls matters only
// through the environment it leaves, and only where the store or the model
// reads that environment. Before each client call the exploration tries one
// representative run per class of environment reachable from there (the
// shortest, breadth first), and of those only the ones that some step up to
// the next client call tells apart: by the spooler's answers to the store's
// own StoreLogoffTransports calls, or by a clause's verdict. A store cannot
// see the environment but through those answers, so every history over the
// alphabet behaves like one that is run.
//
// The shortest failure (fewest executed steps) is kept, recorded in full;
// with E executed steps it is the shortest over the alphabet when
// E <= max_client_calls + 1. `progress`, if given, is called now and then
// with the sequences run so far.
ExplorationResult explore_client_calls(CaseRunner& runner, std::size_t max_client_calls,
                                       const std::function<void(std::uint64_t)>& progress = {});

}  // namespace logoffcheck
