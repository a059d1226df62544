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

// Prints the report's summary (with its coverage) and, if it has one, the
// counterexample with `found`'s observations; writes --report, --junit,
// --counterexample and --html. `reproduce` is the command line that runs it
// again; `notes` are extra lines of the HTML page's run table;
// `support_notes` is printed after the summary (unsupported_support_notes). Returns
// kConformant when the report passed (conformant, and covering at least its
// minimum), kNotConformant otherwise, saying why when coverage was short.
int finish_run(std::string_view command_name, const Report& report,
               const Counterexample* found, const Outputs& outputs, const std::string& reproduce,
               std::vector<std::pair<std::string, std::string>> notes = {},
               const std::string& support_notes = {});

}  // namespace logoffcheck::cli
