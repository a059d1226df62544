// A report's counterexample as text (logoffcheck/text.h), whatever its kind:
// the step table of a sequential one, the thread table of a concurrent one.
#include <algorithm>

#include "logoffcheck/text.h"

namespace logoffcheck {

namespace {

std::uint32_t thread_count(std::span<const ConcurrentCallRecord> calls) {
  std::uint32_t threads = 0;
  for (const ConcurrentCallRecord& call : calls) {
    if (call.thread) threads = std::max(threads, *call.thread + 1);
  }
  return threads;
}

// Where a call stands in the order found: "3", or "-" when no order reached
// it, or "!" for the call no order explains.
std::string order_mark(std::span<const std::size_t> order, std::optional<std::size_t> unexplained,
                       std::size_t call) {
  if (unexplained == call) return "!";
  const auto at = std::find(order.begin(), order.end(), call);
  if (at == order.end()) return "-";
  return std::to_string(at - order.begin() + 1);
}

// Controlled schedules: " [preempted]" after a call the scheduler switched
// away from, " [preempted 2x]" when twice.
std::string preempted_mark(std::uint32_t preemptions) {
  if (preemptions == 0) return "";
  return preemptions == 1 ? " [preempted]" : " [preempted " + std::to_string(preemptions) + "x]";
}

}  // namespace

std::string format_history_table(std::span<const ConcurrentCallRecord> calls,
                                 std::span<const std::size_t> order,
                                 std::optional<std::size_t> unexplained, ClauseId cause) {
  const std::uint32_t threads = thread_count(calls);
  std::vector<std::string> header = {"#", "order", "client"};
  for (std::uint32_t t = 0; t < threads; ++t) header.push_back("thread " + std::to_string(t + 1));
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const ConcurrentCallRecord& call = calls[i];
    std::vector<std::string> row(header.size());
    row[0] = std::to_string(i + 1);
    row[1] = order_mark(order, unexplained, i);
    row[call.thread ? 3 + *call.thread : 2] = call.observed + preempted_mark(call.preemptions);
    rows.push_back(std::move(row));
  }
  std::string text =
      "Rows in the order the calls began; 'order' is each call's place in the longest order "
      "that explains the calls, '!' the first call none explains.\n";
  text += format_table(header, rows);
  if (unexplained) {
    text += "After " + std::to_string(order.size()) + " calls in order, no order explains call #" +
            std::to_string(*unexplained + 1) + " (" + std::string(clause_code(cause)) +
            " fails for it)\n";
  }
  return text;
}

std::string format_schedule_part(const std::optional<Schedule>& schedule) {
  if (!schedule) return "";
  std::string priorities;
  for (const std::uint32_t thread : schedule->priorities) {
    priorities += (priorities.empty() ? "" : ", ") + std::to_string(thread + 1);
  }
  std::string points;
  for (const std::uint64_t point : schedule->change_points) {
    points += (points.empty() ? "" : ", ") + std::to_string(point);
  }
  return "Schedule (controlled): threads by priority " + priorities + "; change points at steps " +
         (points.empty() ? "none" : points) + "; " + std::to_string(schedule->steps) + " steps, " +
         std::to_string(schedule->preemptions()) + " preemptions\n" + format_schedule(*schedule);
}

namespace {

std::string format_concurrent_part(const CounterexampleDocument& document,
                                   std::optional<std::uint64_t> smaller_cases_tried) {
  const ConcurrentPart& part = *document.concurrent();
  // The played prefix: the client's calls before the first thread's.
  const auto first_thread =
      std::find_if(part.history.begin(), part.history.end(),
                   [](const ConcurrentCallRecord& call) { return call.thread.has_value(); });
  std::string text =
      "Concurrent counterexample: " + std::to_string(first_thread - part.history.begin()) +
      " prefix steps, " + std::to_string(thread_count(part.history)) + " threads, " +
      std::to_string(part.history.size()) + " calls (case " + std::to_string(document.case_index) +
      "); the shrunk case failed in " + std::to_string(part.failed_runs) + " of " +
      std::to_string(part.repeat) + " runs";
  if (smaller_cases_tried) {
    text += " (" + std::to_string(*smaller_cases_tried) + " smaller cases tried)";
  }
  return text + "\n" +
         format_history_table(part.history, part.linearized, part.violation_call, part.cause) +
         format_schedule_part(part.schedule);
}

}  // namespace

std::string format_counterexample(const Report& report) {
  if (!report.counterexample) return {};
  const CounterexampleDocument& found = *report.counterexample;
  if (found.concurrent()) return format_concurrent_part(found, report.run.smaller_cases_tried);
  if (report.run.records.empty()) return format_counterexample_steps(found);
  return format_step_table(report.run.records, found.violation, found.sequential()->violation_step);
}

std::string format_earlier_cases(const SequentialPart& part) {
  if (part.earlier_cases.empty()) return {};
  const std::size_t count = part.earlier_cases.size();
  std::string text =
      "The failure needs " +
      std::string(count == 1 ? "an earlier case" : std::to_string(count) + " earlier cases") +
      " played first in the same process, each against a store of its own:\n"
      "the store keeps state from one store to the next (a global).\n";
  for (std::size_t i = 0; i < count; ++i) {
    text += "  earlier case " + std::to_string(i + 1) + ": ";
    const bool name_store = stores_used(part.earlier_cases[i]) > 1;
    for (std::size_t step = 0; step < part.earlier_cases[i].size(); ++step) {
      text += (step > 0 ? ", " : "") + describe_step(part.earlier_cases[i][step], name_store);
    }
    text += "\n";
  }
  return text;
}

}  // namespace logoffcheck
