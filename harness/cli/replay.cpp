// `logoffcheck replay`: a counterexample file re-executed step by step
// against its provider, or another (docs/cli.md).
#include <iostream>
#include <memory>
#include <string>

#include "command.h"
#include "files.h"
#include "logoffcheck/gtest_source.h"
#include "logoffcheck/text.h"
#include "printing.h"
#include "provider_choice.h"
#include "replay_concurrent.h"

namespace logoffcheck::cli {

namespace {

int replay(const ReplayArguments& arguments) {
  ReplayableDocument document = parse_file(
      arguments.file, [](std::string_view text) { return parse_replayable_document(text); });
  if (auto* concurrent = std::get_if<ConcurrentCounterexampleDocument>(&document)) {
    return replay_concurrent(std::move(*concurrent), arguments);
  }
  if (arguments.repeat != 0) {
    throw ConfigurationError("--repeat replays concurrent counterexamples (a \"threads\" array); "
                             "a sequential one is replayed once");
  }
  CounterexampleDocument& counterexample = std::get<CounterexampleDocument>(document);
  if (!arguments.provider.empty()) counterexample.provider = arguments.provider;
  const ChosenProvider chosen = choose_provider(counterexample.provider);
  const CaseOptions options{counterexample.profile, counterexample.strict};
  const std::unique_ptr<CaseRunner> runner =
      make_runner(chosen.provider, options, runner_options(chosen, arguments.isolation));
  const CaseResult result = runner->run(counterexample.steps, true);

  std::cout << "logoffcheck " << logoffcheck_version() << ": replay " << arguments.file
            << " against " << counterexample.provider << "\n"
            << "  profile  " << profile_name(counterexample.profile)
            << (counterexample.strict ? " (strict)" : "") << "\n"
            << "  steps    " << counterexample.steps.size() << " (case "
            << counterexample.case_index << " of seed " << counterexample.seed << ")\n\n"
            << format_step_table(result.records, result.violation, result.violation_step) << "\n";
  if (const std::string notes = unsupported_support_notes(std::span(&runner, 1)); !notes.empty()) {
    std::cout << notes << "\n";
  }
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
  if (result.provider_output_bytes > 0) {
    print_provider_output(std::cout, {result.provider_output_bytes, result.provider_output});
  }
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

}  // namespace

Command add_replay_command(CLI::App& app) {
  auto arguments = std::make_shared<ReplayArguments>();
  CLI::App* command =
      app.add_subcommand("replay", "Re-execute a counterexample file step by step");
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
  return {command, [arguments] { return replay(*arguments); }};
}

}  // namespace logoffcheck::cli
