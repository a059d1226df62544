// Shrinking under controlled schedules (schedule.h): once the case has its
// fewest calls, the schedule that fails it with the fewest preemptions.
#pragma once

#include <optional>
#include <vector>

#include "logoffcheck/concurrent.h"

namespace logoffcheck::detail {

// What shrink_schedule found: the failing play with the fewest preemptions,
// and `repeat` plays under that very schedule.
struct ScheduledFailure {
  History history;
  LinearizabilityResult judgement;
  std::vector<History> replays;
};

// Finds, for the shrunk case `c`, a failing schedule (same clause) with the
// fewest preemptions it can: the schedules of `repeat` random plays, every
// schedule with no change point and (for short plays) every one with one
// change point, and each found schedule with one change point less. Then
// plays the best `repeat` times under that very schedule. Nullopt when no
// schedule fails.
std::optional<ScheduledFailure> shrink_schedule(HistoryRunner& runner, const ConcurrentCase& c,
                                                ClauseId clause, std::uint32_t repeat,
                                                std::uint64_t seed);

}  // namespace logoffcheck::detail
