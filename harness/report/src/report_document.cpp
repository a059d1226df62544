// The report document: a run's verdict, clause table and counterexample as
// JSON, and its validating reader (docs/report.md).
#include <cmath>

#include "json.h"

namespace logoffcheck {

namespace json {

std::string_view verdict_name(bool conformant) {
  return conformant ? "conformant" : "non-conformant";
}

namespace {

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
  if (report.stores > 1) json["stores"] = report.stores;
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
  // Only under --keep-going, so that other reports stay as they were.
  if (!report.more_counterexamples.empty()) {
    Json more = Json::array();
    for (const CounterexampleDocument& other : report.more_counterexamples) {
      more.push_back(counterexample_json(other));
    }
    json["more_counterexamples"] = std::move(more);
  }
  if (report.coverage) json["coverage"] = coverage_json(report);
  if (report.logon_trace) json["logon_trace"] = logon_trace_json(*report.logon_trace);
  if (report.sandbox) json["sandbox"] = *report.sandbox ? "on" : "off";
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

Report read_report(const Json& json) {
  expect_object(
      json, "",
      {"schema_version", "logoffcheck_version", "verdict", "provider", "profile", "strict", "seed",
       "cases_requested", "max_steps", "stores", "shard", "stats", "clauses", "counterexample",
       "more_counterexamples", "coverage", "logon_trace", "sandbox"});
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
  if (json.contains("stores")) {
    report.stores = static_cast<std::uint32_t>(read_unsigned(json, "stores", "", kMaxStores));
    if (report.stores == 0) input_error("stores", "must be at least 1");
  }

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
  if (json.contains("more_counterexamples")) {
    const Json& more = json.at("more_counterexamples");
    expect_type(more.is_array(), more, "more_counterexamples", "an array");
    if (!report.counterexample && !more.empty()) {
      input_error("more_counterexamples", "present while the counterexample is null");
    }
    for (std::size_t i = 0; i < more.size(); ++i) {
      const std::string path = index_path("more_counterexamples", i);
      CounterexampleDocument other = read_counterexample(more[i], path);
      if (other.provider != report.provider || other.profile != report.profile ||
          other.strict != report.strict || other.seed != report.seed) {
        input_error(path, "its provider, profile, strict flag or seed differs from the report's");
      }
      report.more_counterexamples.push_back(std::move(other));
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
  // Reports written before RC-4 joined the catalog list every clause but it;
  // they are still read (RC-4 was not exercised in them).
  const bool before_rc4 = clauses.size() == kClauseCount - 1;
  if (clauses.size() != kClauseCount && !before_rc4) {
    input_error("clauses", "expected " + std::to_string(kClauseCount) + " entries, found " +
                               std::to_string(clauses.size()));
  }
  std::size_t entry = 0;
  for (const Clause& listed : kClauses) {
    if (before_rc4 && listed.id == ClauseId::RC_4) continue;
    read_clause(clauses[entry], index_path("clauses", entry), listed.id, report);
    ++entry;
  }
  // Optional: reports written before coverage was measured have none.
  if (json.contains("coverage")) {
    report.coverage = read_coverage(json["coverage"], "coverage", report.profile);
    // spooler_rows derive from the clause counts read above.
    const Json derived = coverage_json(report);
    if (json["coverage"] != derived) {
      input_error("coverage",
                  "its derived fields do not agree with \"transitions\" and the "
                  "clause counts");
    }
  }
  // Optional: only a Windows DLL's report has one.
  if (json.contains("logon_trace")) {
    report.logon_trace = read_logon_trace(json["logon_trace"], "logon_trace");
  }
  if (json.contains("sandbox")) {
    const std::string sandbox = read_string(json, "sandbox", "");
    if (sandbox != "on" && sandbox != "off") {
      input_error("sandbox", "expected \"on\" or \"off\", found " + quote_input(sandbox));
    }
    report.sandbox = sandbox == "on";
  }
  return report;
}

}  // namespace

}  // namespace json

using json::Json;

std::string_view logoffcheck_version() noexcept { return LOGOFFCHECK_VERSION; }

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

Report report_of_config(const RunConfig& config, std::string provider) {
  Report report;
  report.provider = std::move(provider);
  report.profile = config.case_options.profile;
  report.strict = config.case_options.strict;
  report.seed = config.seed;
  report.cases_requested = config.cases;
  report.max_steps = config.max_steps;
  report.stores = config.stores;
  report.shard = {config.shard_index, config.shard_count};
  return report;
}

namespace {

// What every kind of run's report takes from its result: the configuration,
// the figures and the clause tally.
Report report_of_run(const RunConfig& config, std::string provider, std::uint64_t cases,
                     std::uint64_t steps, double seconds, const ClauseTally& tally) {
  Report report = report_of_config(config, std::move(provider));
  report.cases_run = cases;
  report.steps_run = steps;
  // Milliseconds are all a reader needs, and fewer digits read better.
  report.seconds = std::round(seconds * 1000) / 1000;
  report.tally = tally;
  return report;
}

}  // namespace

Report make_report(const RunResult& run, const RunConfig& config, std::string provider) {
  Report report = report_of_run(config, std::move(provider), run.cases_run, run.steps_run,
                                run.seconds, run.tally);
  if (run.counterexample) {
    report.counterexample = make_counterexample_document(*run.counterexample, report.provider,
                                                         config.case_options, config.seed);
    report.run.records = run.counterexample->records;
  }
  for (const Counterexample& other : run.more_counterexamples) {
    report.more_counterexamples.push_back(
        make_counterexample_document(other, report.provider, config.case_options, config.seed));
    report.run.more_records.push_back(other.records);
  }
  ReportCoverage coverage;
  coverage.exercised.bits = run.coverage.bits & reachable_transitions(report.profile).bits;
  report.coverage = coverage;
  return report;
}

std::string write_report_json(const Report& report) {
  return json::dump_document(json::report_json(report));
}

Report parse_report_json(std::string_view text) { return json::read_report(json::parse(text)); }

Report make_report(const ConcurrentRunResult& run, const RunConfig& config, std::string provider) {
  Report report = report_of_run(config, std::move(provider), run.cases_run, run.calls_run,
                                run.seconds, run.tally);
  // The clause table shows each counterexample's clause failed, as a
  // sequential report does, also when the checker tallied no verdict for
  // it (a crash is RC-3 whatever the order, outside the order's tally).
  const auto mark_failed = [&](const ConcurrentCounterexample& found) {
    const auto failed = static_cast<std::size_t>(found.judgement.violation.clause);
    if (report.tally.failed[failed] == 0) report.tally.failed[failed] = 1;
  };
  if (run.counterexample) {
    mark_failed(*run.counterexample);
    report.counterexample = make_counterexample_document(*run.counterexample, report.provider,
                                                         config.case_options, config.seed);
    report.run.smaller_cases_tried = run.counterexample->shrink_cases;
  }
  for (const ConcurrentCounterexample& other : run.more_counterexamples) {
    mark_failed(other);
    report.more_counterexamples.push_back(
        make_counterexample_document(other, report.provider, config.case_options, config.seed));
  }
  return report;
}

Report counterexample_view(const Report& report, std::size_t number) {
  Report view = report;
  if (number == 0) return view;
  view.counterexample = report.more_counterexamples.at(number - 1);
  view.run.records = number - 1 < report.run.more_records.size()
                         ? report.run.more_records[number - 1]
                         : std::vector<StepRecord>{};
  view.run.sources = {number < report.run.sources.size() ? report.run.sources[number]
                                                         : std::string()};
  return view;
}

std::optional<std::size_t> counterexample_naming(const Report& report, ClauseId clause) {
  if (!report.counterexample) return std::nullopt;
  if (report.counterexample->violation.clause == clause) return 0;
  for (std::size_t i = 0; i < report.more_counterexamples.size(); ++i) {
    if (report.more_counterexamples[i].violation.clause == clause) return i + 1;
  }
  return std::nullopt;
}

std::optional<ClauseId> Report::failed_clause() const noexcept {
  if (counterexample) return counterexample->violation.clause;
  return std::nullopt;
}

CounterexampleDocument parse_replayable_json(std::string_view text) {
  const Json document = json::parse(text);
  if (!document.is_object() || !document.contains("verdict")) {
    return json::read_counterexample(document, "");
  }
  Report report = json::read_report(document);
  if (!report.counterexample) {
    throw InputError("a report of a conformant run: it holds no counterexample to replay");
  }
  return std::move(*report.counterexample);
}

}  // namespace logoffcheck
