// logoffcheck/junit.h — a report as JUnit XML, for CI systems that show test
// results: one <testcase> per clause.
#pragma once

#include <string>
#include <string_view>

#include "logoffcheck/document.h"

namespace logoffcheck {

// The run's JUnit XML: one <testsuite> per report, one <testcase> per clause
// of the catalog; failures carry the counterexample's step table:
// `counterexample_table` when given (format_step_table of the recorded
// steps), else format_counterexample_steps of the report's counterexample.
std::string write_junit_xml(const Report& report, std::string_view counterexample_table = {});

}  // namespace logoffcheck
