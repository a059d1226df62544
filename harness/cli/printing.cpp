#include "printing.h"

#include <algorithm>
#include <map>

#include "files.h"
#include "logoffcheck/text.h"
#include "logoffcheck/windows_runner.h"

namespace logoffcheck::cli {

std::string shell_word(std::string_view word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=:,./@%") == std::string_view::npos;
  if (plain) return std::string(word);
  std::string quoted = "'";
  for (const char c : word) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

void print_violation(std::ostream& out, const Violation& violation) {
  const Clause& broken = clause(violation.clause);
  out << broken.code << " (" << level_name(broken.level) << "): " << broken.statement << "\n"
      << "  expected: " << violation.expected << "\n"
      << "  observed: " << violation.observed << "\n";
}

void print_provider_output(std::ostream& out, const ProviderOutput& output) {
  out << "\nProvider output during the case (" << output.bytes << " bytes"
      << (output.bytes > output.tail.size()
              ? ", the last " + std::to_string(output.tail.size()) + " shown"
              : std::string())
      << "), each line marked '|':\n";
  std::size_t start = 0;
  while (start < output.tail.size()) {
    const std::size_t end = std::min(output.tail.find('\n', start), output.tail.size());
    out << "  | " << std::string_view(output.tail).substr(start, end - start) << "\n";
    start = end + 1;
  }
}

void print_report_summary(std::ostream& out, const Report& report, std::string_view command) {
  out << "logoffcheck " << report.version << ": " << command << " " << report.provider << "\n"
      << "  profile  " << profile_name(report.profile) << (report.strict ? " (strict)" : "") << "\n"
      << "  seed     " << report.seed << "\n";
  if (report.sandbox == false) out << "  sandbox: off (the store ran with the user's rights)\n";
  out << "  cases    " << report.cases_run << " of " << report.cases_requested;
  if (report.shard.count > 1) {
    out << (report.shard.index ? " (shard " + std::to_string(*report.shard.index) + " of " +
                                     std::to_string(report.shard.count) + ")"
                               : " (" + std::to_string(report.shard.count) + " shards merged)");
  }
  out << ", " << report.steps_run << " steps, " << report.seconds << " s\n";
  out << "  verdict  ";
  if (report.conformant()) {
    out << "CONFORMANT\n\n";
  } else {
    const ClauseId failed = *report.failed_clause();
    out << "NOT CONFORMANT: " << clause_code(failed) << " (" << level_name(clause(failed).level)
        << ")";
    // --keep-going: the other clauses that failed, once each.
    std::vector<ClauseId> named = {failed};
    for (const CounterexampleDocument& other : report.more_counterexamples) {
      const ClauseId id = other.violation.clause;
      if (std::find(named.begin(), named.end(), id) != named.end()) continue;
      named.push_back(id);
      out << ", " << clause_code(id) << " (" << level_name(clause(id).level) << ")";
    }
    out << " failed\n\n";
  }
  out << format_clause_table(report);
  if (const std::string coverage = format_coverage(report); !coverage.empty()) {
    out << "\n" << coverage;
  }
}

std::string unsupported_support_notes(std::span<const std::unique_ptr<CaseRunner>> runners) {
  std::map<std::string, std::uint64_t> calls;  // summed over the workers' runners
  for (const std::unique_ptr<CaseRunner>& runner : runners) {
    const auto* windows = dynamic_cast<const WindowsAgentRunner*>(runner.get());
    if (windows == nullptr) continue;
    for (const auto& [method, count] : windows->unsupported_support_calls()) calls[method] += count;
  }
  std::string notes;
  for (const auto& [method, count] : calls) {
    notes += "note: the store called " + method + " " + std::to_string(count) +
             (count == 1 ? " time" : " times") + " (answered MAPI_E_NO_SUPPORT, not judged)\n";
  }
  return notes;
}

std::optional<std::vector<LogonCall>> logon_trace_of(
    std::span<const std::unique_ptr<CaseRunner>> runners) {
  for (const std::unique_ptr<CaseRunner>& runner : runners) {
    const auto* windows = dynamic_cast<const WindowsAgentRunner*>(runner.get());
    if (windows == nullptr) continue;
    std::vector<LogonCall> trace = windows->logon_trace();
    if (!trace.empty()) return trace;
  }
  return std::nullopt;
}

std::string format_logon_trace(const std::vector<LogonCall>& trace) {
  std::size_t width = 0;
  for (const LogonCall& call : trace) width = std::max(width, call.call.size());
  std::string text =
      "Logon (MSProviderInit and the first IMSProvider::Logon), every call in order:\n";
  std::size_t number = 0;
  for (const LogonCall& call : trace) {
    const std::string index = std::to_string(++number);
    text += std::string(index.size() < 3 ? 3 - index.size() : 0, ' ') + index + "  " + call.call +
            std::string(width - call.call.size() + 2, ' ') + call.result +
            (call.unsupported ? " (not supported by logoffcheck)" : "") + "\n";
  }
  return text;
}

std::string certify_command(const Report& report) {
  std::string command =
      "logoffcheck certify --provider " + shell_word(report.provider) + " --profile " +
      std::string(profile_name(report.profile)) + (report.strict ? " --strict" : "") + " --seed " +
      std::to_string(report.seed) + " --cases " + std::to_string(report.cases_requested) +
      " --max-steps " + std::to_string(report.max_steps);
  if (report.stores > 1) command += " --stores " + std::to_string(report.stores);
  if (report.shard.index && report.shard.count > 1) {
    command += " --shard-index " + std::to_string(*report.shard.index) + " --shard-count " +
               std::to_string(report.shard.count);
  }
  if (report.sandbox == false) command += " --sandbox off";
  return command;
}

void print_counterexample(std::ostream& out, const Report& report,
                          const std::string& counterexample_file) {
  const CounterexampleDocument& found = *report.counterexample;
  // A known failure (--corpus) is named by its file, not by a case of the seed.
  const std::string known = report.run.sources.empty() ? std::string() : report.run.sources.front();
  if (const SequentialPart* part = found.sequential()) {
    out << "\nMinimal counterexample: " << part->steps.size()
        << (part->steps.size() == 1 ? " step" : " steps")
        << (known.empty() ? " (case " + std::to_string(found.case_index) + " of seed " +
                                std::to_string(found.seed) + ")"
                          : " (known failure: " + known + " fails again)")
        << "\n"
        << format_earlier_cases(*part);
  } else {
    out << (known.empty() ? "\n" : "\nKnown failure: " + known + " fails again.\n");
  }
  out << format_counterexample(report) << "\n";
  print_violation(out, found.violation);
  if (found.replays) {
    out << "  flaky:    the failure did not recur on replay; " << found.replays->failed << " of "
        << found.replays->runs << " replays failed\n";
  }
  if (found.provider_output) print_provider_output(out, *found.provider_output);
  out << "\nReproduce: "
      << (report.run.reproduce.empty() ? certify_command(report) : report.run.reproduce) << "\n";
  if (!counterexample_file.empty()) {
    out << "Replay:    logoffcheck replay " << shell_word(counterexample_file) << "\n";
  }
}

void print_counterexamples(std::ostream& out, const Report& report,
                           const std::string& counterexample_file) {
  const std::size_t failures = report.more_counterexamples.size() + 1;
  for (std::size_t number = 0; number < failures; ++number) {
    if (failures > 1) out << "\nFailure " << number + 1 << " of " << failures << ":";
    print_counterexample(out, counterexample_view(report, number),
                         counterexample_file.empty()
                             ? std::string()
                             : numbered_counterexample_path(counterexample_file, number));
  }
}

}  // namespace logoffcheck::cli
