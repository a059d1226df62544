// How certify and explore end a run the same way: the summary and the
// counterexample printed, the requested files written, the exit status.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "files.h"
#include "logoffcheck/engine.h"

namespace logoffcheck::cli {

// --min-coverage P, as parsed.
void add_min_coverage_option(CLI::App& command, std::optional<double>& min_coverage);

// How every run ends, whatever its kind: prints the report's summary (with
// its coverage), `after_summary` as it is (a run's own lines, notes of
// unsupported support calls), a Windows DLL's logon trace when the report
// holds one (format_logon_trace), the counterexample if the report has one
// (print_counterexample), and why a conformant run still fails when its
// coverage was short; then writes --report, --junit, --counterexample and
// --html, each rendered from `report` alone (report.run says which command
// made it and how to reproduce it). Returns kConformant when the report
// passed (conformant, and covering at least its minimum), kNotConformant
// otherwise.
int finish_run(const Report& report, const Outputs& outputs, const std::string& after_summary = {});

}  // namespace logoffcheck::cli
