// `logoffcheck certify`: random cases against a provider, the first failure
// shrunk to a minimal counterexample (docs/cli.md). One command for every kind
// of case: sequential cases, and with --threads N concurrent histories
// (clause RC-4, docs/concurrency.md). Every option is honoured for every kind
// or refused with exit 2 naming it (refuse_for_threads).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "corpus.h"
#include "files.h"
#include "logoffcheck/concurrent.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/history.h"
#include "logoffcheck/input_handling.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/runner.h"
#include "logoffcheck/text.h"
#include "outcome.h"
#include "printing.h"
#include "progress.h"
#include "provider_choice.h"
#include "shard_environment.h"

namespace logoffcheck::cli {

namespace {

// The engine's defaults are the CLI's (docs/cli.md lists them).
const RunConfig kDefaultRun;

struct CertifyArguments {
  std::string provider;
  std::optional<std::string> profile;
  bool strict = false;
  std::uint64_t seed = kDefaultRun.seed;
  std::uint64_t cases = kDefaultRun.cases;
  std::uint32_t max_steps = kDefaultRun.max_steps;
  IsolationArguments isolation;
  std::optional<std::uint32_t> shard_index;
  std::optional<std::uint32_t> shard_count;
  std::uint32_t jobs = kDefaultRun.jobs;
  Outputs outputs;
  std::optional<double> min_coverage;
  std::uint32_t threads = 1;  // 2 or more: concurrent histories
  std::uint32_t repeat = 8;   // plays of each concurrent case
  // How the threads are played: "free" (real threads, the default) or
  // "controlled" (one at a time under the controlled scheduler, schedule.h).
  // Empty when not given.
  std::string schedule;
  bool keep_going = false;
  std::string corpus;        // --corpus DIR; empty when not given
  std::uint32_t stores = 1;  // --stores K: stores a case may open (issue 23)
  // The options given on the command line (CLI11 counts), for the refusals
  // that a default value must not trigger.
  std::vector<std::string> given;
};

bool given(const CertifyArguments& arguments, std::string_view option) {
  return std::find(arguments.given.begin(), arguments.given.end(), option) != arguments.given.end();
}

// --profile auto: certify against every profile and report the one followed.
constexpr std::string_view kAutoProfile = "auto";

RunConfig run_config(const CertifyArguments& arguments, const ChosenProvider& chosen) {
  RunConfig config;
  // The contract's default profile is deferred; a bundled provider is
  // certified under the profile it was written for.
  config.case_options.profile =
      arguments.profile ? parse_profile(*arguments.profile).value_or(Profile::deferred)
                        : (chosen.builtin ? chosen.builtin->profile : Profile::deferred);
  config.case_options.strict = arguments.strict;
  config.seed = arguments.seed;
  config.cases = arguments.cases;
  config.max_steps = arguments.max_steps;
  config.jobs = arguments.jobs;
  config.keep_going = arguments.keep_going;
  config.stores = arguments.stores;
  return config;
}

// Creates `path` if need be and sets its time to now, like touch(1).
void touch_file(const std::string& path) {
  std::error_code error;
  { std::ofstream file(path, std::ios::app); }
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now(), error);
  if (error) {
    throw ConfigurationError("cannot touch TEST_SHARD_STATUS_FILE " + path + ": " +
                             error.message());
  }
}

// The shard: from --shard-index/--shard-count, else from the environment of
// the system running the job (shard_environment.h), which is said on stderr.
void choose_shard(const CertifyArguments& arguments, RunConfig& config) {
  if (arguments.shard_index) {
    config.shard_index = *arguments.shard_index;
    config.shard_count = *arguments.shard_count;  // CLI11: --shard-index needs --shard-count
    if (config.shard_index >= config.shard_count) {
      throw ConfigurationError("--shard-index " + std::to_string(config.shard_index) +
                               " must be below --shard-count " +
                               std::to_string(config.shard_count));
    }
    return;
  }
  const std::optional<EnvironmentShard> shard =
      shard_from_environment(process_shard_environment(), arguments.shard_count);
  if (!shard) return;
  config.shard_index = shard->index;
  config.shard_count = shard->count;
  std::cerr << "logoffcheck: " << shard->describe() << "\n";
  // Bazel asks a test that shards to say so by touching this file.
  if (shard->status_file) touch_file(*shard->status_file);
}

// A runner that certify keeps after the engine is done with it, so that it
// can still say what the stores did beyond what is judged.
class BorrowedRunner final : public CaseRunner {
 public:
  explicit BorrowedRunner(CaseRunner& runner) : runner_(runner) {}
  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override {
    runner_.run(steps, record, result);
  }
  using CaseRunner::run_batch;
  std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                        std::span<CaseResult> results) override {
    return runner_.run_batch(cases, record, results);
  }
  const CaseOptions& options() const noexcept override { return runner_.options(); }

