// The counterexample document: JSON out, and a reader that validates every
// field (docs/report.md).
#include <charconv>

#include "json.h"
#include "logoffcheck/text.h"

namespace logoffcheck {

namespace json {

Json step_json(const Step& step) {
  Json json;
  if (is_client_call(step.action)) {
    json["call"] = action_name(step.action);
    if (step.action == Action::StoreLogoff) {
      json["flags"] = step.null_flags_pointer ? Json(nullptr) : Json(format_hex(step.flags));
    }
  } else {
    json["env"] = action_name(step.action);
  }
  // A case of several stores (issue 23); absent means store 0, so files
  // written before stores existed read as they did.
  if (step.store != 0) json["store"] = step.store;
  return json;
}

namespace {

// "0x00000002": 0x and one to eight hexadecimal digits.
std::optional<ULONG> parse_hex_flags(std::string_view text) {
  if (text.size() < 3 || text.size() > 10 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(2);
  ULONG value = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
  // Unsigned from_chars takes no sign, so only digits get through.
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// "AddRef, Release, StoreLogoff": the names of the client calls, or of the
// environment events, as step.h spells them.
std::string action_names(bool client_calls) {
  std::string names;
  for (std::size_t i = 0; i < kActionCount; ++i) {
    if (is_client_call(static_cast<Action>(i)) != client_calls) continue;
    if (!names.empty()) names += ", ";
    names += kActionNames[i];
  }
  return names;
}

}  // namespace

Step read_step(const Json& value, const std::string& path) {
  expect_type(value.is_object(), value, path, "a step object like {\"call\": \"AddRef\"}");
  const bool is_call = value.contains("call");
  if (is_call == value.contains("env")) {
    input_error(path, "a step has exactly one of \"call\" or \"env\"");
  }
  const std::string_view kind = is_call ? "call" : "env";
  const std::string name = read_string(value, kind, path);
  const std::optional<Action> action = parse_action(name);
  if (!action || is_client_call(*action) != is_call) {
    input_error(join_path(path, kind),
                "unknown " + std::string(is_call ? "call " : "environment event ") +
                    quote_input(name) + "; expected one of " + action_names(is_call));
  }
  const std::size_t store =
      value.contains("store") ? read_unsigned(value, "store", path, kMaxStores - 1) : 0;
  if (*action != Action::StoreLogoff) {
    expect_object(value, path, {kind, "store"});
    return on_store(environment(*action), store);
  }
  expect_object(value, path, {"call", "flags", "store"});
  const Json& flags = member(value, "flags", path);
  if (flags.is_null()) return on_store(store_logoff_null(), store);
  const std::optional<ULONG> parsed =
      flags.is_string() ? parse_hex_flags(flags.get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    input_error(join_path(path, "flags"), "expected a hex string like \"0x00000002\" or null");
  }
  return on_store(store_logoff(*parsed), store);
}

std::vector<Step> read_steps(const Json& value, const std::string& path) {
  expect_type(value.is_array(), value, path, "an array of steps");
  if (value.size() > kMaxCounterexampleSteps) {
    input_error(path, std::to_string(value.size()) + " steps; the limit is " +
                          std::to_string(kMaxCounterexampleSteps));
  }
  std::vector<Step> steps;
  steps.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    steps.push_back(read_step(value[i], index_path(path, i)));
  }
  return steps;
}

Json counterexample_json(const CounterexampleDocument& counterexample) {
  if (counterexample.concurrent()) return concurrent_counterexample_json(counterexample);
  const SequentialPart& part = *counterexample.sequential();
  Json json = common_json(counterexample, {});
  Json steps = Json::array();
  for (const Step& step : part.steps) steps.push_back(step_json(step));
  json["steps"] = std::move(steps);
  if (!part.earlier_cases.empty()) {
    Json earlier = Json::array();
    for (const std::vector<Step>& before : part.earlier_cases) {
      Json case_steps = Json::array();
      for (const Step& step : before) case_steps.push_back(step_json(step));
      earlier.push_back(std::move(case_steps));
    }
    json["earlier_cases"] = std::move(earlier);
  }
  json["violation"] = {
      {"clause", clause_code(counterexample.violation.clause)},
      {"step", part.violation_step + 1},
      {"expected", counterexample.violation.expected},
      {"observed", counterexample.violation.observed},
  };
  // Optional, so that the documents of stores that print nothing and fail
  // every time stay as they were.
  add_optional_fields(json, counterexample);
  return json;
}

Json common_json(const CounterexampleDocument& counterexample, std::string_view kind) {
  Json json;
  json["schema_version"] = kReportSchemaVersion;
  if (!kind.empty()) json["kind"] = kind;
  json["provider"] = counterexample.provider;
  json["profile"] = profile_name(counterexample.profile);
  json["strict"] = counterexample.strict;
  json["seed"] = counterexample.seed;
  json["case_index"] = counterexample.case_index;
  return json;
}

void read_common(const Json& value, const std::string& path,
                 CounterexampleDocument& counterexample) {
  read_schema_version(value, path);
  counterexample.provider = read_string(value, "provider", path);
  if (counterexample.provider.empty()) input_error(join_path(path, "provider"), "is empty");
  counterexample.profile = read_profile(value, path);
  counterexample.strict = read_bool(value, "strict", path);
  counterexample.seed = read_unsigned(value, "seed", path);
  counterexample.case_index = read_unsigned(value, "case_index", path);
}

void add_optional_fields(Json& json, const CounterexampleDocument& counterexample) {
  if (counterexample.provider_output) {
    json["provider_output"] = {{"bytes", counterexample.provider_output->bytes},
                               {"tail", counterexample.provider_output->tail}};
  }
  if (counterexample.replays) {
    json["replays"] = {{"runs", counterexample.replays->runs},
                       {"failed", counterexample.replays->failed}};
  }
}

void read_optional_fields(const Json& value, const std::string& path,
                          CounterexampleDocument& counterexample) {
  if (value.contains("provider_output")) {
    const std::string at = join_path(path, "provider_output");
    const Json& output = member(value, "provider_output", path);
    expect_object(output, at, {"bytes", "tail"});
    counterexample.provider_output =
        ProviderOutput{read_unsigned(output, "bytes", at), read_string(output, "tail", at)};
  }
  if (value.contains("replays")) {
    const std::string at = join_path(path, "replays");
    const Json& replays = member(value, "replays", path);
    expect_object(replays, at, {"runs", "failed"});
    const auto runs = static_cast<std::uint32_t>(read_unsigned(replays, "runs", at, 1000000));
    const auto failed = static_cast<std::uint32_t>(read_unsigned(replays, "failed", at, runs));
    counterexample.replays = FlakyReplays{runs, failed};
  }
}

CounterexampleDocument read_counterexample(const Json& value, const std::string& path) {
  if (value.is_object() && value.contains("threads")) {
    return read_concurrent_counterexample(value, path);
  }
  expect_object(value, path,
                {"schema_version", "provider", "profile", "strict", "seed", "case_index", "steps",
                 "earlier_cases", "violation", "provider_output", "replays"});
  CounterexampleDocument counterexample;
  read_common(value, path, counterexample);
  SequentialPart& part = counterexample.part.emplace<SequentialPart>();
  part.steps = read_steps(member(value, "steps", path), join_path(path, "steps"));
  if (value.contains("earlier_cases")) {
    const std::string at = join_path(path, "earlier_cases");
    const Json& earlier = member(value, "earlier_cases", path);
    expect_type(earlier.is_array(), earlier, at, "an array of step arrays");
    // Bounded as the steps are: kMaxCounterexampleSteps in all.
    std::size_t total = part.steps.size();
    for (std::size_t i = 0; i < earlier.size(); ++i) {
      part.earlier_cases.push_back(read_steps(earlier[i], index_path(at, i)));
      total += part.earlier_cases.back().size();
      if (total > kMaxCounterexampleSteps) {
        input_error(at, "more than " + std::to_string(kMaxCounterexampleSteps) + " steps in all");
      }
    }
  }

  const std::string where = join_path(path, "violation");
  const Json& violation = member(value, "violation", path);
  expect_object(violation, where, {"clause", "step", "expected", "observed"});
  const ClauseId id =
      read_name<ClauseId>(violation, "clause", where, parse_clause, "a clause ID such as \"LT-1\"");
  const Clause& broken = clause(id);
  if (broken.party != Party::provider) {
    input_error(join_path(where, "clause"),
                std::string(broken.code) + " binds the simulated spooler, not a provider");
  }
  if (!applies_to(id, counterexample.profile)) {
    input_error(join_path(where, "clause"), std::string(broken.code) + " does not apply to the " +
                                                std::string(profile_name(counterexample.profile)) +
                                                " profile");
  }
  const std::uint64_t step = read_unsigned(violation, "step", where);
  if (step < 1 || step > part.steps.size()) {
    input_error(join_path(where, "step"), std::to_string(step) +
                                              " is not a step number between 1 and " +
                                              std::to_string(part.steps.size()));
  }
  part.violation_step = static_cast<std::size_t>(step - 1);
  counterexample.violation = {id, read_string(violation, "expected", where),
                              read_string(violation, "observed", where)};
  read_optional_fields(value, path, counterexample);
  return counterexample;
}

}  // namespace json

namespace {

// What every kind's document takes from the run: provider, options, seed, case.
CounterexampleDocument common_document(std::string provider, const CaseOptions& options,
                                       std::uint64_t seed, std::uint64_t case_index) {
  CounterexampleDocument document;
  document.provider = std::move(provider);
  document.profile = options.profile;
  document.strict = options.strict;
  document.seed = seed;
  document.case_index = case_index;
  return document;
}

}  // namespace

CounterexampleDocument make_counterexample_document(const Counterexample& counterexample,
                                                    std::string provider,
                                                    const CaseOptions& options,
                                                    std::uint64_t seed) {
  CounterexampleDocument document =
      common_document(std::move(provider), options, seed, counterexample.case_index);
  document.part = SequentialPart{counterexample.steps(), counterexample.violation_step,
                                 counterexample.earlier_cases};
  document.violation = counterexample.violation;
  if (counterexample.provider_output_bytes > 0) {
    document.provider_output =
        ProviderOutput{counterexample.provider_output_bytes, counterexample.provider_output};
  }
  if (counterexample.replays > 0) {
    document.replays = FlakyReplays{counterexample.replays, counterexample.replays_failed};
  }
  return document;
}

namespace {

// "AddRef -> 3", "StoreLogoff(NULL) -> MAPI_E_INVALID_PARAMETER", or how the
// call ended when it did not return.
std::string call_cell(const HistoryCall& call) {
  if (!is_client_call(call.step.action)) return describe_step(call.step);
  StepRecord record{call.step, {}, call.observed};
  return describe_step(call.step) + " -> " + summarize_observed(record);
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

CounterexampleDocument make_counterexample_document(const ConcurrentCounterexample& counterexample,
                                                    std::string provider,
                                                    const CaseOptions& options,
                                                    std::uint64_t seed) {
  CounterexampleDocument document =
      common_document(std::move(provider), options, seed, counterexample.case_index);
  ConcurrentPart& part = document.part.emplace<ConcurrentPart>();
  part.repeat = counterexample.repeat;
  part.failed_runs = counterexample.failed_runs;
  part.scenario = counterexample.shrunk;
  part.history = history_records(counterexample.history);
  part.linearized = counterexample.judgement.order;
  part.cause = counterexample.judgement.cause;
  part.violation_call = counterexample.judgement.unexplained;
  part.schedule = counterexample.history.schedule;
  document.violation = counterexample.judgement.violation;
  if (counterexample.history.provider_output_bytes > 0) {
    document.provider_output = ProviderOutput{counterexample.history.provider_output_bytes,
                                              counterexample.history.provider_output};
  }
  if (counterexample.replays > 0) {
    document.replays = FlakyReplays{counterexample.replays, counterexample.replays_failed};
  }
  return document;
}

std::string write_counterexample_json(const CounterexampleDocument& counterexample) {
  return json::dump_document(json::counterexample_json(counterexample));
}

CounterexampleDocument parse_counterexample_json(std::string_view text) {
  return json::read_counterexample(json::parse(text), "");
}

std::vector<Step> parse_steps_json(std::string_view text) {
  return json::read_steps(json::parse(text), "steps");
}

}  // namespace logoffcheck
