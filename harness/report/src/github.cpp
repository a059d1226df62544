// A report as GitHub Actions shows it (logoffcheck/github.h, docs/ci.md):
// workflow-command annotations and the job summary's Markdown. Renders from
// the Report alone.
#include "logoffcheck/github.h"

#include <vector>

#include "json.h"
#include "logoffcheck/text.h"

namespace logoffcheck {

namespace {

// Workflow-command escaping (GitHub's toolkit, core/src/command.ts): the
// message loses its line breaks and '%'; a property also its ':' and ','.
std::string escape_command_data(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '%') {
      escaped += "%25";
    } else if (c == '\r') {
      escaped += "%0D";
    } else if (c == '\n') {
      escaped += "%0A";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string escape_command_property(std::string_view text) {
  std::string escaped;
  for (const char c : escape_command_data(text)) {
    if (c == ':') {
      escaped += "%3A";
    } else if (c == ',') {
      escaped += "%2C";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// Text as one Markdown table cell: punctuation Markdown would read as markup
// is backslash-escaped, line breaks become spaces.
std::string cell(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      escaped += ' ';
      continue;
    }
    if (std::string_view("\\`*[]<>|#~").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string markdown_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows) {
  const auto line = [](const std::vector<std::string>& cells) {
    std::string text = "|";
    for (const std::string& value : cells) text += " " + value + " |";
    return text + "\n";
  };
  std::string table = line(header);
  table += line(std::vector<std::string>(header.size(), "---"));
  for (const auto& row : rows) table += line(row);
  return table;
}

const Violation* named_violation(const Report& report) {
  if (report.counterexample) return &report.counterexample->violation;
  return nullptr;
}

std::string clause_rows(const Report& report) {
  std::vector<std::vector<std::string>> rows;
  for (const Clause& entry : kClauses) {
    const auto i = static_cast<std::size_t>(entry.id);
    const ClauseStatus status =
        clause_status(entry.id, report.tally, report.profile, report.strict);
    const std::string shown(clause_status_name(status));
    rows.push_back({std::string(entry.code), std::string(level_name(entry.level)),
                    status == ClauseStatus::fail ? "**" + shown + "**" : shown,
                    std::to_string(report.tally.passed[i]), std::to_string(report.tally.failed[i]),
                    cell(entry.statement)});
  }
  return markdown_table({"clause", "level", "status", "passed", "failed", "statement"}, rows);
}

std::string sequential_rows(const CounterexampleDocument& found) {
  const SequentialPart& part = *found.sequential();
  const std::vector<StepRecord> records = expected_records(found);
  std::vector<std::vector<std::string>> rows;
  const bool name_store = stores_used(part.steps) > 1;
  for (std::size_t i = 0; i < part.steps.size(); ++i) {
    const bool breaking = i == part.violation_step;
    rows.push_back(
        {std::to_string(i + 1), cell(describe_step(part.steps[i], name_store)),
         breaking             ? cell(found.violation.expected)
         : i < records.size() ? cell(summarize_expected(records[i]))
                              : "",
         breaking ? cell(found.violation.observed) : "",
         breaking ? "**" + std::string(clause_code(found.violation.clause)) + "**" : ""});
  }
  return "Minimal counterexample: " + std::to_string(part.steps.size()) + " steps (case " +
         std::to_string(found.case_index) + " of seed " + std::to_string(found.seed) + ")\n\n" +
         markdown_table({"step", "call", "expected", "observed", "clause"}, rows);
}

std::string concurrent_rows(const CounterexampleDocument& document) {
  const ConcurrentPart& found = *document.concurrent();
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < found.history.size(); ++i) {
    const ConcurrentCallRecord& call = found.history[i];
    const bool breaking = i == found.violation_call;
    rows.push_back(
        {std::to_string(i + 1), call.thread ? std::to_string(*call.thread + 1) : "client",
         cell(describe_step(call.step)), cell(call.observed),
         breaking ? "**" + std::string(clause_code(document.violation.clause)) + "**" : ""});
  }
  return "Minimal concurrent counterexample: " + std::to_string(found.scenario.threads.size()) +
         " threads (case " + std::to_string(document.case_index) + " of seed " +
         std::to_string(document.seed) + "; " + std::to_string(found.failed_runs) + " of " +
         std::to_string(found.repeat) + " plays failed), calls in the order they began\n\n" +
         markdown_table({"call", "thread", "call", "observed", "clause"}, rows);
}

}  // namespace

std::string github_annotations(const Report& report,
                               const std::optional<ResultLocation>& location) {
  const Violation* violation = named_violation(report);
  std::string lines;
  for (const Clause& entry : kClauses) {
    if (clause_status(entry.id, report.tally, report.profile, report.strict) !=
        ClauseStatus::fail) {
      continue;
    }
    const auto i = static_cast<std::size_t>(entry.id);
    std::string message = std::string(entry.code) + " (" + std::string(level_name(entry.level)) +
                          "): " + std::string(entry.statement);
    if (violation && violation->clause == entry.id) {
      message += "\nexpected: " + violation->expected + "\nobserved: " + violation->observed;
    } else {
      message += "\nfailed " + std::to_string(report.tally.failed[i]) + " times";
    }
    message += "\nprovider: " + report.provider;
    std::string properties;
    if (location) {
      properties += "file=" + escape_command_property(location->path) + ",";
      if (location->line) properties += "line=" + std::to_string(*location->line) + ",";
    }
    properties += "title=" + escape_command_property(entry.code);
    lines += "::error " + properties + "::" + escape_command_data(message) + "\n";
  }
  return lines;
}

std::string github_step_summary(const Report& report, std::string_view reproduce) {
  const bool conformant = report.conformant();
  std::string summary = "## logoffcheck: " + std::string(json::verdict_name(conformant)) + "\n\n";
  summary += "| provider | profile | seed | cases | steps |\n| --- | --- | --- | --- | --- |\n";
  summary += "| " + cell(report.provider) + " | " + std::string(profile_name(report.profile)) +
             (report.strict ? " (strict)" : "") + " | " + std::to_string(report.seed) + " | " +
             std::to_string(report.cases_run) + " | " + std::to_string(report.steps_run) + " |\n\n";
  if (const Violation* violation = named_violation(report)) {
    const Clause& broken = clause(violation->clause);
    summary += "**" + std::string(broken.code) + "** (" + std::string(level_name(broken.level)) +
               "): " + cell(broken.statement) + "\n\n";
    summary += "- expected: " + cell(violation->expected) + "\n";
    summary += "- observed: " + cell(violation->observed) + "\n\n";
    summary += report.counterexample->concurrent() ? concurrent_rows(*report.counterexample)
                                                   : sequential_rows(*report.counterexample);
    summary += "\n";
  }
  summary += "<details><summary>Clauses</summary>\n\n" + clause_rows(report) + "\n</details>\n\n";
  summary += "Reproduce:\n\n```sh\n" + std::string(reproduce) + "\n```\n";
  return summary;
}

}  // namespace logoffcheck
