// `logoffcheck explore`: every history of up to N client calls against a
// provider, environment events reduced (docs/exploration.md); the shortest
// failure over the alphabet is the counterexample.
#include "logoffcheck/explore.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "command.h"
#include "files.h"
#include "outcome.h"
#include "printing.h"
#include "progress.h"
#include "provider_choice.h"

namespace logoffcheck::cli {

namespace {

struct ExploreArguments {
  std::string provider;
  std::optional<std::string> profile;
  bool strict = false;
  std::uint32_t depth = 4;
  IsolationArguments isolation;
  Outputs outputs;
  std::optional<double> min_coverage;
};

std::string explore_command(const ExploreArguments& arguments, Profile profile) {
  return "logoffcheck explore --provider " + shell_word(arguments.provider) + " --profile " +
         std::string(profile_name(profile)) + (arguments.strict ? " --strict" : "") + " --depth " +
         std::to_string(arguments.depth) +
         (arguments.isolation.sandbox == "off" ? " --sandbox off" : "");
}

int explore(const ExploreArguments& arguments) {
  const ChosenProvider chosen = choose_provider(arguments.provider);
  RunConfig config;
  config.case_options.profile =
      arguments.profile ? parse_profile(*arguments.profile).value_or(Profile::deferred)
                        : (chosen.builtin ? chosen.builtin->profile : Profile::deferred);
  config.case_options.strict = arguments.strict;
  const std::unique_ptr<CaseRunner> runner = make_runner(
      chosen.provider, config.case_options, case_runner_options(chosen, arguments.isolation));
  ProgressLine progress;
  const auto show = progress.callback();
  const auto start = std::chrono::steady_clock::now();
  ExplorationResult exploration =
      explore_client_calls(*runner, arguments.depth, [&show](std::uint64_t sequences) {
        if (!show) return;
        Progress status;
        status.cases_done = sequences;
        show(status);
      });
  progress.clear();

  // The exploration as a run: its sequences are the cases; the seed is not
  // used (0), and max_steps is the depth in client calls.
  RunResult run;
  run.cases_run = exploration.sequences_run;
  run.steps_run = exploration.steps_run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.tally = exploration.tally;
  run.coverage = exploration.coverage;
  if (exploration.shortest_failure) {
    CaseResult& found = *exploration.shortest_failure;
    Counterexample counterexample;
    counterexample.records = std::move(found.records);
    counterexample.violation = std::move(*found.violation);
    counterexample.violation_step = found.violation_step;
    counterexample.original_length = found.executed.size();
    run.counterexample = std::move(counterexample);
  }
  config.seed = 0;
  config.cases = exploration.sequences_run;
  config.max_steps = arguments.depth;
  Report report = make_report(run, config, chosen.provider.name());
  report.coverage->minimum_percent = arguments.min_coverage;
  report.run.command_name = "explore";
  report.sandbox = report_sandbox(chosen, arguments.isolation);
  report.run.reproduce = explore_command(arguments, report.profile);
  report.run.notes = {{"Exploration", "every history of up to " + std::to_string(arguments.depth) +
                                          " client calls (" +
                                          std::to_string(exploration.sequences_run) +
                                          " sequences run)"}};
  report.logon_trace = logon_trace_of(std::span(&runner, 1));
  return finish_run(report, arguments.outputs);
}

}  // namespace

Command add_explore_command(CLI::App& app) {
  auto arguments = std::make_shared<ExploreArguments>();
  CLI::App* command = app.add_subcommand(
      "explore", "Run every history of up to --depth client calls; report the shortest failure");
  add_provider_option(*command, arguments->provider);
  add_profile_option(*command, arguments->profile);
  command->add_flag("--strict", arguments->strict, "SHOULD clauses fail too");
  command
      ->add_option("--depth", arguments->depth,
                   "Client calls per history, at most (environment events between them are free)")
      ->check(CLI::Range(0u, 12u))
      ->capture_default_str();
  add_isolation_options(*command, arguments->isolation);
  add_output_options(*command, arguments->outputs);
  add_min_coverage_option(*command, arguments->min_coverage);
  return {command, [arguments] { return explore(*arguments); }};
}

}  // namespace logoffcheck::cli
