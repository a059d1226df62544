// logoffcheck/gtest_source.h — turning a counterexample into a regression
// test for the provider's own suite.
#pragma once

#include <string>

#include "logoffcheck/document.h"

namespace logoffcheck {

// A self-contained GoogleTest source that replays `counterexample` against its
// provider (a builtin by name, or a provider library by path) with an
// InProcessRunner and expects no violation — so it fails, naming the clause,
// expected and observed, for as long as the provider keeps the bug.
std::string emit_gtest_source(const CounterexampleDocument& counterexample);

}  // namespace logoffcheck
