#include "logoffcheck/text.h"

#include <algorithm>
#include <sstream>

namespace logoffcheck {

namespace {

std::string describe_argument(const Step& step) {
  if (step.action != Action::StoreLogoff) return is_client_call(step.action) ? "" : "(environment)";
  return step.null_flags_pointer ? "NULL" : describe_flags(step.flags);
}

std::string step_table(const std::vector<StepRecord>& records,
                       const std::optional<Violation>& violation, std::size_t violation_step,
                       bool observations_recorded) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const StepRecord& record = records[i];
    const bool violating = violation && i == violation_step;
    rows.push_back({std::to_string(i + 1), std::string(action_name(record.step.action)),
                    describe_argument(record.step),
                    violating ? violation->expected : summarize_expected(record),
                    violating               ? violation->observed
                    : observations_recorded ? summarize_observed(record)
                                            : "",
                    violating ? std::string(clause_code(violation->clause)) : ""});
  }
  // A case of several stores names the store of each step (issue 23).
  const bool several_stores = std::any_of(records.begin(), records.end(),
                                          [](const StepRecord& r) { return r.step.store != 0; });
  if (!several_stores) {
    return format_table({"step", "call", "argument", "expected", "observed", "clause"}, rows);
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    rows[i].insert(rows[i].begin() + 1, std::to_string(records[i].step.store));
  }
  return format_table({"step", "store", "call", "argument", "expected", "observed", "clause"},
                      rows);
}

}  // namespace

std::vector<StepRecord> expected_records(const CounterexampleDocument& counterexample) {
  std::vector<StepRecord> records;
  StoreStates states = initial_states(counterexample.profile);
  for (const Step& step : counterexample.sequential()->steps) {
    State& state = states[step.store];
    if (!caller_may(state, step)) break;  // a hand-edited file; the model cannot go on
    const Transition transition = logoffcheck::step(state, step);
    records.push_back({step, transition.expected, Observation{}});
    state = transition.next;
  }
  return records;
}

std::string format_counterexample_steps(const CounterexampleDocument& counterexample) {
  return step_table(expected_records(counterexample), counterexample.violation,
                    counterexample.sequential()->violation_step, false);
}

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(header.size());
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], row[c].size());
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  const auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      if (c > 0) text += "  ";
      text += row[c];
      if (c + 1 < row.size()) text.append(widths[c] - row[c].size(), ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::string table = line(header);
  std::vector<std::string> rule;
  for (const std::size_t width : widths) rule.emplace_back(width, '-');
  table += line(rule);
  for (const auto& row : rows) table += line(row);
  return table;
}

std::string summarize_expected(const StepRecord& record) {
  const Expectation& expected = record.expected;
  const auto transport = [&] {
    return expected.transport_call_due
               ? "StoreLogoffTransports(" + describe_flags(expected.transport_flag) + ")"
               : std::string("no transport call");
  };
  switch (record.step.action) {
    case Action::AddRef:
      return "returns " + std::to_string(expected.count_returned);
    case Action::Release: {
      std::string text = "returns " + std::to_string(expected.count_returned);
      if (expected.final_release) text += ", " + transport();
      return text;
    }
    case Action::StoreLogoff: {
      // In the order of the observed column: result, *lpulFlags, transport calls.
      std::string text = describe_hresult(expected.result);
      if (expected.output == OutputRule::exactly) {
        text += ", *lpulFlags=" + describe_flags(expected.output_flags);
      }
      return text + ", " + transport();
    }
    default:
      return "-";
  }
}

std::string summarize_observed(const StepRecord& record) {
  const Observation& observed = record.observed;
  if (!is_client_call(record.step.action)) return "-";
  if (observed.outcome != CallOutcome::returned) return describe_outcome(observed);
  std::string text;
  if (record.step.action == Action::StoreLogoff) {
    text = describe_hresult(observed.result);
    if (!record.step.null_flags_pointer) {
      text += ", *lpulFlags=" + describe_flags(observed.output_flags);
    }
  } else {
    text = "returned " + std::to_string(observed.count_returned);
  }
  if (observed.transport_call_count > 0) {
    text += ", " + describe_transport_calls(observed);
  } else if (record.expected.final_release) {
    text += ", no transport call";
  }
  return text;
}

std::string format_step_table(const std::vector<StepRecord>& records,
                              const std::optional<Violation>& violation,
                              std::size_t violation_step) {
  return step_table(records, violation, violation_step, true);
}

std::string format_clause_table(const Report& report) {
  std::vector<std::vector<std::string>> rows;
  for (const Clause& entry : kClauses) {
    std::string status = std::string(
        clause_status_name(clause_status(entry.id, report.tally, report.profile, report.strict)));
    if (!applies_to(entry.id, report.profile)) {
      status += " (" + std::string(scope_name(entry.scope)) + " only)";
    }
    rows.push_back({std::string(entry.code), std::string(level_name(entry.level)), status,
                    std::to_string(report.tally.exercised(entry.id))});
  }
  return format_table({"clause", "level", "status", "exercised"}, rows);
}

std::string format_coverage(const Report& report, std::size_t max_listed) {
  if (!report.coverage) return {};
  const CoverageFigures figures = coverage_figures(report);
  std::ostringstream out;
  out << "coverage " << figures.exercised << " of " << figures.reachable << " model transitions ("
      << figures.percent << "%)";
  if (report.coverage->minimum_percent) {
    out << (figures.meets_minimum ? ", at least " : ", BELOW the minimum ")
        << *report.coverage->minimum_percent << "%";
  }
  out << "\nspooler rows reached:";
  for (std::size_t row = 0; row < figures.spooler_rows.size(); ++row) {
    if (figures.spooler_rows[row]) out << " SP-" << row + 1;
  }
  out << "\n";
  for (std::size_t n = 0; n < figures.unexercised.size() && n < max_listed; ++n) {
    out << "  not exercised: " << describe_transition(figures.unexercised[n]) << "\n";
  }
  if (figures.unexercised.size() > max_listed) {
    out << "  ... and " << figures.unexercised.size() - max_listed
        << " more (the JSON report lists them all)\n";
  }
  return out.str();
}

}  // namespace logoffcheck
