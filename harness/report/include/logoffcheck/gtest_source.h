// logoffcheck/gtest_source.h — turning a counterexample into a regression
// test for the provider's own suite.
#pragma once

#include <cstdint>
#include <string>

#include "logoffcheck/document.h"

namespace logoffcheck {

// A self-contained GoogleTest source that reproduces `counterexample` against
// its provider (a builtin by name, or a provider library by path), whatever
// its kind, so that it fails, naming the clause, expected and observed, for
// as long as the provider keeps the bug:
// - a sequential part replays its steps with an InProcessRunner and expects
//   no violation;
// - a concurrent part (clause RC-4) plays the case `plays` times (0: the
//   document's repeat) through the HistoryRunner in this process, judges every
//   play with check_linearizability, prints how many plays failed, and fails,
//   naming RC-4 and the clause that failed for the unexplained call, while any
//   play fails. A store that loses a race may crash the test process instead.
std::string emit_gtest_source(const CounterexampleDocument& counterexample,
                              std::uint32_t plays = 0);

}  // namespace logoffcheck
