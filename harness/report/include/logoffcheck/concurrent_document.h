// logoffcheck/concurrent_document.h — a concurrent counterexample (clause
// RC-4) for people and machines: the prefix, then one column per thread,
// with expected versus observed for the call that broke; and as JSON with a
// `threads` array (docs/concurrency.md, docs/report.md). The document value
// and its reader are in document.h, with the other documents.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "logoffcheck/concurrent.h"
#include "logoffcheck/document.h"

namespace logoffcheck {

// The calls of `history` as a document holds them: thread, step, ticks,
// outcome and what was observed, in words.
std::vector<ConcurrentCallRecord> history_records(const History& history);

// The document for a counterexample the concurrent search found.
ConcurrentCounterexampleDocument make_concurrent_counterexample_document(
    const ConcurrentCounterexample& counterexample, std::string provider,
    const CaseOptions& options, std::uint64_t seed);

// The thread table of a history: a row per call in the order the calls began,
// the client's and one column per thread, each call's place in `order`; when
// `unexplained` is given, that call is marked '!' and a last line says after
// how many calls in order no order explains it (`cause` fails for it).
std::string format_history_table(std::span<const ConcurrentCallRecord> calls,
                                 std::span<const std::size_t> order,
                                 std::optional<std::size_t> unexplained, ClauseId cause);

// The history of `counterexample` as text: a line saying how often the shrunk
// case failed, then format_history_table of its failing history.
std::string format_concurrent_counterexample(const ConcurrentCounterexample& counterexample);

// The same from the document (a report's or a file's): the shrinking figures
// it does not hold are left out.
std::string format_concurrent_document(const ConcurrentCounterexampleDocument& document);

// The counterexample as pretty-printed JSON, ending in "\n": provider,
// profile, strict, seed, case_index, repeat, failed_runs, the case (`prefix`
// and `threads`, one array of steps per thread), the failing history
// (`history`: thread, step, invoked, responded, outcome and observed) and
// the violation. The same as write_concurrent_counterexample_json of
// make_concurrent_counterexample_document.
std::string write_concurrent_counterexample_json(const ConcurrentCounterexample& counterexample,
                                                 const std::string& provider,
                                                 const CaseOptions& options, std::uint64_t seed);

}  // namespace logoffcheck
