// A report as SARIF 2.1.0 (logoffcheck/sarif.h, docs/ci.md). Renders from the
// Report alone: the clause catalog, the clause statuses and the counterexample
// document it holds (sequential or concurrent).
#include "logoffcheck/sarif.h"

#include <cctype>
#include <charconv>
#include <map>
#include <vector>

#include "json.h"
#include "logoffcheck/text.h"
#include "sha256.h"

namespace logoffcheck {

namespace {

using json::Json;

constexpr std::string_view kSarifSchema =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

Json text_message(const std::string& text) { return {{"text", text}}; }

// A path as a URI reference: unreserved characters and '/' as they are, the
// rest percent-encoded; an absolute path as a file: URI.
std::string path_uri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = path.starts_with('/') ? "file://" : "";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 0xF];
    }
  }
  return uri;
}

Json physical_location(const ResultLocation& location) {
  Json physical = {{"artifactLocation", {{"uri", path_uri(location.path)}}}};
  if (location.line) physical["region"] = {{"startLine", *location.line}};
  return physical;
}

// The model's state as SARIF `state`: one entry per field, in words.
Json state_json(const State& state) {
  const auto word = [](bool value) { return Json{{"text", value ? "true" : "false"}}; };
  const Environment& environment = state.environment;
  return {
      {"ref_count", {{"text", std::to_string(state.ref_count)}}},
      {"saved_flag", {{"text", state.saved_flag ? describe_flags(state.saved_flag) : "none"}}},
      {"transports_called", word(state.transports_called)},
      {"complete_returned", word(state.complete_returned)},
      {"destroyed", word(state.destroyed)},
      {"inbound_in_progress", word(environment.inbound_in_progress)},
      {"outbound_in_progress", word(environment.outbound_in_progress)},
      {"outbox_queued", {{"text", std::to_string(environment.outbox_queued)}}},
      {"logged_off", word(environment.logged_off)},
  };
}

Json flow_location(const ResultLocation& location, const std::string& text, std::size_t order,
                   bool essential, const std::optional<State>& state) {
  Json entry;
  entry["location"] = {{"physicalLocation", physical_location(location)},
                       {"message", text_message(text)}};
  if (state) entry["state"] = state_json(*state);
  entry["executionOrder"] = order;
  entry["importance"] = essential ? "essential" : "important";
  return entry;
}

// GitHub's limit: the last kSarifMaxFlowLocations entries, where the
// breaking step is.
Json capped(Json locations) {
  if (locations.size() <= kSarifMaxFlowLocations) return locations;
  Json kept = Json::array();
  for (std::size_t i = locations.size() - kSarifMaxFlowLocations; i < locations.size(); ++i) {
    kept.push_back(std::move(locations[i]));
  }
  return kept;
}

// A sequential counterexample: one thread flow, the client's, one location
// per executed step with the model's state when the step began.
Json sequential_code_flow(const CounterexampleDocument& found, const ResultLocation& location) {
  const SequentialPart& part = *found.sequential();
  const std::vector<StepRecord> records = expected_records(found);
  Json locations = Json::array();
  StoreStates states = initial_states(found.profile);
  const bool name_store = stores_used(part.steps) > 1;
  for (std::size_t i = 0; i < part.steps.size(); ++i) {
    const bool breaking = i == part.violation_step;
    const bool modelled = i < records.size();
    State& state = states[part.steps[i].store];
    std::string text = std::to_string(i + 1) + ". " + describe_step(part.steps[i], name_store);
    if (breaking) {
      text += ": " + std::string(clause_code(found.violation.clause)) + " expected " +
              found.violation.expected + ", observed " + found.violation.observed;
    } else if (modelled) {
      text += ": expected " + summarize_expected(records[i]);
    }
    locations.push_back(flow_location(location, text, i + 1, breaking,
                                      modelled ? std::optional<State>(state) : std::nullopt));
    if (modelled) state = logoffcheck::step(state, part.steps[i]).next;
  }
  Json thread = {{"id", "client"}, {"message", text_message("The client's calls, in order")}};
  thread["locations"] = capped(std::move(locations));
  return {{"message",
           text_message("Minimal counterexample: " + std::to_string(part.steps.size()) + " steps")},
          {"threadFlows", Json::array({std::move(thread)})}};
}

