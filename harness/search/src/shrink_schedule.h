// Shrinking under controlled schedules (schedule.h): once the case has its
// fewest calls, the schedule that fails it with the fewest preemptions.
#pragma once

#include "logoffcheck/concurrent.h"

namespace logoffcheck::detail {

// Finds, for the shrunk case `c` of `counterexample`, a failing schedule
// (same clause) with the fewest preemptions it can: the schedules of `repeat`
// random plays, every schedule with no change point and (for short plays)
// every one with one change point, and each found schedule with one change
// point less. Then plays the best `repeat` times under that very schedule:
// `failed_runs` counts the plays that failed, and the first failing play is
// the counterexample's history. Leaves the counterexample as it is when no
// schedule fails.
void shrink_schedule(HistoryRunner& runner, const ConcurrentCase& c, ClauseId clause,
                     std::uint32_t repeat, std::uint64_t seed,
                     ConcurrentCounterexample& counterexample);

}  // namespace logoffcheck::detail
