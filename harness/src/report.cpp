#include "logoffcheck/report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace logoffcheck {

namespace {

using Json = nlohmann::ordered_json;

// --- Writing ---------------------------------------------------------------------

// One scalar as JSON text. Strings that are not UTF-8 (a provider path can be
// anything) get U+FFFD instead of making the writer throw.
std::string dump_scalar(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool is_flat(const Json& value) {
  return std::none_of(value.begin(), value.end(),
                      [](const Json& member) { return member.is_structured(); });
}

// Pretty-printing that keeps small flat objects and arrays on one line, so a
// step or a clause reads as one line of the document.
void dump_pretty(const Json& value, int indent, std::string& out) {
  if (!value.is_structured()) {
    out += dump_scalar(value);
    return;
  }
  const bool object = value.is_object();
  const char open = object ? '{' : '[';
  const char close = object ? '}' : ']';
  if (value.empty()) {
    out += open;
    out += close;
    return;
  }
  const bool one_line = is_flat(value);
  const std::string inner(one_line ? 0 : static_cast<std::size_t>(indent + 2), ' ');
  out += open;
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out += ',';
    if (one_line) {
      if (!first) out += ' ';
    } else {
      out += '\n';
      out += inner;
    }
    first = false;
    if (object) {
      out += dump_scalar(it.key());
      out += ": ";
    }
    dump_pretty(it.value(), indent + 2, out);
  }
  if (!one_line) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent), ' ');
  }
  out += close;
}

std::string dump_document(const Json& document) {
  std::string out;
  dump_pretty(document, 0, out);
  out += '\n';
  return out;
}

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
  return json;
}

Json counterexample_json(const CounterexampleDocument& counterexample) {
  Json json;
  json["schema_version"] = kReportSchemaVersion;
  json["provider"] = counterexample.provider;
  json["profile"] = profile_name(counterexample.profile);
  json["strict"] = counterexample.strict;
  json["seed"] = counterexample.seed;
  json["case_index"] = counterexample.case_index;
  Json steps = Json::array();
  for (const Step& step : counterexample.steps) steps.push_back(step_json(step));
  json["steps"] = std::move(steps);
  json["violation"] = {
      {"clause", clause_code(counterexample.violation.clause)},
      {"step", counterexample.violation_step + 1},
      {"expected", counterexample.violation.expected},
      {"observed", counterexample.violation.observed},
  };
  return json;
}

Json clause_json(ClauseId id, const Report& report) {
  const auto i = static_cast<std::size_t>(id);
  const Clause& entry = clause(id);
  return {
      {"id", entry.code},
      {"level", level_name(entry.level)},
      {"applies", applies_to(id, report.profile)},
      {"status",
       clause_status_name(clause_status(id, report.tally, report.profile, report.strict))},
      {"exercised", report.tally.exercised(id)},
      {"passed", report.tally.passed[i]},
      {"failed", report.tally.failed[i]},
  };
}

// --- Reading -------------------------------------------------------------------------
//
// Every accessor takes the JSON path of the value it reads, so that an error
// says where the problem is: `counterexample.steps[3].flags: ...`.

[[noreturn]] void input_error(const std::string& path, const std::string& problem) {
  throw InputError(path.empty() ? problem : path + ": " + problem);
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// A user-supplied string, shortened and quoted for an error message.
std::string quote_input(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string shown(text.substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  return dump_scalar(Json(shown));
}

std::string_view type_name(const Json& value) {
  if (value.is_number_float()) return "a fractional number";
  if (value.is_number_integer() && !value.is_number_unsigned()) return "a negative number";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_array()) return "an array";
  return "an object";
}

void expect_type(bool ok, const Json& value, const std::string& path, std::string_view wanted) {
  if (ok) return;
  input_error(path, "expected " + std::string(wanted) + ", found " + std::string(type_name(value)));
}

// Rejects keys the format does not define, so a misspelt field is an error
// rather than a silently ignored one.
void expect_object(const Json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed) {
  expect_type(value.is_object(), value, path, "an object");
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      input_error(path, "unknown key " + quote_input(it.key()));
    }
  }
}

const Json& member(const Json& object, std::string_view key, const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end()) input_error(path, "missing key \"" + std::string(key) + "\"");
  return *it;
}

