// logoffcheck/gtest_source.h — turning a counterexample into a regression
// test for the provider's own suite.
#pragma once

#include <cstdint>
#include <string>

#include "logoffcheck/document.h"

namespace logoffcheck {

// A self-contained GoogleTest source that replays `counterexample` against its
// provider (a builtin by name, or a provider library by path) with an
// InProcessRunner and expects no violation — so it fails, naming the clause,
// expected and observed, for as long as the provider keeps the bug.
std::string emit_gtest_source(const CounterexampleDocument& counterexample);

// The same for a concurrent counterexample (clause RC-4): the test plays the
// case `repeat` times through the HistoryRunner in this process, judges every
// play with check_linearizability, prints how many plays failed, and fails,
// naming RC-4 and the clause that failed for the unexplained call, while any
// play fails. A store that loses a race may crash the test process instead.
std::string emit_concurrent_gtest_source(const ConcurrentCounterexampleDocument& counterexample,
                                         std::uint32_t repeat);

}  // namespace logoffcheck
