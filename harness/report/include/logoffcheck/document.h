// logoffcheck/document.h — the documents a run leaves behind for machines:
// the counterexample and the report, as values and as JSON (writing, and
// reading that validates everything and never trusts its input).
//
// docs/report.md describes the JSON formats field by field. Everything here is
// a pure function of its arguments: no clocks, no host names, so two runs with
// the same seed give byte-identical documents apart from `stats.seconds`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/clauses.h"
#include "logoffcheck/concurrent.h"
#include "logoffcheck/coverage.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/history.h"
#include "logoffcheck/mapi_environment.h"

namespace logoffcheck {

// How documents and the CLI name a bundled provider: "builtin:reference".
inline constexpr std::string_view kBuiltinProviderPrefix = "builtin:";

// The version of logoffcheck that wrote a document ("0.1.0").
std::string_view logoffcheck_version() noexcept;

// The version of the report and counterexample formats. Readers reject other
// versions; it changes whenever a field changes meaning or disappears.
inline constexpr std::uint32_t kReportSchemaVersion = 1;

// Bounds a reader enforces, so that no input can make it allocate without
// limit, recurse deeply or run for long.
inline constexpr std::size_t kMaxDocumentBytes = 16u << 20;  // 16 MiB of JSON
inline constexpr std::size_t kMaxJsonDepth = 32;             // nesting of [ and {
inline constexpr std::size_t kMaxCounterexampleSteps = 100000;
inline constexpr std::size_t kMaxTextField = 4096;  // expected, observed, provider

// A document (counterexample or report) is not what logoffcheck writes:
// malformed or truncated JSON, a wrong type, an unknown name, a value out of
// range. The message names the problem and where it is, e.g.
// `steps[3].flags: expected a hex string like "0x00000002" or null`.
// Derives from ConfigurationError, so the CLI exits with status 2 on it.
class InputError : public ConfigurationError {
 public:
  using ConfigurationError::ConfigurationError;
};

// ---------------------------------------------------------------------------
// Counterexamples

// What an isolated store wrote to stdout and stderr during the recorded run
// of its counterexample: how many bytes, and the end of them.
struct ProviderOutput {
  std::uint64_t bytes = 0;
  std::string tail;  // at most kProviderOutputTail printable bytes

  friend bool operator==(const ProviderOutput&, const ProviderOutput&) = default;
};
static_assert(kProviderOutputTail <= kMaxTextField);

// A failure that did not recur when replayed: `failed` of `runs` replays
// failed the same way.
struct FlakyReplays {
  std::uint32_t runs = 0;
  std::uint32_t failed = 0;

  friend bool operator==(const FlakyReplays&, const FlakyReplays&) = default;
};

// A counterexample is one document whatever kind of case failed: what every
// kind shares (provider, profile, seed, case, violation, the store's output)
// and one part per kind that says what was played. A new kind of case (several
// stores in one case, issue 23) is a new alternative of CounterexamplePart; a
// new detail of a kind (a recorded thread schedule, issue 22) is a new member
// of its part: never a new document. The JSON keeps every format written
// before (docs/report.md): a sequential part as "steps", a concurrent one as
// "kind": "concurrent-counterexample" with a `threads` array.

// The sequential part: one case played step by step. `steps` are the
// executed steps, final Releases included.
struct SequentialPart {
  std::vector<Step> steps;
  std::size_t violation_step = 0;  // 0-based index into `steps`
  // Cases played before `steps` in the same process, each against a store
  // of its own (run_after): the failure needs the state they leave in the
  // provider's process (a global). Empty for most counterexamples; the JSON
  // has "earlier_cases" only when it is not.
  std::vector<std::vector<Step>> earlier_cases = {};

  friend bool operator==(const SequentialPart&, const SequentialPart&) = default;
};

// One call of a concurrent history, as the document holds it.
struct ConcurrentCallRecord {
  std::optional<std::uint32_t> thread;  // 0-based thread; nullopt: the client
  Step step;
  std::uint64_t invoked = 0;               // ticks of the clock all threads share
  std::optional<std::uint64_t> responded;  // nullopt: the call never returned
  CallOutcome outcome = CallOutcome::returned;
  std::string observed;           // "Release -> returned 0, StoreLogoffTransports(LOGOFF_ABORT)"
  std::uint32_t preemptions = 0;  // controlled schedules: switches away inside this call

  friend bool operator==(const ConcurrentCallRecord&, const ConcurrentCallRecord&) = default;
};

// The concurrent part (clause RC-4, docs/concurrency.md): a case played by
// several threads at once, and one failing play of it.
struct ConcurrentPart {
  // Of `repeat` plays of the shrunk case, `failed_runs` failed; replay plays
  // it `repeat` times unless told otherwise.
  std::uint32_t repeat = 1;
  std::uint32_t failed_runs = 0;
  ConcurrentCase scenario;                    // the shrunk case: prefix and threads
  std::vector<ConcurrentCallRecord> history;  // one failing play
  std::vector<std::size_t> linearized;        // indices into history
  ClauseId cause = ClauseId::RC_4;            // the clause that failed for `violation_call`
  std::size_t violation_call = 0;             // 0-based index into history
  // Played under a controlled schedule (schedule.h): replay plays it exactly.
  std::optional<Schedule> schedule;