std::string read_string(const Json& object, std::string_view key, const std::string& path) {
  const Json& value = member(object, key, path);
  const std::string where = join_path(path, key);
  expect_type(value.is_string(), value, where, "a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > kMaxTextField) {
    input_error(where, "longer than " + std::to_string(kMaxTextField) + " bytes");
  }
  return text;
}

bool read_bool(const Json& object, std::string_view key, const std::string& path) {
  const Json& value = member(object, key, path);
  expect_type(value.is_boolean(), value, join_path(path, key), "true or false");
  return value.get<bool>();
}

std::uint64_t read_unsigned(const Json& value, const std::string& path, std::uint64_t max) {
  expect_type(value.is_number_unsigned(), value, path, "a non-negative integer");
  const auto number = value.get<std::uint64_t>();
  if (number > max) input_error(path, std::to_string(number) + " is above " + std::to_string(max));
  return number;
}

std::uint64_t read_unsigned(const Json& object, std::string_view key, const std::string& path,
                            std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
  return read_unsigned(member(object, key, path), join_path(path, key), max);
}

double read_seconds(const Json& object, std::string_view key, const std::string& path) {
  const Json& value = member(object, key, path);
  const std::string where = join_path(path, key);
  expect_type(value.is_number(), value, where, "a number");
  const double seconds = value.get<double>();
  if (!std::isfinite(seconds) || seconds < 0) input_error(where, "expected a non-negative number");
  return seconds;
}

template <typename T, typename Parse>
T read_name(const Json& object, std::string_view key, const std::string& path, Parse parse,
            std::string_view choices) {
  const std::string name = read_string(object, key, path);
  const std::optional<T> parsed = parse(name);
  if (!parsed) {
    input_error(join_path(path, key),
                "unknown value " + quote_input(name) + "; expected " + std::string(choices));
  }
  return *parsed;
}

Profile read_profile(const Json& object, const std::string& path) {
  std::string choices;  // "\"deferred\" or \"eager\""
  for (const Profile profile : kProfiles) {
    if (!choices.empty()) choices += " or ";
    choices += "\"" + std::string(profile_name(profile)) + "\"";
  }
  return read_name<Profile>(object, "profile", path, parse_profile, choices);
}

void read_schema_version(const Json& object, const std::string& path) {
  const std::uint64_t version = read_unsigned(object, "schema_version", path);
  if (version != kReportSchemaVersion) {
    input_error(join_path(path, "schema_version"),
                "this logoffcheck reads version " + std::to_string(kReportSchemaVersion) +
                    ", the document is version " + std::to_string(version));
  }
}

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
  if (*action != Action::StoreLogoff) {
    expect_object(value, path, {kind});
    return environment(*action);
  }
  expect_object(value, path, {"call", "flags"});
  const Json& flags = member(value, "flags", path);
  if (flags.is_null()) return store_logoff_null();
  const std::optional<ULONG> parsed =
      flags.is_string() ? parse_hex_flags(flags.get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    input_error(join_path(path, "flags"), "expected a hex string like \"0x00000002\" or null");
  }
  return store_logoff(*parsed);
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

CounterexampleDocument read_counterexample(const Json& value, const std::string& path) {
  expect_object(value, path,
                {"schema_version", "provider", "profile", "strict", "seed", "case_index", "steps",
                 "violation"});
  read_schema_version(value, path);
  CounterexampleDocument counterexample;
  counterexample.provider = read_string(value, "provider", path);
  if (counterexample.provider.empty()) input_error(join_path(path, "provider"), "is empty");
  counterexample.profile = read_profile(value, path);
  counterexample.strict = read_bool(value, "strict", path);
  counterexample.seed = read_unsigned(value, "seed", path);
  counterexample.case_index = read_unsigned(value, "case_index", path);
  counterexample.steps = read_steps(member(value, "steps", path), join_path(path, "steps"));

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
  if (step < 1 || step > counterexample.steps.size()) {
    input_error(join_path(where, "step"), std::to_string(step) +
                                              " is not a step number between 1 and " +
                                              std::to_string(counterexample.steps.size()));
  }
  counterexample.violation_step = static_cast<std::size_t>(step - 1);
  counterexample.violation = {id, read_string(violation, "expected", where),
                              read_string(violation, "observed", where)};
  return counterexample;
}

