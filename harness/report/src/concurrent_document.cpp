#include "logoffcheck/concurrent_document.h"

#include <algorithm>

#include "logoffcheck/text.h"

namespace logoffcheck {

namespace {

// "AddRef -> 3", "StoreLogoff(NULL) -> MAPI_E_INVALID_PARAMETER", or how the
// call ended when it did not return.
std::string call_cell(const HistoryCall& call) {
  if (!is_client_call(call.step.action)) return describe_step(call.step);
  StepRecord record{call.step, {}, call.observed};
  return describe_step(call.step) + " -> " + summarize_observed(record);
}

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

std::string counts_line(std::size_t prefix, std::span<const ConcurrentCallRecord> calls,
                        std::uint64_t case_index) {
  return std::to_string(prefix) + " prefix steps, " + std::to_string(thread_count(calls)) +
         " threads, " + std::to_string(calls.size()) + " calls (case " +
         std::to_string(case_index) + ")";
}

// Controlled schedules: " [preempted]" after a call the scheduler switched
// away from, " [preempted 2x]" when twice.
std::string preempted_mark(std::uint32_t preemptions) {
  if (preemptions == 0) return "";
  return preemptions == 1 ? " [preempted]" : " [preempted " + std::to_string(preemptions) + "x]";
}

// The schedule part of a counterexample played under a controlled schedule.
std::string schedule_part(const std::optional<Schedule>& schedule) {
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
         (points.empty() ? "none" : points) + "; " + std::to_string(schedule->steps) +
         " steps, " + std::to_string(schedule->preemptions()) + " preemptions\n" +
         format_schedule(*schedule);
}

}  // namespace

std::vector<ConcurrentCallRecord> history_records(const History& history) {
  std::vector<ConcurrentCallRecord> records;
  records.reserve(history.calls.size());
  for (const HistoryCall& call : history.calls) {
    ConcurrentCallRecord record;
    if (call.thread != kClientThread) record.thread = call.thread;
    record.step = call.step;
    record.invoked = call.invoked;
    if (call.completed) record.responded = call.responded;
    record.outcome = call.observed.outcome;
    record.observed = call_cell(call);
    record.preemptions = call.preemptions;
    records.push_back(std::move(record));
  }
  return records;
}

ConcurrentCounterexampleDocument make_concurrent_counterexample_document(
    const ConcurrentCounterexample& counterexample, std::string provider,
    const CaseOptions& options, std::uint64_t seed) {
  ConcurrentCounterexampleDocument document;
  document.provider = std::move(provider);
  document.profile = options.profile;
  document.strict = options.strict;
  document.seed = seed;
  document.case_index = counterexample.case_index;
  document.repeat = counterexample.repeat;
  document.failed_runs = counterexample.failed_runs;
  document.scenario = counterexample.shrunk;
  document.history = history_records(counterexample.history);
  document.linearized = counterexample.judgement.order;
  document.violation = counterexample.judgement.violation;
  document.cause = counterexample.judgement.cause;
  document.violation_call = counterexample.judgement.unexplained;
  document.schedule = counterexample.history.schedule;
  return document;
}

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

std::string format_concurrent_counterexample(const ConcurrentCounterexample& counterexample) {
  const LinearizabilityResult& judgement = counterexample.judgement;
  const std::vector<ConcurrentCallRecord> calls = history_records(counterexample.history);
  return "Concurrent counterexample: " +
         counts_line(counterexample.history.prefix_length, calls, counterexample.case_index) +
         "; the shrunk case failed in " + std::to_string(counterexample.failed_runs) + " of " +
         std::to_string(counterexample.repeat) + " runs (" +
         std::to_string(counterexample.shrink_cases) + " smaller cases tried)\n" +
         format_history_table(calls, judgement.order,
                              judgement.linearizable ? std::nullopt
                                                     : std::optional(judgement.unexplained),
                              judgement.cause) +
         schedule_part(counterexample.history.schedule);
}

std::string format_concurrent_document(const ConcurrentCounterexampleDocument& document) {
  // The played prefix: the client's calls before the first thread's.
  const auto first_thread =
      std::find_if(document.history.begin(), document.history.end(),
                   [](const ConcurrentCallRecord& call) { return call.thread.has_value(); });
  return "Concurrent counterexample: " +
         counts_line(static_cast<std::size_t>(first_thread - document.history.begin()),
                     document.history, document.case_index) +
         "; the shrunk case failed in " + std::to_string(document.failed_runs) + " of " +
         std::to_string(document.repeat) + " runs\n" +
         format_history_table(document.history, document.linearized, document.violation_call,
                              document.cause) +
         schedule_part(document.schedule);
}

std::string write_concurrent_counterexample_json(const ConcurrentCounterexample& counterexample,
                                                 const std::string& provider,
                                                 const CaseOptions& options, std::uint64_t seed) {
  return write_concurrent_counterexample_json(
      make_concurrent_counterexample_document(counterexample, provider, options, seed));
}

}  // namespace logoffcheck
