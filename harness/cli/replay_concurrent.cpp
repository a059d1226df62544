// `logoffcheck replay` of a concurrent counterexample (clause RC-4,
// docs/concurrency.md): the case played K times, each play judged.
#include "replay_concurrent.h"

#include <iostream>

#include "certify_concurrent.h"
#include "command.h"
#include "logoffcheck/concurrent_document.h"
#include "logoffcheck/gtest_source.h"
#include "logoffcheck/text.h"
#include "printing.h"

namespace logoffcheck::cli {

namespace {

// Under one schedule a deterministic store always does the same: a play
// that observed something else than the file recorded says the store is not.
void report_nondeterminism(const ConcurrentCounterexampleDocument& document,
                           const std::vector<History>& histories) {
  for (std::size_t play = 0; play < histories.size(); ++play) {
    const std::vector<ConcurrentCallRecord> calls = history_records(histories[play]);
    if (calls == document.history) continue;
    std::cout << "The store is nondeterministic under a fixed schedule: play " << (play + 1)
              << " observed something else than the file recorded under the same schedule.\n"
              << "Recorded:\n"
              << format_history_table(document.history, {}, std::nullopt, document.cause)
              << "Play " << (play + 1) << ":\n"
              << format_history_table(calls, {}, std::nullopt, document.cause) << "\n";
    return;
  }
}

}  // namespace

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
  // A controlled schedule is played exactly, K times; free threads get a
  // schedule perturbation that is a function of the document, so that two
  // replays of one file try the same perturbations.
  const std::unique_ptr<HistoryRunner> runner =
      make_history_runner(document.schedule ? "controlled" : "free", chosen.provider, options,
                          arguments.isolation.timeout_ms);
  const std::vector<History> histories =
      document.schedule
          ? runner->play_schedules(document.scenario,
                                   std::vector<Schedule>(repeat, document.schedule->decisions()))
          : runner->play(document.scenario, repeat, document.seed ^ (document.case_index << 20));

  std::uint32_t failed = 0;
  std::optional<std::pair<const History*, LinearizabilityResult>> shown;
  for (const History& history : histories) {
    LinearizabilityResult result = check_linearizability(history, options);
    if (clause(result.violation.clause).party != Party::provider && !result.linearizable) {
      throw InternalError("the simulated spooler broke " +
                          std::string(clause_code(result.violation.clause)));
    }
    if (!result.linearizable) ++failed;
    // The first failing play is shown, or the first play when none failed.
    if (!shown || (!result.linearizable && shown->second.linearizable)) {
      shown.emplace(&history, std::move(result));
    }
  }
  const History& history = *shown->first;
  const LinearizabilityResult& judgement = shown->second;
  if (document.schedule) report_nondeterminism(document, histories);

  std::cout << "logoffcheck " << logoffcheck_version() << ": replay " << arguments.file
            << " against " << document.provider << "\n"
            << "  profile  " << profile_name(document.profile)
            << (document.strict ? " (strict)" : "") << "\n"
            << "  threads  " << document.scenario.threads.size() << ", "
            << document.scenario.prefix.size() << " prefix steps (case " << document.case_index
            << " of seed " << document.seed << ")\n"
            << (document.schedule ? "  schedule controlled, as recorded (" +
                                         std::to_string(document.schedule->preemptions()) +
                                         " preemptions)\n"
                                   : std::string())
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