// Bounds the work nlohmann::json does before it starts: the size of the text
// and the nesting depth (its DOM is recursive, so depth is stack).
void check_bounds(std::string_view text) {
  if (text.size() > kMaxDocumentBytes) {
    throw InputError("the document is " + std::to_string(text.size()) + " bytes; the limit is " +
                     std::to_string(kMaxDocumentBytes));
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        throw InputError("malformed JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels at byte " + std::to_string(i + 1));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

Json parse_json(std::string_view text) {
  check_bounds(text);
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& error) {
    // A parse_error, or an out_of_range for a number too large for any type
    // ("1E400"). what() is "[json.exception.parse_error.101] parse error at ...".
    std::string message = error.what();
    const std::size_t start = message.find("] ");
    if (start != std::string::npos) message.erase(0, start + 2);
    throw InputError("malformed JSON: " + message);
  }
}

// --- Reports -----------------------------------------------------------------------------

std::string_view verdict_name(bool conformant) {
  return conformant ? "conformant" : "non-conformant";
}

Json report_json(const Report& report) {
  Json json;
  json["schema_version"] = kReportSchemaVersion;
  json["logoffcheck_version"] = report.version;
  json["verdict"] = verdict_name(report.conformant());
  json["provider"] = report.provider;
  json["profile"] = profile_name(report.profile);
  json["strict"] = report.strict;
  json["seed"] = report.seed;
  json["cases_requested"] = report.cases_requested;
  json["max_steps"] = report.max_steps;
  json["shard"] = {
      {"index", report.shard.index ? Json(*report.shard.index) : Json(nullptr)},
      {"count", report.shard.count},
  };
  json["stats"] = {
      {"cases", report.cases_run},
      {"steps", report.steps_run},
      {"seconds", report.seconds},
  };
  Json clauses = Json::array();
  for (const Clause& entry : kClauses) clauses.push_back(clause_json(entry.id, report));
  json["clauses"] = std::move(clauses);
  json["counterexample"] =
      report.counterexample ? counterexample_json(*report.counterexample) : Json(nullptr);
  return json;
}

void read_clause(const Json& value, const std::string& path, ClauseId id, Report& report) {
  expect_object(value, path, {"id", "level", "applies", "status", "exercised", "passed", "failed"});
  const std::string code = read_string(value, "id", path);
  if (code != clause_code(id)) {
    input_error(join_path(path, "id"), "expected \"" + std::string(clause_code(id)) +
                                           "\" (clauses are listed in catalog order), found " +
                                           quote_input(code));
  }
  const auto i = static_cast<std::size_t>(id);
  report.tally.passed[i] = read_unsigned(value, "passed", path);
  report.tally.failed[i] = read_unsigned(value, "failed", path);
  // The derived fields must agree with the counts: a report is not edited by hand.
  const Json derived = clause_json(id, report);
  for (const std::string_view key : {"level", "applies", "status", "exercised"}) {
    if (member(value, key, path) != derived.at(std::string(key))) {
      input_error(join_path(path, key), "expected " + dump_scalar(derived.at(std::string(key))) +
                                            " for this clause, profile and counts");
    }
  }
}

// --- Text ----------------------------------------------------------------------------------

std::string describe_argument(const Step& step) {
  if (step.action != Action::StoreLogoff) return is_client_call(step.action) ? "" : "(environment)";
  return step.null_flags_pointer ? "NULL" : describe_flags(step.flags);
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
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
  return format_table({"step", "call", "argument", "expected", "observed", "clause"}, rows);
}

}  // namespace

std::string format_counterexample_steps(const CounterexampleDocument& counterexample) {
  std::vector<StepRecord> records;
  State state = initial_state(counterexample.profile);
  for (const Step& step : counterexample.steps) {
    if (!caller_may(state, step)) break;  // a hand-edited file; the model cannot go on
    const Transition transition = logoffcheck::step(state, step);
    records.push_back({step, transition.expected, Observation{}});
    state = transition.next;
  }
  return step_table(records, counterexample.violation, counterexample.violation_step, false);
}