 private:
  CaseRunner& runner_;
};

struct CertifyRun {
  RunResult result;
  std::string notes;  // unsupported_support_notes of every worker's runner
  std::optional<std::vector<LogonCall>> logon_trace;  // a Windows DLL's
};

CertifyRun run_once(const CertifyArguments& arguments, const ChosenProvider& chosen,
                    RunConfig& config) {
  const RunnerOptions options = case_runner_options(chosen, arguments.isolation);
  std::mutex made_mutex;
  std::vector<std::unique_ptr<CaseRunner>> made;
  // One runner per worker (--jobs), each opening its own stores.
  const RunnerFactory runners = [&]() -> std::unique_ptr<CaseRunner> {
    std::unique_ptr<CaseRunner> runner = make_runner(chosen.provider, config.case_options, options);
    const std::lock_guard lock(made_mutex);
    made.push_back(std::move(runner));
    return std::make_unique<BorrowedRunner>(*made.back());
  };
  ProgressLine progress;
  config.progress = progress.callback();
  CertifyRun run{run_certification(runners, config), {}, std::nullopt};
  progress.clear();
  run.notes = unsupported_support_notes(made);
  run.logon_trace = logon_trace_of(made);
  return run;
}

Report make_certify_report(const CertifyArguments& arguments, const RunResult& run,
                           const RunConfig& config, const ChosenProvider& chosen) {
  Report report = make_report(run, config, chosen.provider.name());
  report.sandbox = report_sandbox(chosen, arguments.isolation, arguments.threads > 1,
                                  arguments.schedule == "controlled");
  report.coverage->minimum_percent = arguments.min_coverage;
  report.run.reproduce = certify_command(report);
  return report;
}

// The options a --threads run cannot honour yet, refused with the reason
// (ConfigurationError: exit 2) rather than dropped.
void refuse_for_threads(const CertifyArguments& arguments) {
  const auto refuse = [](std::string_view option, std::string_view why) {
    throw ConfigurationError(std::string(option) +
                             " cannot be used with --threads: " + std::string(why));
  };
  if (arguments.profile == kAutoProfile) {
    refuse("--profile auto",
           "profile detection plays sequential cases; run it without --threads, then certify "
           "--threads under the profile it finds");
  }
  if (arguments.min_coverage) {
    refuse("--min-coverage", "concurrent runs do not measure model coverage");
  }
  if (!arguments.isolation.mapi_profile.empty()) {
    refuse("--mapi-profile",
           "concurrent histories of Windows DLLs are not written yet (docs/mapi-environment.md)");
  }
  if (arguments.isolation.no_isolate) {
    refuse("--no-isolate",
           "concurrent histories always run in a child process: a lost race is "
           "often a use after free");
  }
  if (arguments.stores > 1) {
    refuse("--stores",
           "a concurrent history plays one store; run several stores per case "
           "without --threads");
  }
}

// --threads N: the cases as concurrent histories, always isolated.
int certify_threads(const CertifyArguments& arguments, const ChosenProvider& chosen,
                    const RunConfig& config) {
  refuse_for_threads(arguments);
  ConcurrentConfig concurrent;
  concurrent.run = config;
  concurrent.threads = arguments.threads;
  concurrent.repeat = arguments.repeat;
  // One runner per --jobs worker: free threads under every isolation option
  // (--timeout-ms, --settle-ms, --memory-limit-mb, --provider-output), or
  // controlled schedules (--schedule controlled, docs/concurrency.md).
  const HistoryRunnerFactory runners = history_runners(
      arguments.schedule, chosen, config.case_options, arguments.isolation, arguments.given);
  const bool controlled = arguments.schedule == "controlled";
  std::optional<Corpus> corpus;
  if (!arguments.corpus.empty()) {
    corpus = load_corpus(arguments.corpus, config.case_options.profile, true);
    concurrent.corpus = corpus->concurrent_cases;
  }
  ProgressLine progress;
  concurrent.run.progress = progress.callback();
  const ConcurrentRunResult run = run_concurrent_certification(runners, concurrent);
  progress.clear();

  Report report = make_report(run, config, chosen.provider.name());
  report.sandbox = report_sandbox(chosen, arguments.isolation, arguments.threads > 1,
                                  arguments.schedule == "controlled");
  report.run.reproduce =
      certify_command(report) + " --threads " + std::to_string(arguments.threads) + " --repeat " +
      std::to_string(arguments.repeat) + (controlled ? " --schedule controlled" : "") +
      (arguments.keep_going ? " --keep-going" : "");
  // Under controlled schedules a play is a function of its schedule: the
  // overlaps are the same in every run of the seed.
  const std::string threads =
      std::to_string(arguments.threads) + ", each case played " + std::to_string(arguments.repeat) +
      " times: " + std::to_string(run.histories_run) + " histories, " +
      std::to_string(run.overlapping_histories) + " with calls that overlapped in time" +
      (controlled ? ", under controlled schedules" : " (varies from run to run)");
  report.run.notes = {{"Threads", threads}};
  std::string after = "  threads  " + threads + "\n";
  if (corpus) {
    report.run.reproduce += " --corpus " + shell_word(corpus->directory);
    after += describe_corpus(*corpus, run, report);
  }
  const int status = finish_run(report, arguments.outputs, after);
  if (corpus) std::cout << save_to_corpus(*corpus, report);
  return status;
}

