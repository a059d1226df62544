#include "logoffcheck/junit.h"

#include <utility>
#include <vector>

#include "json.h"
#include "logoffcheck/text.h"
#include "markup.h"

namespace logoffcheck {

std::string write_junit_xml(const Report& report) {
  const std::string classname = "logoffcheck." + std::string(profile_name(report.profile));
  std::size_t failures = 0;
  std::size_t skipped = 0;
  std::string cases;
  for (const Clause& entry : kClauses) {
    const ClauseStatus status =
        clause_status(entry.id, report.tally, report.profile, report.strict);
    cases += "    <testcase classname=\"" + markup_escape(classname) + "\" name=\"" +
             markup_escape(std::string(entry.code) + " " + std::string(entry.statement)) + "\"";
    const auto i = static_cast<std::size_t>(entry.id);
    if (status == ClauseStatus::pass) {
      cases += "/>\n";
      continue;
    }
    cases += ">\n";
    if (status == ClauseStatus::not_exercised) {
      ++skipped;
      const std::string why =
          applies_to(entry.id, report.profile)
              ? "not exercised by this run"
              : "applies to the " + std::string(scope_name(entry.scope)) + " profile only";
      cases += "      <skipped message=\"" + markup_escape(why) + "\"/>\n";
    } else if (status == ClauseStatus::warn) {
      cases += "      <system-out>" +
               markup_escape("warning: SHOULD clause " + std::string(entry.code) + " failed " +
                             std::to_string(report.tally.failed[i]) +
                             " times; it fails certification only with --strict") +
               "</system-out>\n";
    } else {
      ++failures;
      // The counterexample that names this clause (under --keep-going not
      // always the first), else the first.
      const std::optional<std::size_t> naming = counterexample_naming(report, entry.id);
      const Report shown = counterexample_view(report, naming.value_or(0));
      const Violation* named = naming ? &shown.counterexample->violation : nullptr;
      const std::string message = named ? std::string(entry.code) + ": expected " +
                                              named->expected + ", observed " + named->observed
                                        : std::string(entry.code) + " failed " +
                                              std::to_string(report.tally.failed[i]) + " times";
      std::string body = message + "\n";
      if (const auto& found = shown.counterexample) {
        const std::string figures =
            found->concurrent()
                ? "concurrent counterexample (" +
                      std::to_string(found->concurrent()->scenario.threads.size()) + " threads"
                : "counterexample (" + std::to_string(found->sequential()->steps.size()) + " steps";
        body += "\n" + figures + ", case " + std::to_string(found->case_index) + ", naming " +
                std::string(clause_code(found->violation.clause)) + "):\n" +
                format_counterexample(shown);
      }
      cases += "      <failure type=\"" + std::string(entry.code) + "\" message=\"" +
               markup_escape(message) + "\">" + markup_escape(body) + "</failure>\n";
    }
    cases += "    </testcase>\n";
  }
  const std::string counts = " tests=\"" + std::to_string(kClauseCount) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\"";
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"logoffcheck\"" + counts + ">\n";
  xml += "  <testsuite name=\"" + markup_escape(classname) + "\"" + counts + " skipped=\"" +
         std::to_string(skipped) + "\">\n";
  xml += "    <properties>\n";
  const std::pair<std::string_view, std::string> properties[] = {
      {"provider", report.provider},
      {"profile", std::string(profile_name(report.profile))},
      {"seed", std::to_string(report.seed)},
      {"strict", report.strict ? "true" : "false"},
      {"cases", std::to_string(report.cases_run)},
      {"verdict", std::string(json::verdict_name(report.conformant()))},
  };
  std::vector<std::pair<std::string_view, std::string>> listed(std::begin(properties),
                                                               std::end(properties));
  if (report.coverage) {
    const CoverageFigures figures = coverage_figures(report);
    listed.emplace_back("coverage_transitions", std::to_string(figures.exercised) + " of " +
                                                    std::to_string(figures.reachable));
    listed.emplace_back("coverage_percent", json::dump_scalar(figures.percent));
  }
  for (const auto& [name, value] : listed) {
    xml += "      <property name=\"" + std::string(name) + "\" value=\"" + markup_escape(value) +
           "\"/>\n";
  }
  xml += "    </properties>\n" + cases + "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace logoffcheck
