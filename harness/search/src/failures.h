// Private to harness/search: what the one driver (driver.h) does with a
// failing case: the case as found, the distinct failures --keep-going keeps,
// and confirming a failure (flakiness) and shrinking it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
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

// The first failing case of a search, as found.
template <typename Kind>
struct Found {
  // The case's index in the seed's stream, or, when `known`, its position in
  // the known cases played before the stream (a corpus, docs/cli.md).
  std::uint64_t index = 0;
  typename Kind::Case found_case;
  typename Kind::Result result;
  bool known = false;
};

// Distinct failures, for --keep-going: the clause, and what was observed
// when the kind says (Kind::observed), e.g. "StoreLogoffTransports(LOGOFF_QUIET)".
using FailureKey = std::pair<ClauseId, std::string>;

template <typename Kind>
FailureKey failure_key(const Kind& kind, const typename Kind::Result& result) {
  if constexpr (requires { kind.observed(result); }) {
    return {*kind.failure(result), kind.observed(result)};
  } else {
    return {*kind.failure(result), std::string()};
  }
}

// At most this many distinct failures are kept and shrunk in one run:
// shrinking each costs up to max_shrink_runs plays.
inline constexpr std::size_t kMaxKeptFailures = 16;

// The first failing case of each distinct failure, in the order found.
template <typename Kind>
struct KeptFailures {
  std::vector<Found<Kind>> found;
  std::vector<FailureKey> keys;
  // Failing cases of a failure already kept, or beyond kMaxKeptFailures.
  std::uint64_t more_cases = 0;

  void add(const Kind& kind, Found<Kind> failing) {
    FailureKey key = failure_key(kind, failing.result);
    if (found.size() >= kMaxKeptFailures ||
        std::find(keys.begin(), keys.end(), key) != keys.end()) {
      ++more_cases;
      return;
    }
    keys.push_back(std::move(key));
    found.push_back(std::move(failing));
  }
  void add(const Kind& kind, KeptFailures&& other) {
    for (Found<Kind>& failing : other.found) add(kind, std::move(failing));
    more_cases += other.more_cases;
  }
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
  // Cases that must be played before `smallest`, in the same process, for
  // it to fail: a failure that never recurred alone but did after cases its
  // worker had played (state a store keeps in a global). Empty otherwise.
  std::vector<typename Kind::Case> earlier;
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

}  // namespace logoffcheck::detail
