// logoffcheck — the command line (docs/cli.md).
//
// Exit status: 0 conformant, 1 not conformant, 2 usage or configuration error
// (bad arguments, a provider that cannot be loaded, an unreadable or malformed
// file), 3 internal error. Every subcommand's work is in the libraries
// (engine.h, report.h); this file parses arguments, picks the provider and
// prints.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/report.h"
#include "logoffcheck/runner.h"

namespace {

using namespace logoffcheck;

enum ExitStatus : int {
  kConformant = 0,
  kNotConformant = 1,
  kUsageError = 2,
  kInternalError = 3,
};

// --- Providers -----------------------------------------------------------------------

struct ChosenProvider {
  Provider provider;
  const BuiltinProvider* builtin = nullptr;  // for a bundled provider
};

// `builtin:NAME` or the path of a provider shared library.
ChosenProvider choose_provider(const std::string& spec) {
  if (spec.starts_with(kBuiltinProviderPrefix)) {
    const std::string name = spec.substr(kBuiltinProviderPrefix.size());
    const BuiltinProvider* builtin = find_builtin_provider(name);
    if (builtin == nullptr) {
      throw ConfigurationError("no bundled provider named '" + name +
                               "'; `logoffcheck providers` lists them");
    }
    return {Provider(spec, builtin->open_store), builtin};
  }
  if (spec.empty()) throw ConfigurationError("--provider is empty");
  return {Provider::load_library(spec), nullptr};
}

// Isolation by default where a provider could take the verifier down: every
// library, and the bundled mutants that crash, hang or exit.
RunnerOptions runner_options(const ChosenProvider& chosen, std::optional<bool> isolate,
                             std::uint32_t timeout_ms) {
  const bool risky = chosen.builtin == nullptr || chosen.builtin->needs_isolation;
  return {isolate.value_or(risky), timeout_ms};
}

// --- Files ---------------------------------------------------------------------------------

std::string read_document(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError("cannot read " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDocumentBytes) {
      throw InputError("cannot read " + path + ": larger than " +
                       std::to_string(kMaxDocumentBytes) + " bytes");
    }
  }
  if (in.bad()) throw InputError("cannot read " + path + ": " + std::strerror(errno));
  return text;
}

// Reading errors name the file: "cx.json: steps[3].flags: ...".
template <typename Parse>
auto parse_file(const std::string& path, Parse parse) {
  const std::string text = read_document(path);
  try {
    return parse(text);
  } catch (const InputError& error) {
    throw InputError(path + ": " + error.what());
  }
}

void write_document(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (out) out.flush();
  if (!out) throw ConfigurationError("cannot write " + path + ": " + std::strerror(errno));
}

