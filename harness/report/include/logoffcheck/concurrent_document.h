// logoffcheck/concurrent_document.h — a concurrent counterexample (clause
// RC-4) for people and machines: the prefix, then one column per thread,
// with expected versus observed for the call that broke; and as JSON with a
// `threads` array (docs/concurrency.md, docs/report.md).
#pragma once

#include <string>

#include "logoffcheck/concurrent.h"

namespace logoffcheck {

// The history of `counterexample` as text: the prefix (client), the
// concurrent calls in the order they began, one column per thread, the
// final Releases, then the longest order that explains the calls and the
// first call none explains, expected versus observed.
std::string format_concurrent_counterexample(const ConcurrentCounterexample& counterexample);

// The counterexample as pretty-printed JSON, ending in "\n": provider,
// profile, strict, seed, case_index, repeat, failed_runs, the case (`prefix`
// and `threads`, one array of steps per thread), the failing history
// (`history`: thread, step, invoked, responded, outcome and observed) and
// the violation.
std::string write_concurrent_counterexample_json(const ConcurrentCounterexample& counterexample,
                                                 const std::string& provider,
                                                 const CaseOptions& options, std::uint64_t seed);

}  // namespace logoffcheck