// The model's state before each call of the linearization it judged, by
// index into the history; for the breaking call, the state the model was in
// when no order explained it.
std::map<std::size_t, State> linearized_states(const CounterexampleDocument& document) {
  const ConcurrentPart& found = *document.concurrent();
  std::map<std::size_t, State> states;
  State state = initial_state(document.profile);
  for (const std::size_t call : found.linearized) {
    if (call >= found.history.size()) break;
    const Step& step = found.history[call].step;
    if (!caller_may(state, step)) break;
    states.emplace(call, state);
    state = logoffcheck::step(state, step).next;
  }
  states.emplace(found.violation_call, state);
  return states;
}

// A concurrent counterexample: one thread flow per client thread (and one
// for the client alone: the prefix and the final Releases), executionOrder
// the order the calls began in across all of them.
Json concurrent_code_flow(const CounterexampleDocument& document, const ResultLocation& location) {
  const ConcurrentPart& found = *document.concurrent();
  const Violation& violation = document.violation;
  const std::map<std::size_t, State> states = linearized_states(document);
  std::map<std::optional<std::uint32_t>, Json> threads;
  for (std::size_t i = 0; i < found.history.size(); ++i) {
    const ConcurrentCallRecord& call = found.history[i];
    const bool breaking = i == found.violation_call;
    std::string text = describe_step(call.step) + ": " + call.observed;
    if (breaking) {
      text += " (" + std::string(clause_code(violation.clause)) + " expected " +
              violation.expected + ", observed " + violation.observed + ")";
    }
    const auto state = states.find(i);
    auto& locations = threads[call.thread];
    if (locations.is_null()) locations = Json::array();
    locations.push_back(
        flow_location(location, text, i + 1, breaking,
                      state == states.end() ? std::nullopt : std::optional<State>(state->second)));
  }
  Json flows = Json::array();
  for (auto& [thread, locations] : threads) {
    const std::string id = thread ? "thread " + std::to_string(*thread + 1) : "client";
    flows.push_back(
        {{"id", id},
         {"message", text_message(thread ? "Client thread " + std::to_string(*thread + 1)
                                         : "The client alone: prefix and final "
                                           "Releases")},
         {"locations", capped(std::move(locations))}});
  }
  return {{"message", text_message("Minimal concurrent counterexample: " +
                                   std::to_string(found.scenario.threads.size()) + " threads, " +
                                   std::to_string(found.history.size()) + " calls")},
          {"threadFlows", std::move(flows)}};
}

Json rule_json(const Clause& entry) {
  const std::string statement(entry.statement);
  const std::string level(level_name(entry.level));
  return {
      {"id", entry.code},
      {"shortDescription", text_message(statement)},
      {"fullDescription",
       text_message(std::string(entry.code) + " (" + level + ", " +
                    std::string(scope_name(entry.scope)) + " profile" +
                    (entry.scope == ProfileScope::both ? "s" : "") + "): " + statement)},
      {"help", text_message(statement + "\nSource: " + std::string(entry.source))},
      {"defaultConfiguration", {{"level", entry.level == Level::must ? "error" : "warning"}}},
      {"properties",
       {{"tags", Json::array({level, entry.party == Party::provider ? "provider" : "spooler"})}}},
  };
}

// The report's first counterexample that names `clause` (under --keep-going
// one of more_counterexamples may), if any.
const CounterexampleDocument* naming_document(const Report& report, ClauseId clause) {
  const std::optional<std::size_t> number = counterexample_naming(report, clause);
  if (!number) return nullptr;
  return *number == 0 ? &*report.counterexample : &report.more_counterexamples[*number - 1];
}

Json result_json(const Report& report, const Clause& entry, const ResultLocation& location,
                 std::string fingerprint) {
  const auto i = static_cast<std::size_t>(entry.id);
  const CounterexampleDocument* naming = naming_document(report, entry.id);
  const Violation* violation = naming ? &naming->violation : nullptr;
  const bool named = naming != nullptr;
  if (named && naming != &*report.counterexample) fingerprint = counterexample_fingerprint(*naming);
  const std::string message =
      named ? std::string(entry.code) + ": expected " + violation->expected + ", observed " +
                  violation->observed + ". " + std::string(entry.statement)
            : std::string(entry.code) + " failed " + std::to_string(report.tally.failed[i]) +
                  " times. " + std::string(entry.statement);
  Json result;
  result["ruleId"] = entry.code;
  result["ruleIndex"] = i;
  result["kind"] = "fail";
  result["level"] = entry.level == Level::must ? "error" : "warning";
  result["message"] = text_message(message);
  result["locations"] = Json::array({{{"physicalLocation", physical_location(location)}}});
  if (!fingerprint.empty()) {
    result["partialFingerprints"] = {
        {std::string(kSarifFingerprintKey), fingerprint + ":" + std::string(entry.code)}};
  }
  if (named) {
    const CounterexampleDocument& found = *naming;
    result["codeFlows"] = Json::array({found.concurrent() ? concurrent_code_flow(found, location)
                                                          : sequential_code_flow(found, location)});
  }
  return result;
}

}  // namespace

