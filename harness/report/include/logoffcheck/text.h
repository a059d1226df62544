// logoffcheck/text.h — text for people: the tables the CLI prints and that
// JUnit failures and conformance-test failures carry.
#pragma once

#include <cstddef>
#include <optional>
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

// The step table of a counterexample document, which holds no observations:
// the expected column comes from the model, the observed column is filled in
// only at the violating step.
std::string format_counterexample_steps(const CounterexampleDocument& counterexample);

// The per-clause table of a report: ID, level, status, times exercised.
std::string format_clause_table(const Report& report);

}  // namespace logoffcheck