// --profile auto: the same cases under each profile. The store follows the
// first profile it conforms to; a store that follows neither is reported
// under the contract's default (deferred), with each profile's counterexample.
int certify_auto(const CertifyArguments& arguments, const ChosenProvider& chosen,
                 const RunConfig& base) {
  std::vector<RunResult> runs;
  std::vector<RunConfig> configs;
  std::optional<std::vector<LogonCall>> logon_trace;  // a Windows DLL's, of the first run
  for (const Profile profile : kProfiles) {
    RunConfig config = base;
    config.case_options.profile = profile;
    CertifyRun run = run_once(arguments, chosen, config);
    if (!logon_trace) logon_trace = std::move(run.logon_trace);
    runs.push_back(std::move(run.result));
    configs.push_back(config);
  }
  std::size_t detected = 0;
  while (detected < runs.size() && !runs[detected].conformant()) ++detected;
  const bool neither = detected == runs.size();
  std::string detection = neither ? "follows neither profile:" : "follows ";
  if (!neither) detection += profile_name(kProfiles[detected]);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!neither && i == detected) continue;
    detection +=
        std::string(neither ? " " : "; ") + "breaks " + std::string(profile_name(kProfiles[i])) +
        (runs[i].conformant()
             ? std::string(" nothing")
             : " by " + std::string(clause_code(runs[i].counterexample->violation.clause)));
    if (neither && i + 1 < runs.size()) detection += ",";
  }
  // How it treats invalid input and what it writes back (D3, D4), played
  // leniently under the profile it follows (the default when neither).
  CaseOptions probe_options = configs[neither ? 0 : detected].case_options;
  probe_options.strict = false;
  const std::unique_ptr<CaseRunner> probe =
      make_runner(chosen.provider, probe_options, case_runner_options(chosen, arguments.isolation));
  detection += "; " + describe_input_handling(probe_input_handling(*probe));
  std::cout << "profile detection: " << detection << "\n";
  if (neither) {
    // Each profile's counterexample; the report below is the default profile's.
    for (std::size_t i = 1; i < runs.size(); ++i) {
      const Report other = make_certify_report(arguments, runs[i], configs[i], chosen);
      std::cout << "\nUnder the " << profile_name(kProfiles[i]) << " profile:";
      print_counterexample(std::cout, other, {});
    }
    std::cout << "\nUnder the " << profile_name(kProfiles[0]) << " profile:\n";
    detected = 0;
  }
  Report report = make_certify_report(arguments, runs[detected], configs[detected], chosen);
  report.run.notes = {{"Profile detection", detection}};
  report.logon_trace = std::move(logon_trace);
  return finish_run(report, arguments.outputs);
}

