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
#include <optional>
#include <span>
#include <vector>

#include "logoffcheck/case.h"

namespace logoffcheck {

// One representative of every kind of step the generator makes: AddRef,
// Release, StoreLogoff with each input flag, with NULL, zero, two flags, an
// undefined bit and an output-only flag, and each environment event (19).
std::vector<Step> exploration_alphabet();

struct ExplorationResult {
  std::uint64_t sequences_run = 0;
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

}  // namespace logoffcheck