  friend bool operator==(const ConcurrentPart&, const ConcurrentPart&) = default;
};

using CounterexamplePart = std::variant<SequentialPart, ConcurrentPart>;

// A counterexample as a document: enough to replay it against the provider and
// to explain it.
struct CounterexampleDocument {
  std::string provider;  // "builtin:saves-first-flag" or a library path
  Profile profile = Profile::deferred;
  bool strict = false;
  std::uint64_t seed = 0;
  std::uint64_t case_index = 0;  // which case of the run failed first
  CounterexamplePart part;       // what was played, by kind
  // A provider clause that applies to `profile`; for a concurrent part RC-4,
  // RC-3 or the clause that failed for the unexplained call.
  Violation violation;
  // Only when the store printed something (isolated, output captured).
  std::optional<ProviderOutput> provider_output;
  // Only when the failure did not recur (a flaky store, sequential cases).
  std::optional<FlakyReplays> replays;

  // The part of each kind, or nullptr when the document is of another kind.
  const SequentialPart* sequential() const noexcept { return std::get_if<SequentialPart>(&part); }
  SequentialPart* sequential() noexcept { return std::get_if<SequentialPart>(&part); }
  const ConcurrentPart* concurrent() const noexcept { return std::get_if<ConcurrentPart>(&part); }
  ConcurrentPart* concurrent() noexcept { return std::get_if<ConcurrentPart>(&part); }

  friend bool operator==(const CounterexampleDocument&, const CounterexampleDocument&) = default;
};

// The document for a counterexample the engine found.
CounterexampleDocument make_counterexample_document(const Counterexample& counterexample,
                                                    std::string provider,
                                                    const CaseOptions& options, std::uint64_t seed);

// The calls of `history` as a document holds them: thread, step, ticks,
// outcome and what was observed, in words.
std::vector<ConcurrentCallRecord> history_records(const History& history);

// The document for a counterexample the concurrent search found.
CounterexampleDocument make_counterexample_document(const ConcurrentCounterexample& counterexample,
                                                    std::string provider,
                                                    const CaseOptions& options, std::uint64_t seed);

// The counterexample as pretty-printed JSON (docs/report.md), ending in "\n":
// for a sequential part the format of every earlier version byte for byte,
// for a concurrent one the `threads` format.
std::string write_counterexample_json(const CounterexampleDocument& counterexample);

// Parses and validates a counterexample document of either kind (a
// concurrent one is recognised by its `threads` array; its case must keep
// the caller rules, concurrent_case_valid, within kMaxHistoryCalls calls).
// Never crashes, hangs or allocates more than a small multiple of the input,
// whatever `text` holds. Throws InputError naming the first problem found.
CounterexampleDocument parse_counterexample_json(std::string_view text);

// Parses just a JSON array of steps ([{"call": "AddRef"}, {"env": "MessageQueued"},
// {"call": "StoreLogoff", "flags": "0x00000002"}, ...]). Same guarantees.
std::vector<Step> parse_steps_json(std::string_view text);

// ---------------------------------------------------------------------------
// Reports

// What became of one clause in a run (docs/report.md).
enum class ClauseStatus : std::uint8_t {
  pass,           // judged at least once, never failed
  fail,           // a MUST clause failed, or a SHOULD clause under --strict
  warn,           // a SHOULD clause failed without --strict
  not_exercised,  // never judged, or it does not apply to the profile
};

std::string_view clause_status_name(ClauseStatus status) noexcept;  // "pass", "not-exercised"

// The status of clause `id` given how often it passed and failed.
ClauseStatus clause_status(ClauseId id, const ClauseTally& tally, Profile profile, bool strict);

struct ShardInfo {
  // Which shard this report covers; nullopt for a report merged from all of them.
  std::optional<std::uint32_t> index = 0;
  std::uint32_t count = 1;

  friend bool operator==(const ShardInfo&, const ShardInfo&) = default;
};

// Model coverage of a run (coverage.h, docs/report.md "Model coverage"): the
// transitions its cases exercised, of those reachable under its profile.
struct ReportCoverage {
  TransitionSet exercised;  // only reachable transitions are kept
  // --min-coverage: the run fails when it covers less (percent, 0..100).
  std::optional<double> minimum_percent;

