// logoffcheck/junit.h — a report as JUnit XML, for CI systems that show test
// results: one <testcase> per clause.
#pragma once

#include <string>
#include <string_view>

#include "logoffcheck/document.h"

namespace logoffcheck {

// The run's JUnit XML: one <testsuite> per report, one <testcase> per clause
// of the catalog; the failure of the clause the counterexample names carries
// format_counterexample(report) (the step table or the thread table).
std::string write_junit_xml(const Report& report);

}  // namespace logoffcheck