// A word as a POSIX shell reads it back.
std::string shell_word(std::string_view word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-+=:,./@%") == std::string_view::npos;
  if (plain) return std::string(word);
  std::string quoted = "'";
  for (const char c : word) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

// --- Progress ------------------------------------------------------------------------------

// A progress line on stderr for runs that take more than about a second, and
// only when a person is watching (stderr is a terminal).
class ProgressLine {
 public:
  ProgressLine() : enabled_(::isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  std::function<void(const Progress&)> callback() {
    if (!enabled_) return {};
    return [this](const Progress& progress) { show(progress); };
  }

  void clear() {
    if (shown_) std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  void show(const Progress& progress) {
    const auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) {
      return;
    }
    last_ = now;
    shown_ = true;
    if (progress.shrinking) {
      std::cerr << "\r\033[Klogoffcheck: shrinking a failure: " << progress.shrink_runs << " runs, "
                << progress.shrunk_length << " steps so far" << std::flush;
    } else {
      std::cerr << "\r\033[Klogoffcheck: case " << progress.cases_done << " of "
                << progress.cases_total << ", " << progress.steps << " steps" << std::flush;
    }
  }

  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

// --- Output ----------------------------------------------------------------------------------

void print_violation(std::ostream& out, const Violation& violation) {
  const Clause& broken = clause(violation.clause);
  out << broken.code << " (" << level_name(broken.level) << "): " << broken.statement << "\n"
      << "  expected: " << violation.expected << "\n"
      << "  observed: " << violation.observed << "\n";
}

void print_report_summary(std::ostream& out, const Report& report, std::string_view command) {
  out << "logoffcheck " << report.version << ": " << command << " " << report.provider << "\n"
      << "  profile  " << profile_name(report.profile) << (report.strict ? " (strict)" : "") << "\n"
      << "  seed     " << report.seed << "\n";
  out << "  cases    " << report.cases_run << " of " << report.cases_requested;
  if (report.shard.count > 1) {
    out << (report.shard.index ? " (shard " + std::to_string(*report.shard.index) + " of " +
                                     std::to_string(report.shard.count) + ")"
                               : " (" + std::to_string(report.shard.count) + " shards merged)");
  }
  out << ", " << report.steps_run << " steps, " << report.seconds << " s\n";
  out << "  verdict  ";
  if (report.conformant()) {
    out << "CONFORMANT\n\n";
  } else {
    const ClauseId failed = report.counterexample->violation.clause;
    out << "NOT CONFORMANT: " << clause_code(failed) << " (" << level_name(clause(failed).level)
        << ") failed\n\n";
  }
  out << format_clause_table(report);
}

// The certify command line that finds the same counterexample again.
std::string certify_command(const Report& report) {
  std::string command =
      "logoffcheck certify --provider " + shell_word(report.provider) + " --profile " +
      std::string(profile_name(report.profile)) + (report.strict ? " --strict" : "") + " --seed " +
      std::to_string(report.seed) + " --cases " + std::to_string(report.cases_requested) +
      " --max-steps " + std::to_string(report.max_steps);
  if (report.shard.index && report.shard.count > 1) {
    command += " --shard-index " + std::to_string(*report.shard.index) + " --shard-count " +
               std::to_string(report.shard.count);
  }
  return command;
}

void print_counterexample(std::ostream& out, const Report& report, const std::string& table,
                          const std::string& counterexample_file) {
  const CounterexampleDocument& found = *report.counterexample;
  out << "\nMinimal counterexample: " << found.steps.size()
      << (found.steps.size() == 1 ? " step" : " steps") << " (case " << found.case_index
      << " of seed " << found.seed << ")\n"
      << table << "\n";
  print_violation(out, found.violation);
  out << "\nReproduce: " << certify_command(report) << "\n";
  if (!counterexample_file.empty()) {
    out << "Replay:    logoffcheck replay " << shell_word(counterexample_file) << "\n";
  }
}

// Writes what the run was asked to write: --report, --junit, --counterexample.
struct Outputs {
  std::string report;
  std::string junit;
  std::string counterexample;

  // `table`: the counterexample's step table, if the caller has one with
  // observations in it.
  void write(const Report& result, std::string_view table = {}) const {
    if (!report.empty()) write_document(report, write_report_json(result));
    if (!junit.empty()) write_document(junit, write_junit_xml(result, table));
    if (!counterexample.empty() && result.counterexample) {
      write_document(counterexample, write_counterexample_json(*result.counterexample));
    }
  }
};

// --- Subcommands ------------------------------------------------------------------------

// The engine's and runner's defaults are the CLI's (docs/cli.md lists them).
const RunConfig kDefaultRun;
const RunnerOptions kDefaultRunner;

struct CertifyArguments {
  std::string provider;
  std::optional<std::string> profile;
  bool strict = false;
  std::uint64_t seed = kDefaultRun.seed;
  std::uint64_t cases = kDefaultRun.cases;
  std::uint32_t max_steps = kDefaultRun.max_steps;
  std::uint32_t timeout_ms = kDefaultRunner.timeout_ms;
  bool isolate = false;
  bool no_isolate = false;
  std::uint32_t shard_index = 0;
  std::uint32_t shard_count = 1;
  Outputs outputs;
};

std::optional<bool> isolation_choice(bool isolate, bool no_isolate) {
  if (isolate) return true;
  if (no_isolate) return false;
  return std::nullopt;
}

int certify(const CertifyArguments& arguments) {
  if (arguments.shard_index >= arguments.shard_count) {
    throw ConfigurationError("--shard-index " + std::to_string(arguments.shard_index) +
                             " must be below --shard-count " +
                             std::to_string(arguments.shard_count));
  }
  const ChosenProvider chosen = choose_provider(arguments.provider);
  RunConfig config;
  // The contract's default profile is deferred; a bundled provider is
  // certified under the profile it was written for.
  config.case_options.profile =
      arguments.profile ? *parse_profile(*arguments.profile)
                        : (chosen.builtin ? chosen.builtin->profile : Profile::deferred);
  config.case_options.strict = arguments.strict;
  config.seed = arguments.seed;
  config.cases = arguments.cases;
  config.max_steps = arguments.max_steps;
  config.shard_index = arguments.shard_index;
  config.shard_count = arguments.shard_count;

  const std::unique_ptr<CaseRunner> runner =
      make_runner(chosen.provider, config.case_options,
                  runner_options(chosen, isolation_choice(arguments.isolate, arguments.no_isolate),
                                 arguments.timeout_ms));
  ProgressLine progress;
  config.progress = progress.callback();
  const RunResult run = run_certification(*runner, config);
  progress.clear();

  const Report report = make_report(run, config, chosen.provider.name());
  const std::string table =
      run.counterexample
          ? format_step_table(run.counterexample->records, run.counterexample->violation,
                              run.counterexample->violation_step)
          : std::string();
  // The summary first: if a file cannot be written, the run is not lost.
  print_report_summary(std::cout, report, "certify");
  if (run.counterexample) {
    print_counterexample(std::cout, report, table, arguments.outputs.counterexample);
  }
  arguments.outputs.write(report, table);
  return report.conformant() ? kConformant : kNotConformant;
}

struct ReplayArguments {
  std::string file;
  std::string provider;
  std::string emit_gtest;
  std::uint32_t timeout_ms = kDefaultRunner.timeout_ms;
  bool isolate = false;
  bool no_isolate = false;
};

int replay(const ReplayArguments& arguments) {
  CounterexampleDocument counterexample =
      parse_file(arguments.file, [](std::string_view text) { return parse_replayable_json(text); });
  if (!arguments.provider.empty()) counterexample.provider = arguments.provider;
  const ChosenProvider chosen = choose_provider(counterexample.provider);
  const CaseOptions options{counterexample.profile, counterexample.strict};
  const std::unique_ptr<CaseRunner> runner =
      make_runner(chosen.provider, options,
                  runner_options(chosen, isolation_choice(arguments.isolate, arguments.no_isolate),
                                 arguments.timeout_ms));
  const CaseResult result = runner->run(counterexample.steps, true);

  std::cout << "logoffcheck " << logoffcheck_version() << ": replay " << arguments.file
            << " against " << counterexample.provider << "\n"
            << "  profile  " << profile_name(counterexample.profile)
            << (counterexample.strict ? " (strict)" : "") << "\n"
            << "  steps    " << counterexample.steps.size() << " (case "
            << counterexample.case_index << " of seed " << counterexample.seed << ")\n\n"
            << format_step_table(result.records, result.violation, result.violation_step) << "\n";
  if (!arguments.emit_gtest.empty()) {
    write_document(arguments.emit_gtest, emit_gtest_source(counterexample));
  }
  if (!result.failed()) {
    std::cout << "Passes now: no clause fails on these steps (the file recorded "
              << clause_code(counterexample.violation.clause) << " at step "
              << counterexample.violation_step + 1 << ").\n";
    return kConformant;
  }
  print_violation(std::cout, *result.violation);
  const bool same = result.violation->clause == counterexample.violation.clause &&
                    result.violation_step == counterexample.violation_step;
  std::cout << "\nStill fails: " << clause_code(result.violation->clause) << " at step "
            << result.violation_step + 1
            << (same ? ", as recorded.\n"
                     : std::string(" (the file recorded ") +
                           std::string(clause_code(counterexample.violation.clause)) + " at step " +
                           std::to_string(counterexample.violation_step + 1) + ").\n");
  return kNotConformant;
}

struct MergeArguments {
  std::vector<std::string> files;
  Outputs outputs;
};

int merge(const MergeArguments& arguments) {
  std::vector<Report> shards;
  for (const std::string& file : arguments.files) {
    shards.push_back(
        parse_file(file, [](std::string_view text) { return parse_report_json(text); }));
  }
  const Report merged = merge_reports(shards);
  print_report_summary(std::cout, merged, "merge of");
  if (merged.counterexample) {
    print_counterexample(std::cout, merged, format_counterexample_steps(*merged.counterexample),
                         arguments.outputs.counterexample);
  }
  arguments.outputs.write(merged);
  return merged.conformant() ? kConformant : kNotConformant;
}

int list_clauses() {
  std::vector<std::vector<std::string>> rows;
  for (const Clause& entry : kClauses) {
    rows.push_back({std::string(entry.code), std::string(level_name(entry.level)),
                    std::string(scope_name(entry.scope)), std::string(entry.statement)});
  }
  std::cout << format_table({"clause", "level", "profile", "statement"}, rows);
  return kConformant;
}

// What certifying a mutant shows: "LT-1, 3 steps", "SL-3 (strict), 1 step".
std::string caught_by(const BuiltinProvider& builtin) {
  if (!builtin.is_mutant()) return "-";
  std::string text(clause_code(*builtin.caught_by));
  if (builtin.caught_only_in_strict_mode()) text += " (strict)";
  text += ", " + std::to_string(builtin.minimal_length) +
          (builtin.minimal_length == 1 ? " step" : " steps");
  return text;
}

int list_providers() {
  std::vector<std::vector<std::string>> rows;
  for (const BuiltinProvider& builtin : builtin_providers()) {
    rows.push_back({std::string(kBuiltinProviderPrefix) + std::string(builtin.name),
                    builtin.is_mutant() ? "mutant" : "reference",
                    std::string(profile_name(builtin.profile)), caught_by(builtin),
                    std::string(builtin.description)});
  }
  std::cout << format_table({"provider", "kind", "profile", "caught by", "description"}, rows);
  return kConformant;
}

// "deferred", "eager": what --profile accepts.
std::vector<std::string> profile_names() {
  std::vector<std::string> names;
  for (const Profile profile : kProfiles) names.emplace_back(profile_name(profile));
  return names;
}

// --- Arguments -------------------------------------------------------------------------

void add_isolation_options(CLI::App& command, bool& isolate, bool& no_isolate,
                           std::uint32_t& timeout_ms) {
  CLI::Option* on = command.add_flag(
      "--isolate", isolate,
      "Run each case in a child process (default for provider libraries and crashing mutants)");
  CLI::Option* off = command.add_flag("--no-isolate", no_isolate, "Run cases in this process");
  on->excludes(off);
  command
      .add_option("--timeout-ms", timeout_ms,
                  "With isolation: how long one call may take before it counts as a hang (RC-3)")
      ->check(CLI::Range(1u, 3600000u))
      ->capture_default_str();
}

void add_output_options(CLI::App& command, Outputs& outputs) {
  command.add_option("--report", outputs.report, "Write the report as JSON (docs/report.md)");
  command.add_option("--junit", outputs.junit, "Write one JUnit <testcase> per clause");
  command.add_option("--counterexample", outputs.counterexample,
                     "Write the minimal counterexample, if any, as JSON for `replay`");
}

int run(int argc, char** argv) {
  CLI::App app{
      "logoffcheck: checks a MAPI message-store provider against the StoreLogoff "
      "contract (docs/contract.md)",
      "logoffcheck"};
  app.set_version_flag("--version", std::string(logoffcheck_version()));
  app.require_subcommand(1);

  CertifyArguments certify_arguments;
  CLI::App* certify_command = app.add_subcommand(
      "certify", "Run random cases against a provider; shrink the first failure");
  certify_command
      ->add_option("--provider", certify_arguments.provider,
                   "builtin:NAME (see `logoffcheck providers`) or a provider library path")
      ->required();
  certify_command
      ->add_option("--profile", certify_arguments.profile,
                   "deferred or eager (default: deferred; a bundled provider's own profile)")
      ->check(CLI::IsMember(profile_names()));
  certify_command->add_flag("--strict", certify_arguments.strict,
                            "SHOULD clauses fail certification too");
  certify_command->add_option("--seed", certify_arguments.seed, "Seed of the case stream")
      ->capture_default_str();
  certify_command
      ->add_option("--cases", certify_arguments.cases, "Cases to run, in all shards together")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  certify_command
      ->add_option("--max-steps", certify_arguments.max_steps,
                   "Generated steps per case, before the final Releases")
      ->check(CLI::Range(0u, 10000u))
      ->capture_default_str();
  add_isolation_options(*certify_command, certify_arguments.isolate, certify_arguments.no_isolate,
                        certify_arguments.timeout_ms);
  add_output_options(*certify_command, certify_arguments.outputs);
  CLI::Option* shard_index =
      certify_command->add_option("--shard-index", certify_arguments.shard_index,
                                  "This shard runs the cases i with i % K == I");
  CLI::Option* shard_count =
      certify_command
          ->add_option("--shard-count", certify_arguments.shard_count, "Number of shards K")
          ->check(CLI::Range(1u, 1000000u));
  shard_index->needs(shard_count);
  shard_count->needs(shard_index);

  ReplayArguments replay_arguments;
  CLI::App* replay_command =
      app.add_subcommand("replay", "Re-execute a counterexample file step by step");
  replay_command
      ->add_option("file", replay_arguments.file,
                   "A counterexample (--counterexample) or a failing run's report (--report)")
      ->required();
  replay_command->add_option("--provider", replay_arguments.provider,
                             "Replay against this provider instead of the file's");
  replay_command->add_option("--emit-gtest", replay_arguments.emit_gtest,
                             "Write a GoogleTest source that reproduces the failure");
  add_isolation_options(*replay_command, replay_arguments.isolate, replay_arguments.no_isolate,
                        replay_arguments.timeout_ms);

  MergeArguments merge_arguments;
  CLI::App* merge_command =
      app.add_subcommand("merge", "Combine the reports of a run's shards into one verdict");
  merge_command->add_option("reports", merge_arguments.files, "Shard reports (JSON)")->required();
  add_output_options(*merge_command, merge_arguments.outputs);

  CLI::App* clauses_command = app.add_subcommand("clauses", "List the contract's clauses");
  CLI::App* providers_command = app.add_subcommand("providers", "List the bundled providers");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    // Help and --version are successes; every other parse error is usage.
    return status == 0 ? kConformant : kUsageError;
  }
  if (certify_command->parsed()) return certify(certify_arguments);
  if (replay_command->parsed()) return replay(replay_arguments);
  if (merge_command->parsed()) return merge(merge_arguments);
  if (clauses_command->parsed()) return list_clauses();
  if (providers_command->parsed()) return list_providers();
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ConfigurationError& error) {
    std::cout.flush();
    std::cerr << "logoffcheck: error: " << error.what() << "\n";
    return kUsageError;
  } catch (const InternalError& error) {
    std::cout.flush();
    std::cerr << "logoffcheck: internal error: " << error.what() << "\n";
    return kInternalError;
  } catch (const std::exception& error) {
    std::cout.flush();
    std::cerr << "logoffcheck: internal error: " << error.what() << "\n";
    return kInternalError;
  } catch (...) {
    std::cerr << "logoffcheck: internal error: an unknown exception\n";
    return kInternalError;
  }
}