int certify(const CertifyArguments& arguments) {
  const ChosenProvider chosen = choose_provider(arguments.provider);
  if (arguments.stores > 1 && chosen.provider.kind() == ProviderKind::windows_dll) {
    throw ConfigurationError(
        "--stores " + std::to_string(arguments.stores) +
        " cannot be used with a Windows DLL yet: the Windows agent opens one store per case "
        "(docs/cli.md); run it without --stores");
  }
  RunConfig config = run_config(arguments, chosen);
  choose_shard(arguments, config);
  if (arguments.threads > 1) return certify_threads(arguments, chosen, config);
  if (!arguments.schedule.empty()) {
    throw ConfigurationError(
        "--schedule says how the threads of concurrent histories are played: it needs "
        "--threads 2 or more");
  }
  if (given(arguments, "--repeat")) {
    throw ConfigurationError(
        "--repeat plays each concurrent case several times; it needs "
        "--threads 2 or more (sequential cases are played once)");
  }
  if (arguments.profile == kAutoProfile) {
    if (!arguments.corpus.empty()) {
      throw ConfigurationError(
          "--corpus cannot be used with --profile auto: a corpus is replayed under one "
          "profile; certify under the profile the store follows");
    }
    return certify_auto(arguments, chosen, config);
  }
  std::optional<Corpus> corpus;
  if (!arguments.corpus.empty()) {
    corpus = load_corpus(arguments.corpus, config.case_options.profile, false);
    config.corpus = corpus->cases;
  }
  const CertifyRun run = run_once(arguments, chosen, config);
  Report report = make_certify_report(arguments, run.result, config, chosen);
  report.logon_trace = run.logon_trace;
  if (arguments.keep_going) report.run.reproduce += " --keep-going";
  std::string after = run.notes.empty() ? "" : "\n" + run.notes;
  if (corpus) {
    report.run.reproduce += " --corpus " + shell_word(corpus->directory);
    after = describe_corpus(*corpus, run.result, report) + after;
  }
  const int status = finish_run(report, arguments.outputs, after);
  if (corpus) std::cout << save_to_corpus(*corpus, report);
  return status;
}

void add_shard_options(CLI::App& command, CertifyArguments& arguments) {
  CLI::Option* shard_index = command.add_option("--shard-index", arguments.shard_index,
                                                "This shard runs the cases i with i % K == I");
  CLI::Option* shard_count =
      command
          .add_option("--shard-count", arguments.shard_count,
                      "Number of shards K (alone: the index is JOB_COMPLETION_INDEX)")
          ->check(CLI::Range(1u, 1000000u));
  // --shard-count alone is a Kubernetes Indexed Job (docs/scale.md).
  shard_index->needs(shard_count);
}

}  // namespace

Command add_certify_command(CLI::App& app) {
  auto arguments = std::make_shared<CertifyArguments>();
  CLI::App* command = app.add_subcommand(
      "certify", "Run random cases against a provider; shrink the first failure");
  add_provider_option(*command, arguments->provider);
  add_profile_option(*command, arguments->profile, {std::string(kAutoProfile)});
  command->add_flag("--strict", arguments->strict, "SHOULD clauses fail certification too");
  command->add_option("--seed", arguments->seed, "Seed of the case stream")->capture_default_str();
  command->add_option("--cases", arguments->cases, "Cases to run, in all shards together")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  command
      ->add_option("--max-steps", arguments->max_steps,
                   "Generated steps per case, before the final Releases")
      ->check(CLI::Range(0u, 10000u))
      ->capture_default_str();
  command
      ->add_option("--threads", arguments->threads,
                   "Client threads per case; 2 or more plays concurrent histories (RC-4)")
      ->check(CLI::Range(1u, 16u))
      ->capture_default_str();
  command
      ->add_option("--repeat", arguments->repeat,
                   "With --threads: plays of each concurrent case (races are probabilistic)")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  command->add_option("--schedule", arguments->schedule,
                      "With --threads: \"free\" (real threads, the default) or \"controlled\" "
                      "(one thread at a time under a seeded scheduler; every failure replays)");
  command->add_flag("--keep-going", arguments->keep_going,
                    "Play every case; keep and shrink one counterexample of each distinct "
                    "failure (clause and observed)");
  command
      ->add_option("--stores", arguments->stores,
                   "Stores of the provider one case may open, its steps interleaved among "
                   "them (each with its own model state and spooler environment)")
      ->check(CLI::Range(1u, static_cast<unsigned>(kMaxStores)))
      ->capture_default_str();
  command->add_option("--corpus", arguments->corpus,
                      "Replay the counterexamples in DIR first; save each new one there");
  add_isolation_options(*command, arguments->isolation);
  add_output_options(*command, arguments->outputs);
  add_min_coverage_option(*command, arguments->min_coverage);
  add_shard_options(*command, *arguments);
  command
      ->add_option("--jobs", arguments->jobs,
                   "Workers running cases at once, 0 = one per core; the report is the same")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  return {command, [arguments, command] {
            for (const CLI::Option* option : command->get_options()) {
              if (option->count() > 0) arguments->given.push_back(option->get_name());
            }
            return certify(*arguments);
          }};
}

}  // namespace logoffcheck::cli
