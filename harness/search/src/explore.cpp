#include "logoffcheck/explore.h"

#include "logoffcheck/coverage.h"

namespace logoffcheck {

std::vector<Step> exploration_alphabet() { return step_representatives(); }

ExplorationResult explore_bounded(CaseRunner& runner, std::span<const Step> alphabet,
                                  std::size_t max_length) {
  ExplorationResult exploration;
  CaseResult result;
  std::vector<Step> steps;
  std::vector<std::size_t> odometer;  // steps[i] == alphabet[odometer[i]]
  for (std::size_t length = 0; length <= max_length; ++length) {
    // A sequence executes at least as many steps as it has caller-valid ones,
    // and one with skipped steps executes as its valid ones alone, which a
    // shorter length already played: nothing longer can beat this failure.
    if (exploration.shortest_failure && exploration.shortest_failure->executed.size() <= length) {
      break;
    }
    if (length > 0 && alphabet.empty()) break;
    odometer.assign(length, 0);
    steps.assign(length, Step{});
    while (true) {
      for (std::size_t i = 0; i < length; ++i) steps[i] = alphabet[odometer[i]];
      runner.run(steps, false, result);
      ++exploration.sequences_run;
      if (result.failed() &&
          (!exploration.shortest_failure ||
           result.executed.size() < exploration.shortest_failure->executed.size())) {
        exploration.shortest_failure = result;
      }
      // Next sequence of this length: the last position turns fastest.
      std::size_t position = length;
      while (position > 0 && ++odometer[position - 1] == alphabet.size()) {
        odometer[--position] = 0;
      }
      if (position == 0) break;
    }
  }
  if (exploration.shortest_failure) {
    // Record the shortest failure in full, as a counterexample is.
    const std::vector<Step> executed = exploration.shortest_failure->executed;
    runner.run(executed, true, *exploration.shortest_failure);
  }
  return exploration;
}

}  // namespace logoffcheck
