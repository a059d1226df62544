#include "outcome.h"

#include <iostream>

#include "command.h"
#include "files.h"
#include "logoffcheck/text.h"
#include "printing.h"

namespace logoffcheck::cli {

void add_min_coverage_option(CLI::App& command, std::optional<double>& min_coverage) {
  command
      .add_option("--min-coverage", min_coverage,
                  "Fail (exit 1) when the run exercises less than P percent of the model's "
                  "reachable transitions")
      ->check(CLI::Range(0.0, 100.0));
}

int finish_run(const Report& report, const Outputs& outputs, const std::string& after_summary) {
  // The summary first: if a file cannot be written, the run is not lost.
  print_report_summary(std::cout, report, report.run.command_name);
  std::cout << after_summary;
  if (report.logon_trace) std::cout << "\n" << format_logon_trace(*report.logon_trace);
  if (report.counterexample) print_counterexamples(std::cout, report, outputs.counterexample);
  if (report.conformant() && !report.passed()) {
    std::cout << "\nFAILED: the run covered " << coverage_figures(report).percent
              << "% of the model's transitions, below --min-coverage "
              << *report.coverage->minimum_percent << "\n";
  }
  outputs.write(report);
  return report.passed() ? kConformant : kNotConformant;
}

}  // namespace logoffcheck::cli
