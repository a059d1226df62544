// logoffcheck/text.h — text for people: the tables the CLI prints and that
// JUnit failures and conformance-test failures carry.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/document.h"

namespace logoffcheck {

// A left-aligned text table with a header row and a rule under it; each line
// ends in "\n" and has no trailing spaces.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

// What the model expected and what was observed in one step, as short
// phrases: "returns 2" / "returned 2", "S_OK, no transport call" /
// "S_OK, *lpulFlags=LOGOFF_ORDERLY".
std::string summarize_expected(const StepRecord& record);
std::string summarize_observed(const StepRecord& record);

// The numbered step table of a counterexample: step, call, argument,
// expected, observed, clause. The violating step shows the violation's own
// expected/observed and its clause ID. `violation` may be empty (a replay that
// now passes).
std::string format_step_table(const std::vector<StepRecord>& records,
                              const std::optional<Violation>& violation,
                              std::size_t violation_step);

// A sequential counterexample's steps with what the model expected of each,
// walking the model from the profile's initial state; the observations are
// empty (a document holds none). Stops early at a step the caller rules
// refuse. Requires counterexample.sequential().
std::vector<StepRecord> expected_records(const CounterexampleDocument& counterexample);

// The step table of a sequential counterexample document, which holds no
// observations: the expected column comes from the model, the observed column
// is filled in only at the violating step. Requires counterexample.sequential().
std::string format_counterexample_steps(const CounterexampleDocument& counterexample);

// The thread table of a concurrent history: a row per call in the order the
// calls began, the client's and one column per thread, each call's place in
// `order`; when `unexplained` is given, that call is marked '!' and a last
// line says after how many calls in order no order explains it (`cause`
// fails for it).
std::string format_history_table(std::span<const ConcurrentCallRecord> calls,
                                 std::span<const std::size_t> order,
                                 std::optional<std::size_t> unexplained, ClauseId cause);

// The schedule part of a concurrent counterexample played under a controlled
// schedule (schedule.h): priorities, change points, steps, preemptions and
// the turns; "" for free threads.
std::string format_schedule_part(const std::optional<Schedule>& schedule);

// The counterexample of `report` as text, as the CLI prints it and JUnit
// carries it, empty when there is none. Sequential: the step table, with
// what was observed when the run recorded it (report.run.records), else
// format_counterexample_steps. Concurrent: a line of figures (prefix steps,
// threads, calls, case, how often the shrunk case failed, and the smaller
// cases tried when report.run knows it), then the thread table of the
// failing play.
std::string format_counterexample(const Report& report);

// The cases a sequential counterexample plays first in the same process
// (SequentialPart::earlier_cases), one line each, under a line saying why;
// empty when it has none.
std::string format_earlier_cases(const SequentialPart& part);

// The per-clause table of a report: ID, level, status, times exercised.
std::string format_clause_table(const Report& report);

// The report's model coverage in a few lines: "coverage 301 of 312 model
// transitions (96.5%)", the minimum if one was set, the spooler rows reached,
// and up to `max_listed` unexercised transitions. Empty when the report has
// no coverage.
std::string format_coverage(const Report& report, std::size_t max_listed = 8);

}  // namespace logoffcheck