  friend bool operator==(const ReportCoverage&, const ReportCoverage&) = default;
};

// What a report's coverage amounts to, for people.
struct CoverageFigures {
  std::size_t exercised = 0;
  std::size_t reachable = 0;
  double percent = 0;                    // exercised / reachable, to a tenth of a percent
  std::vector<std::size_t> unexercised;  // reachable transitions not exercised, by index
  // SP-1 .. SP-7: whether a transport call was answered by that spooler row.
  std::array<bool, 7> spooler_rows{};
  bool meets_minimum = true;  // no minimum, or percent >= minimum
};

// What the run that made a report knows beyond the report's JSON, so that
// every renderer (text, JUnit, HTML) works from the Report alone: how it was
// made and what the store did at each step of the counterexample. A report
// read from JSON has it empty, and the renderers fall back on what the model
// expected (and on "logoffcheck certify" for the command). Not part of a
// report's identity: two reports are equal when their documents are.
struct RunContext {
  // What produced the report: "certify", "explore", "merge".
  std::string command_name = "certify";
  // The command line that runs it again, as a shell reads it (the CLI's
  // text falls back on the certify command the report's fields give).
  std::string reproduce;
  // Extra lines for the run's description, e.g. {"Profile detection", "follows deferred"}.
  std::vector<std::pair<std::string, std::string>> notes;
  // A sequential counterexample's executed steps with what was observed.
  std::vector<StepRecord> records;
  // A concurrent counterexample's shrinking: smaller cases tried.
  std::optional<std::uint64_t> smaller_cases_tried;
  // --keep-going: the records of each of Report::more_counterexamples, in order.
  std::vector<std::vector<StepRecord>> more_records;
  // --corpus: where each counterexample came from (the first, then the
  // more_counterexamples in order): a known one's corpus file, or empty
  // for a failure found in the seed's stream. Empty when no corpus was used.
  std::vector<std::string> sources;

  friend bool operator==(const RunContext&, const RunContext&) noexcept { return true; }
};

// A certification run (or shards of one merged) as a document.
struct Report {
  std::string version{logoffcheck_version()};  // logoffcheck that wrote it
  std::string provider;
  Profile profile = Profile::deferred;
  bool strict = false;
  std::uint64_t seed = 0;
  std::uint64_t cases_requested = 0;  // in all shards together
  std::uint32_t max_steps = 0;
  // The stores a case may open (certify --stores); the JSON has "stores"
  // only above 1, so reports of one store are what they were.
  std::uint32_t stores = 1;
  ShardInfo shard;
  std::uint64_t cases_run = 0;
  std::uint64_t steps_run = 0;
  double seconds = 0;
  ClauseTally tally;
  // The first failure, minimised, of whatever kind the run's cases were.
  std::optional<CounterexampleDocument> counterexample;
  // certify --keep-going: every other distinct failure, minimised, in the
  // order found; empty otherwise (and never without `counterexample`).
  std::vector<CounterexampleDocument> more_counterexamples;
  // Absent in reports written before logoffcheck measured coverage.
  std::optional<ReportCoverage> coverage;
  // A Windows DLL's start and first logon, every call in order
  // (docs/mapi-environment.md); absent for other providers and in reports
  // written before logoffcheck traced them.
  std::optional<std::vector<LogonCall>> logon_trace;
  // Whether an isolated store ran in the sandbox (docs/isolation.md#the-sandbox):
  // "sandbox": "on" or "off"; absent for stores run in the verifier's
  // process and in reports written before the sandbox.
  std::optional<bool> sandbox;

  // What only the run knows, for the renderers; never written (see RunContext).
  RunContext run;

  bool conformant() const noexcept { return !counterexample.has_value(); }
  // The clause the counterexample names, if any.
  std::optional<ClauseId> failed_clause() const noexcept;
  // Conformant, and covering at least --min-coverage when one was given.
  bool passed() const noexcept;

  friend bool operator==(const Report&, const Report&) = default;
};

// A copy of `report` whose counterexample is its counterexample `number`
// (0: the first, then the more_counterexamples), with that one's records and
// source, so that every renderer of one counterexample shows any of them.
Report counterexample_view(const Report& report, std::size_t number);

// The number (as counterexample_view takes it) of the report's first
// counterexample that names `clause`, if any.
std::optional<std::size_t> counterexample_naming(const Report& report, ClauseId clause);

// The figures of `report.coverage` (all zero when it has none).
CoverageFigures coverage_figures(const Report& report);

// A report of a run of `config` against the provider called `provider`,
// with what the configuration says (profile, strictness, seed, cases, steps,
// shard) and nothing run yet: the part every kind of run shares.
Report report_of_config(const RunConfig& config, std::string provider);

// The report of a run of `config` against the provider called `provider`,
// with what the run observed in `Report::run` (the counterexample's records).
Report make_report(const RunResult& run, const RunConfig& config, std::string provider);

// The same for a run of concurrent histories: RC-4 judged once per history,
// the concurrent counterexample, and no coverage (concurrent runs do not
// measure it). The clause the counterexample names shows as failed in the
// table even when the checker tallied no verdict for it (a crash is RC-3
// whatever the order).
Report make_report(const ConcurrentRunResult& run, const RunConfig& config, std::string provider);

// The report as pretty-printed JSON with a fixed key order, ending in "\n".
std::string write_report_json(const Report& report);

// Parses and validates a report written by write_report_json. Same guarantees
// as parse_counterexample_json.
Report parse_report_json(std::string_view text);

// What `logoffcheck replay` reads: a counterexample document of either kind,
// or a report whose counterexample is not null. Throws InputError otherwise,
// like the parsers above.
CounterexampleDocument parse_replayable_json(std::string_view text);

}  // namespace logoffcheck
