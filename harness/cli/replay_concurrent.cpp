// `logoffcheck replay` of a concurrent counterexample (clause RC-4,
// docs/concurrency.md): the case played K times, each play judged.
#include "replay_concurrent.h"

#include <iostream>

#include "command.h"
#include "logoffcheck/concurrent_document.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/runner.h"
#include "logoffcheck/gtest_source.h"
#include "logoffcheck/text.h"
#include "printing.h"

namespace logoffcheck::cli {

int replay_concurrent(ConcurrentCounterexampleDocument document,
                      const ReplayArguments& arguments) {
  if (!arguments.provider.empty()) document.provider = arguments.provider;
  if (arguments.isolation.no_isolate) {
    throw ConfigurationError("a concurrent counterexample is always replayed in a child process: "
                             "a lost race is often a use after free");
  }
  const std::uint32_t repeat = arguments.repeat != 0 ? arguments.repeat : document.repeat;
  if (!arguments.emit_gtest.empty()) {
    write_document(arguments.emit_gtest, emit_concurrent_gtest_source(document, repeat));
  }
  const ChosenProvider chosen = choose_provider(document.provider);
  const CaseOptions options{document.profile, document.strict};
  const std::unique_ptr<HistoryRunner> runner = make_isolated_history_runner(
      chosen.provider, options, isolation_options(runner_options(chosen, arguments.isolation)));
  // The schedule perturbation is a function of the document, so that two
  // replays of one file try the same schedules.
  const std::vector<History> histories =
      runner->play(document.scenario, repeat, document.seed ^ (document.case_index << 20));

  std::uint32_t failed = 0;
  std::optional<std::pair<const History*, LinearizabilityResult>> shown;
  for (const History& history : histories) {
    // As certify judges it: a spooler failure is the verifier's, whatever
    // clause the violation names.
    LinearizabilityResult result = judge_history(history, options);
    if (!result.linearizable) ++failed;
    // The first failing play is shown, or the first play when none failed.
    if (!shown || (!result.linearizable && shown->second.linearizable)) {
      shown.emplace(&history, std::move(result));
    }
  }
  const History& history = *shown->first;
  const LinearizabilityResult& judgement = shown->second;

  std::cout << "logoffcheck " << logoffcheck_version() << ": replay " << arguments.file
            << " against " << document.provider << "\n"
            << "  profile  " << profile_name(document.profile)
            << (document.strict ? " (strict)" : "") << "\n"
            << "  threads  " << document.scenario.threads.size() << ", "
            << document.scenario.prefix.size() << " prefix steps (case " << document.case_index
            << " of seed " << document.seed << ")\n"
            << "  plays    " << repeat << " (the file recorded " << document.failed_runs
            << " failed of " << document.repeat << ")\n\n"
            << (judgement.linearizable ? "The first play:\n" : "The first failing play:\n")
            << format_history_table(history_records(history), judgement.order,
                                    judgement.linearizable ? std::nullopt
                                                           : std::optional(judgement.unexplained),
                                    judgement.cause)
            << "\nFailed in " << failed << " of " << repeat << " plays.\n";
  if (failed == 0) {
    std::cout << "Passes now: every play is linearizable (the file recorded "
              << clause_code(document.violation.clause) << " in " << document.failed_runs
              << " of " << document.repeat << " runs).\n";
    return kConformant;
  }
  std::cout << "\n";
  print_violation(std::cout, judgement.violation);
  const bool same = judgement.violation.clause == document.violation.clause;
  std::cout << "\nStill fails: " << clause_code(judgement.violation.clause) << " in " << failed
            << " of " << repeat << " plays"
            << (same ? ", as recorded.\n"
                     : std::string(" (the file recorded ") +
                           std::string(clause_code(document.violation.clause)) + ").\n");
  return kNotConformant;
}

}  // namespace logoffcheck::cli
