// JSON for the report room's documents: a pretty-printer that keeps small
// flat values on one line, and readers that take the JSON path of what they
// read so that every error says where the problem is
// (`counterexample.steps[3].flags: ...`). Internal to harness/report.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logoffcheck/document.h"

namespace logoffcheck::json {

using Json = nlohmann::ordered_json;

// --- Writing

// One scalar as JSON text. Strings that are not UTF-8 (a provider path can be
// anything) get U+FFFD instead of making the writer throw.
std::string dump_scalar(const Json& value);

// The document pretty-printed, ending in "\n".
std::string dump_document(const Json& document);

// --- Reading

// Parses `text` within the bounds of document.h (size, depth); throws
// InputError for anything that is not JSON.
Json parse(std::string_view text);

[[noreturn]] void input_error(const std::string& path, const std::string& problem);
std::string join_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t index);

// A user-supplied string, shortened and quoted for an error message.
std::string quote_input(std::string_view text);

void expect_type(bool ok, const Json& value, const std::string& path, std::string_view wanted);

// Rejects keys the format does not define, so a misspelt field is an error
// rather than a silently ignored one.
void expect_object(const Json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed);

const Json& member(const Json& object, std::string_view key, const std::string& path);
std::string read_string(const Json& object, std::string_view key, const std::string& path);
bool read_bool(const Json& object, std::string_view key, const std::string& path);
std::uint64_t read_unsigned(const Json& value, const std::string& path, std::uint64_t max);
std::uint64_t read_unsigned(const Json& object, std::string_view key, const std::string& path,
                            std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
double read_seconds(const Json& object, std::string_view key, const std::string& path);
Profile read_profile(const Json& object, const std::string& path);
void read_schema_version(const Json& object, const std::string& path);

// A name read from `key` and parsed by `parse`; `choices` says what is valid.
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

// --- The pieces that both documents share (a report embeds a counterexample)

// One step as counterexample files hold it: {"call": "StoreLogoff", "flags": "0x00000002"}.
Json step_json(const Step& step);

// A counterexample of either kind: its part decides the format, and the
// reader tells a concurrent one by its "threads" array.
Json counterexample_json(const CounterexampleDocument& counterexample);
CounterexampleDocument read_counterexample(const Json& value, const std::string& path);
std::vector<Step> read_steps(const Json& value, const std::string& path);
Step read_step(const Json& value, const std::string& path);
// The fields every kind's JSON shares: schema_version, the `kind` when not
// empty (a sequential counterexample has none), provider, profile, strict,
// seed and case_index, in that order; and their reader.
Json common_json(const CounterexampleDocument& counterexample, std::string_view kind);
void read_common(const Json& value, const std::string& path,
                 CounterexampleDocument& counterexample);
// "provider_output" and "replays", which every kind may carry, written only
// when present.
void add_optional_fields(Json& json, const CounterexampleDocument& counterexample);
void read_optional_fields(const Json& value, const std::string& path,
                          CounterexampleDocument& counterexample);

// The concurrent part's format (concurrent_counterexample_json.cpp), which
// counterexample_json and read_counterexample hand a concurrent document to.
Json concurrent_counterexample_json(const CounterexampleDocument& document);
CounterexampleDocument read_concurrent_counterexample(const Json& value, const std::string& path);

// A concurrent counterexample's "schedule" (schedule_json.cpp): a
// controlled play's decisions and turns.
Json schedule_json(const Schedule& schedule);
Schedule read_schedule(const Json& value, const std::string& path, std::size_t threads);

// The report's "coverage" object (coverage_document.cpp), and its reader,
// which checks that every derived field agrees with "transitions".
Json coverage_json(const Report& report);
// The "logon_trace" array of a Windows DLL's report (logon_document.cpp).
Json logon_trace_json(const std::vector<LogonCall>& trace);
std::vector<LogonCall> read_logon_trace(const Json& value, const std::string& path);
ReportCoverage read_coverage(const Json& value, const std::string& path, Profile profile);

// "conformant" or "non-conformant".
std::string_view verdict_name(bool conformant);

}  // namespace logoffcheck::json
