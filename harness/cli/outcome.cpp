#include "outcome.h"

#include <iostream>

#include "command.h"
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

int finish_run(std::string_view command_name, const Report& report, const Counterexample* found,
               const Outputs& outputs, const std::string& reproduce,
               std::vector<std::pair<std::string, std::string>> notes,
               const std::string& support_notes) {
  const std::string table =
      found ? format_step_table(found->records, found->violation, found->violation_step)
            : std::string();
  // The summary first: if a file cannot be written, the run is not lost.
  print_report_summary(std::cout, report, command_name);
  if (!support_notes.empty()) std::cout << "\n" << support_notes;
  if (report.counterexample) {
    print_counterexample(std::cout, report, table, outputs.counterexample, reproduce);
  }
  if (report.conformant() && !report.passed()) {
    std::cout << "\nFAILED: the run covered " << coverage_figures(report).percent
              << "% of the model's transitions, below --min-coverage "
              << *report.coverage->minimum_percent << "\n";
  }
  HtmlContext page;
  page.command_name = std::string(command_name);
  page.reproduce = reproduce;
  if (found) page.records = found->records;
  page.notes = std::move(notes);
  outputs.write(report, table, page);
  return report.passed() ? kConformant : kNotConformant;
}

}  // namespace logoffcheck::cli