ResultLocation parse_result_location(std::string_view text) {
  ResultLocation location{std::string(text), std::nullopt};
  const std::size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < text.size()) {
    const std::string_view digits = text.substr(colon + 1);
    std::uint32_t line = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), line);
    if (error == std::errc() && end == digits.data() + digits.size()) {
      if (line == 0) {
        throw ConfigurationError("--sarif-location " + std::string(text) +
                                 ": lines are numbered from 1");
      }
      location = {std::string(text.substr(0, colon)), line};
    }
  }
  if (location.path.empty()) {
    throw ConfigurationError("--sarif-location " + std::string(text) + ": no file named");
  }
  return location;
}

std::string counterexample_fingerprint(const Report& report) {
  return report.counterexample ? counterexample_fingerprint(*report.counterexample) : std::string();
}

std::string counterexample_fingerprint(const CounterexampleDocument& counterexample) {
  Json identity;
  if (counterexample.sequential()) {
    const CounterexampleDocument& found = counterexample;
    identity["clause"] = clause_code(found.violation.clause);
    identity["profile"] = profile_name(found.profile);
    Json steps = Json::array();
    for (const Step& step : found.sequential()->steps) steps.push_back(json::step_json(step));
    identity["steps"] = std::move(steps);
    // Only when there are any, so that other fingerprints stay as they were.
    if (!found.sequential()->earlier_cases.empty()) {
      Json earlier = Json::array();
      for (const auto& before : found.sequential()->earlier_cases) {
        Json case_steps = Json::array();
        for (const Step& step : before) case_steps.push_back(json::step_json(step));
        earlier.push_back(std::move(case_steps));
      }
      identity["earlier_cases"] = std::move(earlier);
    }
  } else {
    const CounterexampleDocument& document = counterexample;
    const ConcurrentPart& found = *document.concurrent();
    identity["clause"] = clause_code(document.violation.clause);
    identity["profile"] = profile_name(document.profile);
    Json prefix = Json::array();
    for (const Step& step : found.scenario.prefix) prefix.push_back(json::step_json(step));
    identity["prefix"] = std::move(prefix);
    Json threads = Json::array();
    for (const auto& run : found.scenario.threads) {
      Json steps = Json::array();
      for (const Step& step : run) steps.push_back(json::step_json(step));
      threads.push_back(std::move(steps));
    }
    identity["threads"] = std::move(threads);
  }
  return sha256_hex(identity.dump());
}

std::string write_sarif(const Report& report, const ResultLocation& location) {
  Json rules = Json::array();
  for (const Clause& entry : kClauses) rules.push_back(rule_json(entry));
  const std::string fingerprint = counterexample_fingerprint(report);
  Json results = Json::array();
  for (const Clause& entry : kClauses) {
    if (clause_status(entry.id, report.tally, report.profile, report.strict) ==
        ClauseStatus::fail) {
      results.push_back(result_json(report, entry, location, fingerprint));
    }
  }
  Json driver = {
      {"name", "logoffcheck"},
      {"fullName", "logoffcheck " + report.version +
                       ": the MAPI StoreLogoff contract, checked against a model"},
      {"version", report.version},
      {"semanticVersion", report.version},
      {"rules", std::move(rules)},
  };
  Json run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] = Json::array({{{"executionSuccessful", true}}});
  run["automationDetails"] = {
      {"id", "logoffcheck/" + std::string(profile_name(report.profile)) + "/"}};
  run["results"] = std::move(results);
  run["properties"] = {
      {"verdict", json::verdict_name(report.conformant())},
      {"provider", report.provider},
      {"profile", profile_name(report.profile)},
      {"strict", report.strict},
      {"seed", report.seed},
      {"cases", report.cases_run},
  };
  Json log;
  log["$schema"] = kSarifSchema;
  log["version"] = "2.1.0";
  log["runs"] = Json::array({std::move(run)});
  return json::dump_document(log);
}

}  // namespace logoffcheck
