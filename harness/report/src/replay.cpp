// Replaying a counterexample document (logoffcheck/replay.h).
#include "logoffcheck/replay.h"

#include <string>

#include "logoffcheck/concurrent.h"
#include "logoffcheck/linearizability.h"

namespace logoffcheck {

namespace {

ReplayResult replay_steps(const CounterexampleDocument& document, CaseRunner& runner) {
  const SequentialPart& recorded = *document.sequential();
  // The earlier cases first, in the same process, when the failure needs them.
  std::optional<CaseResult> after = run_after(runner, recorded.earlier_cases, recorded.steps);
  if (!after) {
    throw ConfigurationError(
        "an earlier case of the counterexample fails on its own: replay it "
        "without its \"earlier_cases\"");
  }
  CaseResult result = std::move(*after);
  ReplayResult replayed;
  replayed.plays = 1;
  replayed.failed_plays = result.failed() ? 1 : 0;
  replayed.played = SequentialPart{result.executed, result.violation_step, recorded.earlier_cases};
  replayed.records = std::move(result.records);
  replayed.violation = std::move(result.violation);
  if (result.provider_output_bytes > 0) {
    replayed.provider_output =
        ProviderOutput{result.provider_output_bytes, std::move(result.provider_output)};
  }
  replayed.as_recorded = replayed.violation &&
                         replayed.violation->clause == document.violation.clause &&
                         result.violation_step == recorded.violation_step;
  return replayed;
}

ReplayResult replay_threads(const CounterexampleDocument& document, HistoryRunner& runner,
                            std::uint32_t plays) {
  const ConcurrentPart& recorded = *document.concurrent();
  if (plays == 0) plays = recorded.repeat;
  // A controlled schedule is played exactly; free threads get a schedule
  // perturbation that is a function of the document.
  const std::vector<History> histories =
      recorded.schedule
          ? runner.play_schedules(recorded.scenario,
                                  std::vector<Schedule>(plays, recorded.schedule->decisions()))
          : runner.play(recorded.scenario, plays, document.seed ^ (document.case_index << 20));
  std::uint32_t failed = 0;
  const History* shown = nullptr;
  LinearizabilityResult judgement;
  for (const History& history : histories) {
    // Judged as certify judges (judge_history): a failure of the simulated
    // spooler is the verifier's, on the cause as well as the clause.
    LinearizabilityResult result = judge_history(history, runner.options());
    if (!result.linearizable) ++failed;
    // The first failing play is shown, or the first play when none failed.
    if (shown == nullptr || (!result.linearizable && judgement.linearizable)) {
      shown = &history;
      judgement = std::move(result);
    }
  }
  ReplayResult replayed;
  replayed.plays = plays;
  replayed.failed_plays = failed;
  if (recorded.schedule) {
    for (std::size_t play = 0; play < histories.size(); ++play) {
      std::vector<ConcurrentCallRecord> calls = history_records(histories[play]);
      if (calls == recorded.history) continue;
      replayed.divergent = DivergentPlay{static_cast<std::uint32_t>(play + 1), std::move(calls)};
      break;
    }
  }
  ConcurrentPart part;
  part.repeat = plays;
  part.failed_runs = failed;
  part.scenario = recorded.scenario;
  if (shown != nullptr) part.history = history_records(*shown);
  if (shown != nullptr) part.schedule = shown->schedule;
  if (shown != nullptr && shown->provider_output_bytes > 0) {
    replayed.provider_output = ProviderOutput{shown->provider_output_bytes, shown->provider_output};
  }
  part.linearized = judgement.order;
  part.cause = judgement.cause;
  part.violation_call = judgement.unexplained;
  replayed.played = std::move(part);
  if (failed > 0) {
    replayed.violation = judgement.violation;
    replayed.as_recorded = judgement.violation.clause == document.violation.clause;
  }
  return replayed;
}

}  // namespace

ReplayResult replay(const CounterexampleDocument& document, const ReplayRunners& runners,
                    std::uint32_t plays) {
  if (document.concurrent()) {
    if (runners.threads == nullptr) {
      throw ConfigurationError("replay of a concurrent counterexample needs a history runner");
    }
    return replay_threads(document, *runners.threads, plays);
  }
  if (runners.steps == nullptr) {
    throw ConfigurationError("replay of a sequential counterexample needs a case runner");
  }
  if (plays > 1) {
    throw ConfigurationError("a sequential counterexample is replayed once");
  }
  return replay_steps(document, *runners.steps);
}

}  // namespace logoffcheck