namespace {

// --- GoogleTest sources ---------------------------------------------------------------------

// A C++ string literal for any bytes (octal escapes never run into the next character).
std::string cpp_string_literal(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f || c == '?') {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\%03o", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// "saves-first-flag" -> "SavesFirstFlag": a GoogleTest name from anything.
std::string identifier(std::string_view text) {
  std::string out;
  bool upper = true;
  for (const char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "Provider");
  return out;
}

std::string step_expression(const Step& step) {
  switch (step.action) {
    case Action::AddRef:
      return "add_ref()";
    case Action::Release:
      return "release()";
    case Action::StoreLogoff: {
      if (step.null_flags_pointer) return "store_logoff_null()";
      const std::string_view name = flag_name(step.flags);
      return "store_logoff(" + (name.empty() ? format_hex(step.flags) + "u" : std::string(name)) +
             ")";
    }
    default:
      return "environment(Action::" + std::string(action_name(step.action)) + ")";
  }
}

}  // namespace

// --- Public functions ------------------------------------------------------------------------

std::string_view logoffcheck_version() noexcept { return LOGOFFCHECK_VERSION; }

CounterexampleDocument make_counterexample_document(const Counterexample& counterexample,
                                                    std::string provider,
                                                    const CaseOptions& options,
                                                    std::uint64_t seed) {
  CounterexampleDocument document;
  document.provider = std::move(provider);
  document.profile = options.profile;
  document.strict = options.strict;
  document.seed = seed;
  document.case_index = counterexample.case_index;
  document.steps = counterexample.steps();
  document.violation = counterexample.violation;
  document.violation_step = counterexample.violation_step;
  return document;
}

std::string write_counterexample_json(const CounterexampleDocument& counterexample) {
  return dump_document(counterexample_json(counterexample));
}

CounterexampleDocument parse_counterexample_json(std::string_view text) {
  return read_counterexample(parse_json(text), "");
}

std::vector<Step> parse_steps_json(std::string_view text) {
  return read_steps(parse_json(text), "steps");
}

std::string_view clause_status_name(ClauseStatus status) noexcept {
  switch (status) {
    case ClauseStatus::pass:
      return "pass";
    case ClauseStatus::fail:
      return "fail";
    case ClauseStatus::warn:
      return "warn";
    case ClauseStatus::not_exercised:
      return "not-exercised";
  }
  return "not-exercised";
}

ClauseStatus clause_status(ClauseId id, const ClauseTally& tally, Profile profile, bool strict) {
  const auto i = static_cast<std::size_t>(id);
  if (!applies_to(id, profile)) return ClauseStatus::not_exercised;
  if (tally.failed[i] > 0) return ends_case(id, strict) ? ClauseStatus::fail : ClauseStatus::warn;
  return tally.passed[i] > 0 ? ClauseStatus::pass : ClauseStatus::not_exercised;
}

Report make_report(const RunResult& run, const RunConfig& config, std::string provider) {
  Report report;
  report.provider = std::move(provider);
  report.profile = config.case_options.profile;
  report.strict = config.case_options.strict;
  report.seed = config.seed;
  report.cases_requested = config.cases;
  report.max_steps = config.max_steps;
  report.shard = {config.shard_index, config.shard_count};
  report.cases_run = run.cases_run;
  report.steps_run = run.steps_run;
  // Milliseconds are all a reader needs, and fewer digits read better.
  report.seconds = std::round(run.seconds * 1000) / 1000;
  report.tally = run.tally;
  if (run.counterexample) {
    report.counterexample = make_counterexample_document(*run.counterexample, report.provider,
                                                         config.case_options, config.seed);
  }
  return report;
}

std::string write_report_json(const Report& report) { return dump_document(report_json(report)); }

namespace {

Report read_report(const Json& json) {
  expect_object(
      json, "",
      {"schema_version", "logoffcheck_version", "verdict", "provider", "profile", "strict", "seed",
       "cases_requested", "max_steps", "shard", "stats", "clauses", "counterexample"});
  read_schema_version(json, "");
  Report report;
  report.version = read_string(json, "logoffcheck_version", "");
  report.provider = read_string(json, "provider", "");
  if (report.provider.empty()) input_error("provider", "is empty");
  report.profile = read_profile(json, "");
  report.strict = read_bool(json, "strict", "");
  report.seed = read_unsigned(json, "seed", "");
  report.cases_requested = read_unsigned(json, "cases_requested", "");
  report.max_steps = static_cast<std::uint32_t>(
      read_unsigned(json, "max_steps", "", std::numeric_limits<std::uint32_t>::max()));

  const Json& shard = member(json, "shard", "");
  expect_object(shard, "shard", {"index", "count"});
  report.shard.count = static_cast<std::uint32_t>(
      read_unsigned(shard, "count", "shard", std::numeric_limits<std::uint32_t>::max()));
  if (report.shard.count == 0) input_error("shard.count", "must be at least 1");
  const Json& index = member(shard, "index", "shard");
  report.shard.index = index.is_null()
                           ? std::nullopt
                           : std::optional<std::uint32_t>(static_cast<std::uint32_t>(
                                 read_unsigned(index, "shard.index", report.shard.count - 1)));

  const Json& stats = member(json, "stats", "");
  expect_object(stats, "stats", {"cases", "steps", "seconds"});
  report.cases_run = read_unsigned(stats, "cases", "stats");
  report.steps_run = read_unsigned(stats, "steps", "stats");
  report.seconds = read_seconds(stats, "seconds", "stats");

  const Json& counterexample = member(json, "counterexample", "");
  if (!counterexample.is_null()) {
    report.counterexample = read_counterexample(counterexample, "counterexample");
    const CounterexampleDocument& found = *report.counterexample;
    if (found.provider != report.provider || found.profile != report.profile ||
        found.strict != report.strict || found.seed != report.seed) {
      input_error("counterexample",
                  "its provider, profile, strict flag or seed differs from the report's");
    }
  }
  const Json& verdict = member(json, "verdict", "");
  if (verdict != verdict_name(report.conformant())) {
    input_error("verdict", "expected \"" + std::string(verdict_name(report.conformant())) +
                               "\" (the counterexample is " +
                               (report.conformant() ? "null" : "present") + ")");
  }

  const Json& clauses = member(json, "clauses", "");
  expect_type(clauses.is_array(), clauses, "clauses", "an array");
  if (clauses.size() != kClauseCount) {
    input_error("clauses", "expected " + std::to_string(kClauseCount) + " entries, found " +
                               std::to_string(clauses.size()));
  }
  for (std::size_t i = 0; i < kClauseCount; ++i) {
    read_clause(clauses[i], index_path("clauses", i), kClauses[i].id, report);
  }
  return report;
}

}  // namespace

Report parse_report_json(std::string_view text) { return read_report(parse_json(text)); }

CounterexampleDocument parse_replayable_json(std::string_view text) {
  const Json json = parse_json(text);
  if (!json.is_object() || !json.contains("verdict")) return read_counterexample(json, "");
  const Report report = read_report(json);
  if (!report.counterexample) {
    throw InputError("a report of a conformant run: it holds no counterexample to replay");
  }
  return *report.counterexample;
}

Report merge_reports(const std::vector<Report>& shards) {
  if (shards.empty()) throw InputError("merge: no reports given");
  const Report& first = shards.front();
  Report merged;
  merged.version = first.version;
  merged.provider = first.provider;
  merged.profile = first.profile;
  merged.strict = first.strict;
  merged.seed = first.seed;
  merged.cases_requested = first.cases_requested;
  merged.max_steps = first.max_steps;
  merged.shard = {std::nullopt, first.shard.count};

  // Which report (1-based, as the user listed them) holds each shard.
  std::map<std::uint32_t, std::size_t> holder;
  for (std::size_t n = 0; n < shards.size(); ++n) {
    const Report& shard = shards[n];
    const std::string which = "report " + std::to_string(n + 1);
    const auto differs = [&](std::string_view field, const std::string& mine,
                             const std::string& theirs) {
      throw InputError(which + " has " + std::string(field) + " " + mine + ", report 1 has " +
                       theirs + ": only shards of the same run can be merged");
    };
    if (shard.provider != first.provider) differs("provider", shard.provider, first.provider);
    if (shard.profile != first.profile) {
      differs("profile", std::string(profile_name(shard.profile)),
              std::string(profile_name(first.profile)));
    }
    if (shard.strict != first.strict) {
      differs("strict", shard.strict ? "true" : "false", first.strict ? "true" : "false");
    }
    if (shard.seed != first.seed) {
      differs("seed", std::to_string(shard.seed), std::to_string(first.seed));
    }
    if (shard.cases_requested != first.cases_requested) {
      differs("cases_requested", std::to_string(shard.cases_requested),
              std::to_string(first.cases_requested));
    }
    if (shard.max_steps != first.max_steps) {
      differs("max_steps", std::to_string(shard.max_steps), std::to_string(first.max_steps));
    }
    if (shard.shard.count != first.shard.count) {
      differs("shard count", std::to_string(shard.shard.count), std::to_string(first.shard.count));
    }
    if (!shard.shard.index) throw InputError(which + " is already a merged report");
    const auto [at, inserted] = holder.emplace(*shard.shard.index, n + 1);
    if (!inserted) {
      throw InputError("shard " + std::to_string(*shard.shard.index) + " appears twice (reports " +
                       std::to_string(at->second) + " and " + std::to_string(n + 1) + ")");
    }
    merged.steps_run += shard.steps_run;
    merged.seconds += shard.seconds;
    merged.tally.add(shard.tally);
    if (shard.counterexample && (!merged.counterexample || shard.counterexample->case_index <
                                                               merged.counterexample->case_index)) {
      merged.counterexample = shard.counterexample;
    }
    merged.cases_run += shard.cases_run;
  }
  for (std::uint32_t index = 0; index < first.shard.count; ++index) {
    if (!holder.contains(index)) {
      throw InputError("shard " + std::to_string(index) + " of " +
                       std::to_string(first.shard.count) + " is missing");
    }
  }
  // An unsharded run stops at the first failing case: it runs cases 0..f.
  if (merged.counterexample) merged.cases_run = merged.counterexample->case_index + 1;
  merged.seconds = std::round(merged.seconds * 1000) / 1000;
  return merged;
}

std::string write_junit_xml(const Report& report, std::string_view counterexample_table) {
  const std::string classname = "logoffcheck." + std::string(profile_name(report.profile));
  std::size_t failures = 0;
  std::size_t skipped = 0;
  std::string cases;
  for (const Clause& entry : kClauses) {
    const ClauseStatus status =
        clause_status(entry.id, report.tally, report.profile, report.strict);
    cases += "    <testcase classname=\"" + xml_escape(classname) + "\" name=\"" +
             xml_escape(std::string(entry.code) + " " + std::string(entry.statement)) + "\"";
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
      cases += "      <skipped message=\"" + xml_escape(why) + "\"/>\n";
    } else if (status == ClauseStatus::warn) {
      cases += "      <system-out>" +
               xml_escape("warning: SHOULD clause " + std::string(entry.code) + " failed " +
                          std::to_string(report.tally.failed[i]) +
                          " times; it fails certification only with --strict") +
               "</system-out>\n";
    } else {
      ++failures;
      const auto& found = report.counterexample;
      const bool named = found && found->violation.clause == entry.id;
      const std::string message = named ? std::string(entry.code) + ": expected " +
                                              found->violation.expected + ", observed " +
                                              found->violation.observed
                                        : std::string(entry.code) + " failed " +
                                              std::to_string(report.tally.failed[i]) + " times";
      std::string body = message + "\n";
      if (found) {
        body += "\ncounterexample (" + std::to_string(found->steps.size()) + " steps, case " +
                std::to_string(found->case_index) + ", naming " +
                std::string(clause_code(found->violation.clause)) + "):\n" +
                (counterexample_table.empty() ? format_counterexample_steps(*found)
                                              : std::string(counterexample_table));
      }
      cases += "      <failure type=\"" + std::string(entry.code) + "\" message=\"" +
               xml_escape(message) + "\">" + xml_escape(body) + "</failure>\n";
    }
    cases += "    </testcase>\n";
  }
  const std::string counts = " tests=\"" + std::to_string(kClauseCount) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\"";
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"logoffcheck\"" + counts + ">\n";
  xml += "  <testsuite name=\"" + xml_escape(classname) + "\"" + counts + " skipped=\"" +
         std::to_string(skipped) + "\">\n";
  xml += "    <properties>\n";
  const std::pair<std::string_view, std::string> properties[] = {
      {"provider", report.provider},
      {"profile", std::string(profile_name(report.profile))},
      {"seed", std::to_string(report.seed)},
      {"strict", report.strict ? "true" : "false"},
      {"cases", std::to_string(report.cases_run)},
      {"verdict", std::string(verdict_name(report.conformant()))},
  };
  for (const auto& [name, value] : properties) {
    xml += "      <property name=\"" + std::string(name) + "\" value=\"" + xml_escape(value) +
           "\"/>\n";
  }
  xml += "    </properties>\n" + cases + "  </testsuite>\n</testsuites>\n";
  return xml;
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

std::string emit_gtest_source(const CounterexampleDocument& counterexample) {
  const std::string& provider = counterexample.provider;
  const bool builtin = provider.starts_with(kBuiltinProviderPrefix);
  const std::string builtin_name = builtin ? provider.substr(kBuiltinProviderPrefix.size()) : "";
  const std::string code(clause_code(counterexample.violation.clause));

  std::string source;
  source += "// Regression test generated by logoffcheck " + std::string(logoffcheck_version()) +
            " from a counterexample\n// (provider " + provider + ", profile " +
            std::string(profile_name(counterexample.profile)) + ", seed " +
            std::to_string(counterexample.seed) + ", case " +
            std::to_string(counterexample.case_index) + ").\n//\n// It replays the " +
            std::to_string(counterexample.steps.size()) +
            " steps below and expects no clause to fail, so it fails, naming\n// " + code +
            ", for as long as the provider has the bug. Build it against logoffcheck's\n"
            "// harness" +
            (builtin ? ", providers" : "") +
            ", properties and model libraries, RapidCheck and gtest_main.\n";
  source += "#include <gtest/gtest.h>\n\n#include <vector>\n\n";
  if (builtin) source += "#include \"logoffcheck/builtin.h\"\n";
  source += "#include \"logoffcheck/case.h\"\n\nnamespace {\n\nusing namespace logoffcheck;\n\n";
  source += "Provider provider_under_test() {\n";
  if (builtin) {
    source += "  const BuiltinProvider* builtin = find_builtin_provider(" +
              cpp_string_literal(builtin_name) + ");\n";
    source += "  if (builtin == nullptr) throw ConfigurationError(" +
              cpp_string_literal("no bundled provider named " + builtin_name) + ");\n";
    source += "  return Provider(" + cpp_string_literal(provider) + ", builtin->open_store);\n";
  } else {
    source += "  return Provider::load_library(" + cpp_string_literal(provider) + ");\n";
  }
  source += "}\n\n";
  source += "TEST(LogoffcheckRegression, " + identifier(builtin ? builtin_name : "Provider") +
            "Seed" + std::to_string(counterexample.seed) + "Case" +
            std::to_string(counterexample.case_index) + ") {\n";
  source += "  const std::vector<Step> steps = {\n";
  for (std::size_t i = 0; i < counterexample.steps.size(); ++i) {
    source +=
        "      " + step_expression(counterexample.steps[i]) + ",  // " + std::to_string(i + 1);
    if (i == counterexample.violation_step) source += ": " + code + " failed here";
    source += "\n";
  }
  source += "  };\n";
  source +=
      "  const CaseOptions options{Profile::" + std::string(profile_name(counterexample.profile)) +
      ", /*strict=*/" + (counterexample.strict ? "true" : "false") + "};\n";
  source += "  InProcessRunner runner(provider_under_test(), options);\n";
  source += "  const CaseResult result = runner.run(steps);\n";
  source += "  ASSERT_FALSE(result.failed())\n";
  source += "      << clause_code(result.violation->clause) << \" failed at step \"\n";
  source += "      << result.violation_step + 1 << \" (\"\n";
  source += "      << describe_step(result.executed[result.violation_step]) << \")\\n\"\n";
  source += "      << \"  expected: \" << result.violation->expected << \"\\n\"\n";
  source += "      << \"  observed: \" << result.violation->observed;\n";
  source += "}\n\n}  // namespace\n";
  return source;
}

}  // namespace logoffcheck
