// The concurrent counterexample document (clause RC-4): JSON out, and a
// reader that validates every field (docs/report.md), as the sequential
// counterexample's does.
#include <set>

#include "json.h"

namespace logoffcheck {

namespace json {

namespace {

// The bound on `repeat`: what certify's and replay's --repeat accept.
constexpr std::uint64_t kMaxRepeat = 1000;

constexpr CallOutcome kOutcomes[] = {
    CallOutcome::returned, CallOutcome::threw,         CallOutcome::signaled,   CallOutcome::exited,
    CallOutcome::hung,     CallOutcome::out_of_memory, CallOutcome::host_killed};

CallOutcome read_outcome(const Json& object, const std::string& path) {
  std::string choices;
  for (const CallOutcome outcome : kOutcomes) {
    if (!choices.empty()) choices += ", ";
    choices += "\"" + std::string(outcome_name(outcome)) + "\"";
  }
  return read_name<CallOutcome>(
      object, "outcome", path,
      [](std::string_view name) -> std::optional<CallOutcome> {
        for (const CallOutcome outcome : kOutcomes) {
          if (outcome_name(outcome) == name) return outcome;
        }
        return std::nullopt;
      },
      "one of " + choices);
}

// A clause a provider breaks under `profile`, read from `key`.
ClauseId read_provider_clause(const Json& object, std::string_view key, const std::string& path,
                              Profile profile) {
  const ClauseId id =
      read_name<ClauseId>(object, key, path, parse_clause, "a clause ID such as \"RC-4\"");
  const Clause& broken = clause(id);
  if (broken.party != Party::provider) {
    input_error(join_path(path, key),
                std::string(broken.code) + " binds the simulated spooler, not a provider");
  }
  if (!applies_to(id, profile)) {
    input_error(join_path(path, key), std::string(broken.code) + " does not apply to the " +
                                          std::string(profile_name(profile)) + " profile");
  }
  return id;
}

// The case: `prefix` and `threads`, keeping the caller rules.
ConcurrentCase read_case(const Json& value, const std::string& path, Profile profile) {
  ConcurrentCase scenario;
  const std::string prefix_path = join_path(path, "prefix");
  const Json& prefix = member(value, "prefix", path);
  if (prefix.is_array() && prefix.size() > kMaxHistoryCalls) {
    input_error(prefix_path, std::to_string(prefix.size()) + " steps; the limit is " +
                                 std::to_string(kMaxHistoryCalls));
  }
  scenario.prefix = read_steps(prefix, prefix_path);
  const std::string threads_path = join_path(path, "threads");
  const Json& threads = member(value, "threads", path);
  expect_type(threads.is_array(), threads, threads_path, "an array of arrays of steps");
  if (threads.size() < 2 || threads.size() > kMaxConcurrentCalls) {
    input_error(threads_path, std::to_string(threads.size()) + " threads; expected 2 to " +
                                  std::to_string(kMaxConcurrentCalls));
  }
  for (std::size_t t = 0; t < threads.size(); ++t) {
    const std::string at = index_path(threads_path, t);
    if (threads[t].is_array() && threads[t].size() > kMaxConcurrentCalls) {
      input_error(at, std::to_string(threads[t].size()) + " steps; the limit is " +
                          std::to_string(kMaxConcurrentCalls));
    }
    scenario.threads.push_back(read_steps(threads[t], at));
  }
  if (!concurrent_case_valid(scenario, profile)) {
    input_error(threads_path,
                "the case breaks the caller rules of concurrency "
                "(docs/concurrency.md) or makes more than " +
                    std::to_string(kMaxConcurrentCalls) + " calls");
  }
  if (history_slots(scenario, profile) > kMaxHistoryCalls) {
    input_error(path.empty() ? "prefix" : prefix_path,
                "the case makes more than " + std::to_string(kMaxHistoryCalls) + " calls");
  }
  return scenario;
}

ConcurrentCallRecord read_call(const Json& value, const std::string& path,
                               std::size_t thread_count) {
  expect_object(value, path,
                {"thread", "step", "invoked", "responded", "outcome", "observed", "preemptions"});
  ConcurrentCallRecord call;
  const Json& thread = member(value, "thread", path);
  if (!thread.is_null()) {
    const std::uint64_t number = read_unsigned(thread, join_path(path, "thread"), thread_count);
    if (number == 0) input_error(join_path(path, "thread"), "threads are numbered from 1");
    call.thread = static_cast<std::uint32_t>(number - 1);
  }
  call.step = read_step(member(value, "step", path), join_path(path, "step"));
  if (call.thread && !is_client_call(call.step.action)) {
    input_error(join_path(path, "step"), "a thread makes client calls only");
  }
  call.invoked = read_unsigned(value, "invoked", path);
  const Json& responded = member(value, "responded", path);
  if (!responded.is_null()) {
    call.responded = read_unsigned(responded, join_path(path, "responded"),
                                   std::numeric_limits<std::uint64_t>::max());
    if (*call.responded < call.invoked) {
      input_error(join_path(path, "responded"), "is before \"invoked\"");
    }
  }
  call.outcome = read_outcome(value, path);
  call.observed = read_string(value, "observed", path);
  if (value.contains("preemptions")) {
    call.preemptions = static_cast<std::uint32_t>(read_unsigned(value, "preemptions", path, 65535));
  }
  return call;
}

}  // namespace

Json concurrent_counterexample_json(const CounterexampleDocument& document) {
  const ConcurrentPart& part = *document.concurrent();
  Json json = common_json(document, "concurrent-counterexample");
  json["repeat"] = part.repeat;
  json["failed_runs"] = part.failed_runs;
  Json prefix = Json::array();
  for (const Step& step : part.scenario.prefix) prefix.push_back(step_json(step));
  json["prefix"] = prefix;
  Json threads = Json::array();
  for (const std::vector<Step>& run : part.scenario.threads) {
    Json steps = Json::array();
    for (const Step& step : run) steps.push_back(step_json(step));
    threads.push_back(steps);
  }
  json["threads"] = threads;
  Json calls = Json::array();
  for (const ConcurrentCallRecord& call : part.history) {
    Json entry;
    entry["thread"] = call.thread ? Json(*call.thread + 1) : Json(nullptr);
    entry["step"] = step_json(call.step);
    entry["invoked"] = call.invoked;
    entry["responded"] = call.responded ? Json(*call.responded) : Json(nullptr);
    entry["outcome"] = outcome_name(call.outcome);
    entry["observed"] = call.observed;
    if (call.preemptions != 0) entry["preemptions"] = call.preemptions;
    calls.push_back(entry);
  }
  json["history"] = calls;
  Json order = Json::array();
  for (std::size_t i : part.linearized) order.push_back(i);
  json["linearized"] = order;
  json["violation"] = {{"clause", clause_code(document.violation.clause)},
                       {"cause", clause_code(part.cause)},
                       {"call", part.violation_call},
                       {"expected", document.violation.expected},
                       {"observed", document.violation.observed}};
  // Optional, as in a sequential counterexample: absent in every file written
  // before concurrent runs captured the store's output or confirmed a flaky
  // failure.
  add_optional_fields(json, document);
  if (part.schedule) json["schedule"] = schedule_json(*part.schedule);
  return json;
}

CounterexampleDocument read_concurrent_counterexample(const Json& value, const std::string& path) {
  expect_object(value, path,
                {"schema_version", "kind", "provider", "profile", "strict", "seed", "case_index",
                 "repeat", "failed_runs", "prefix", "threads", "history", "linearized", "violation",
                 "provider_output", "replays", "schedule"});
  CounterexampleDocument document;
  read_common(value, path, document);
  if (read_string(value, "kind", path) != "concurrent-counterexample") {
    input_error(join_path(path, "kind"), "expected \"concurrent-counterexample\"");
  }
  ConcurrentPart& part = document.part.emplace<ConcurrentPart>();
  part.repeat = static_cast<std::uint32_t>(read_unsigned(value, "repeat", path, kMaxRepeat));
  if (part.repeat == 0) input_error(join_path(path, "repeat"), "must be at least 1");
  part.failed_runs =
      static_cast<std::uint32_t>(read_unsigned(value, "failed_runs", path, part.repeat));
  part.scenario = read_case(value, path, document.profile);

  const std::string history_path = join_path(path, "history");
  const Json& history = member(value, "history", path);
  expect_type(history.is_array(), history, history_path, "an array of calls");
  if (history.empty() || history.size() > kMaxHistoryCalls) {
    input_error(history_path, std::to_string(history.size()) + " calls; expected 1 to " +
                                  std::to_string(kMaxHistoryCalls));
  }
  for (std::size_t i = 0; i < history.size(); ++i) {
    part.history.push_back(
        read_call(history[i], index_path(history_path, i), part.scenario.threads.size()));
  }
  const std::string order_path = join_path(path, "linearized");
  const Json& order = member(value, "linearized", path);
  expect_type(order.is_array(), order, order_path, "an array of call indices");
  std::set<std::size_t> seen;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string at = index_path(order_path, i);
    const auto call = static_cast<std::size_t>(read_unsigned(order[i], at, history.size() - 1));
    if (!seen.insert(call).second) input_error(at, "call " + std::to_string(call) + " repeats");
    part.linearized.push_back(call);
  }

  const std::string where = join_path(path, "violation");
  const Json& violation = member(value, "violation", path);
  expect_object(violation, where, {"clause", "cause", "call", "expected", "observed"});
  const ClauseId id = read_provider_clause(violation, "clause", where, document.profile);
  part.cause = read_provider_clause(violation, "cause", where, document.profile);
  part.violation_call = static_cast<std::size_t>(read_unsigned(
      member(violation, "call", where), join_path(where, "call"), history.size() - 1));
  document.violation = {id, read_string(violation, "expected", where),
                        read_string(violation, "observed", where)};
  read_optional_fields(value, path, document);
  if (value.contains("schedule")) {
    part.schedule = read_schedule(member(value, "schedule", path), join_path(path, "schedule"),
                                  part.scenario.threads.size());
  }
  return document;
}

}  // namespace json

}  // namespace logoffcheck
