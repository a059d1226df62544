#include "logoffcheck/concurrent_document.h"

#include <algorithm>

#include "json.h"
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

std::uint32_t thread_count(const History& history) {
  std::uint32_t threads = 0;
  for (const HistoryCall& call : history.calls) {
    if (call.thread != kClientThread) threads = std::max(threads, call.thread + 1);
  }
  return threads;
}

// Where a call stands in the order found: "3", or "-" when no order reached
// it, or "!" for the call no order explains.
std::string order_mark(const LinearizabilityResult& judgement, std::size_t call) {
  if (!judgement.linearizable && call == judgement.unexplained) return "!";
  const auto at = std::find(judgement.order.begin(), judgement.order.end(), call);
  if (at == judgement.order.end()) return "-";
  return std::to_string(at - judgement.order.begin() + 1);
}

}  // namespace

std::string format_concurrent_counterexample(const ConcurrentCounterexample& counterexample) {
  const History& history = counterexample.history;
  const LinearizabilityResult& judgement = counterexample.judgement;
  const std::uint32_t threads = thread_count(history);
  std::vector<std::string> header = {"#", "order", "client"};
  for (std::uint32_t t = 0; t < threads; ++t) header.push_back("thread " + std::to_string(t + 1));
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < history.calls.size(); ++i) {
    const HistoryCall& call = history.calls[i];
    std::vector<std::string> row(header.size());
    row[0] = std::to_string(i + 1);
    row[1] = order_mark(judgement, i);
    row[call.thread == kClientThread ? 2 : 3 + call.thread] = call_cell(call);
    rows.push_back(std::move(row));
  }
  std::string text = "Concurrent counterexample: " + std::to_string(history.prefix_length) +
                     " prefix steps, " + std::to_string(threads) + " threads, " +
                     std::to_string(history.calls.size()) + " calls (case " +
                     std::to_string(counterexample.case_index) + "); the shrunk case failed in " +
                     std::to_string(counterexample.failed_runs) + " of " +
                     std::to_string(counterexample.repeat) + " runs (" +
                     std::to_string(counterexample.shrink_cases) + " smaller cases tried)\n";
  text += "Rows in the order the calls began; 'order' is each call's place in the longest order "
          "that explains the calls, '!' the first call none explains.\n";
  text += format_table(header, rows);
  if (!judgement.linearizable) {
    text += "After " + std::to_string(judgement.order.size()) +
            " calls in order, no order explains call #" +
            std::to_string(judgement.unexplained + 1) + " (" +
            std::string(clause_code(judgement.cause)) + " fails for it)\n";
  }
  return text;
}

std::string write_concurrent_counterexample_json(const ConcurrentCounterexample& counterexample,
                                                 const std::string& provider,
                                                 const CaseOptions& options, std::uint64_t seed) {
  using json::Json;
  Json document;
  document["schema_version"] = kReportSchemaVersion;
  document["kind"] = "concurrent-counterexample";
  document["provider"] = provider;
  document["profile"] = profile_name(options.profile);
  document["strict"] = options.strict;
  document["seed"] = seed;
  document["case_index"] = counterexample.case_index;
  document["repeat"] = counterexample.repeat;
  document["failed_runs"] = counterexample.failed_runs;
  Json prefix = Json::array();
  for (const Step& step : counterexample.shrunk.prefix) prefix.push_back(json::step_json(step));
  document["prefix"] = prefix;
  Json threads = Json::array();
  for (const std::vector<Step>& run : counterexample.shrunk.threads) {
    Json steps = Json::array();
    for (const Step& step : run) steps.push_back(json::step_json(step));
    threads.push_back(steps);
  }
  document["threads"] = threads;
  Json calls = Json::array();
  for (const HistoryCall& call : counterexample.history.calls) {
    Json entry;
    entry["thread"] = call.thread == kClientThread ? Json(nullptr) : Json(call.thread + 1);
    entry["step"] = json::step_json(call.step);
    entry["invoked"] = call.invoked;
    entry["responded"] = call.completed ? Json(call.responded) : Json(nullptr);
    entry["outcome"] = outcome_name(call.observed.outcome);
    entry["observed"] = call_cell(call);
    calls.push_back(entry);
  }
  document["history"] = calls;
  const LinearizabilityResult& judgement = counterexample.judgement;
  Json order = Json::array();
  for (std::size_t i : judgement.order) order.push_back(i);
  document["linearized"] = order;
  document["violation"] = {{"clause", clause_code(judgement.violation.clause)},
                           {"cause", clause_code(judgement.cause)},
                           {"call", judgement.unexplained},
                           {"expected", judgement.violation.expected},
                           {"observed", judgement.violation.observed}};
  return json::dump_document(document);
}

}  // namespace logoffcheck
