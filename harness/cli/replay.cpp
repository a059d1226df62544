// `logoffcheck replay`: a counterexample file of either kind played again
// against its provider, or another (docs/cli.md). The playing and judging is
// the library's replay() (logoffcheck/replay.h); this file picks the runner,
// refuses what a kind cannot honour (exit 2 naming the option) and prints.
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "files.h"
#include "logoffcheck/gtest_source.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/replay.h"
#include "logoffcheck/text.h"
#include "printing.h"
#include "provider_choice.h"

namespace logoffcheck::cli {

namespace {

struct ReplayArguments {
  std::string file;
  std::string provider;
  std::string emit_gtest;
  std::uint32_t repeat = 0;  // plays of a concurrent case; 0: the file's
  IsolationArguments isolation;
  // The options given on the command line (CLI11 counts).
  std::vector<std::string> given;
};

void print_header(const ReplayArguments& arguments, const CounterexampleDocument& document) {
  std::cout << "logoffcheck " << logoffcheck_version() << ": replay " << arguments.file
            << " against " << document.provider << "\n"
            << "  profile  " << profile_name(document.profile)
            << (document.strict ? " (strict)" : "") << "\n";
}

int print_sequential(const ReplayArguments& arguments, const CounterexampleDocument& document,
                     const ReplayResult& result, const std::string& notes) {
  const SequentialPart& recorded = *document.sequential();
  const SequentialPart& played = std::get<SequentialPart>(result.played);
  print_header(arguments, document);
  std::cout << "  steps    " << recorded.steps.size() << " (case " << document.case_index
            << " of seed " << document.seed << ")\n\n"
            << format_earlier_cases(recorded)
            << format_step_table(result.records, result.violation, played.violation_step) << "\n";
  if (!notes.empty()) std::cout << notes << "\n";
  const std::string recorded_at = std::string(clause_code(document.violation.clause)) +
                                  " at step " + std::to_string(recorded.violation_step + 1);
  if (!result.failed()) {
    std::cout << "Passes now: no clause fails on these steps (the file recorded " << recorded_at
              << ").\n";
    return kConformant;
  }
  print_violation(std::cout, *result.violation);
  if (result.provider_output) print_provider_output(std::cout, *result.provider_output);
  std::cout << "\nStill fails: " << clause_code(result.violation->clause) << " at step "
            << played.violation_step + 1
            << (result.as_recorded ? ", as recorded.\n"
                                   : " (the file recorded " + recorded_at + ").\n");
  return kNotConformant;
}

int print_concurrent(const ReplayArguments& arguments, const CounterexampleDocument& document,
                     const ReplayResult& result) {
  const ConcurrentPart& recorded = *document.concurrent();
  const ConcurrentPart& played = std::get<ConcurrentPart>(result.played);
  print_header(arguments, document);
  std::cout << "  threads  " << recorded.scenario.threads.size() << ", "
            << recorded.scenario.prefix.size() << " prefix steps (case " << document.case_index
            << " of seed " << document.seed << ")\n"
            << (recorded.schedule
                    ? "  schedule controlled, as recorded (" +
                          std::to_string(recorded.schedule->preemptions()) + " preemptions)\n"
                    : std::string())
            << "  plays    " << result.plays << " (the file recorded " << recorded.failed_runs
            << " failed of " << recorded.repeat << ")\n\n"
            << (result.failed() ? "The first failing play:\n" : "The first play:\n")
            << format_history_table(
                   played.history, played.linearized,
                   result.failed() ? std::optional(played.violation_call) : std::nullopt,
                   played.cause)
            << "\nFailed in " << result.failed_plays << " of " << result.plays << " plays.\n";
  if (result.divergent) {
    // Under one schedule a deterministic store always does the same.
    std::cout << "The store is nondeterministic under a fixed schedule: play "
              << result.divergent->play
              << " observed something else than the file recorded under the same schedule.\n"
              << "Recorded:\n"
              << format_history_table(recorded.history, {}, std::nullopt, recorded.cause) << "Play "
              << result.divergent->play << ":\n"
              << format_history_table(result.divergent->calls, {}, std::nullopt, recorded.cause);
  }
  const std::string clause_recorded(clause_code(document.violation.clause));
  if (!result.failed()) {
    std::cout << "Passes now: every play is linearizable (the file recorded " << clause_recorded
              << " in " << recorded.failed_runs << " of " << recorded.repeat << " runs).\n";
    return kConformant;
  }
  std::cout << "\n";
  print_violation(std::cout, *result.violation);
  if (result.provider_output) print_provider_output(std::cout, *result.provider_output);
  std::cout << "\nStill fails: " << clause_code(result.violation->clause) << " in "
            << result.failed_plays << " of " << result.plays << " plays"
            << (result.as_recorded ? ", as recorded.\n"
                                   : " (the file recorded " + clause_recorded + ").\n");
  return kNotConformant;
}

// A concurrent counterexample always plays isolated: a lost race is often
// a use after free.
void refuse_for_threads(const ReplayArguments& arguments) {
  if (arguments.isolation.no_isolate) {
    throw ConfigurationError(
        "a concurrent counterexample is always replayed in a child process: "
        "a lost race is often a use after free (--no-isolate refused)");
  }
  if (!arguments.isolation.mapi_profile.empty()) {
    throw ConfigurationError(
        "--mapi-profile cannot be used with a concurrent counterexample: concurrent histories "
        "of Windows DLLs are not written yet (docs/mapi-environment.md)");
  }
}

std::string recorded_schedule(const CounterexampleDocument& document) {
  return document.concurrent()->schedule ? "controlled" : "free";
}

int replay_file(const ReplayArguments& arguments) {
  CounterexampleDocument document =
      parse_file(arguments.file, [](std::string_view text) { return parse_replayable_json(text); });
  if (!arguments.provider.empty()) document.provider = arguments.provider;
  const CaseOptions options{document.profile, document.strict};
  if (document.concurrent()) {
    refuse_for_threads(arguments);
    if (!arguments.emit_gtest.empty()) {
      write_document(arguments.emit_gtest, emit_gtest_source(document, arguments.repeat));
    }
    const ChosenProvider chosen = choose_provider(document.provider);
    // A recorded controlled schedule is played exactly, by the controlled runner.
    const std::unique_ptr<HistoryRunner> runner = history_runners(
        recorded_schedule(document), chosen, options, arguments.isolation, arguments.given)();
    const ReplayResult result = replay(document, {.threads = runner.get()}, arguments.repeat);
    return print_concurrent(arguments, document, result);
  }
  if (arguments.repeat != 0) {
    throw ConfigurationError(
        "--repeat replays concurrent counterexamples (a \"threads\" array); "
        "a sequential one is replayed once");
  }
  const ChosenProvider chosen = choose_provider(document.provider);
  const std::unique_ptr<CaseRunner> runner =
      make_runner(chosen.provider, options, case_runner_options(chosen, arguments.isolation));
  const ReplayResult result = replay(document, {.steps = runner.get()});
  std::string notes = unsupported_support_notes(std::span(&runner, 1));
  if (const auto trace = logon_trace_of(std::span(&runner, 1))) {
    notes += (notes.empty() ? "" : "\n") + format_logon_trace(*trace);
  }
  if (!arguments.emit_gtest.empty()) {
    write_document(arguments.emit_gtest, emit_gtest_source(document));
  }
  return print_sequential(arguments, document, result, notes);
}

}  // namespace

Command add_replay_command(CLI::App& app) {
  auto arguments = std::make_shared<ReplayArguments>();
  CLI::App* command = app.add_subcommand("replay", "Re-execute a counterexample file step by step");
  command
      ->add_option("file", arguments->file,
                   "A counterexample (--counterexample) or a failing run's report (--report)")
      ->required();
  command->add_option("--provider", arguments->provider,
                      "Replay against this provider instead of the file's");
  command->add_option("--emit-gtest", arguments->emit_gtest,
                      "Write a GoogleTest source that reproduces the failure");
  command
      ->add_option("--repeat", arguments->repeat,
                   "Plays of a concurrent counterexample (default: the file's repeat)")
      ->check(CLI::Range(1u, 1000u));
  add_isolation_options(*command, arguments->isolation);
  return {command, [arguments, command] {
            for (const CLI::Option* option : command->get_options()) {
              if (option->count() > 0) arguments->given.push_back(option->get_name());
            }
            return replay_file(*arguments);
          }};
}

}  // namespace logoffcheck::cli
