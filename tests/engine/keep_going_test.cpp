// RunConfig::keep_going and RunConfig::corpus against the engine: a store
// with two independent bugs shows both, each shrunk to its minimal length,
// on one worker or several; a known case that fails ends the run before the
// seed's stream, and one that passes counts in the tally only.
#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"

namespace logoffcheck {
namespace {

using test_support::describe_counterexample;
using test_support::runner_for;

const BuiltinProvider& two_bugs() {
  return *find_builtin_provider("saves-first-flag-leaks-support");
}

TEST(KeepGoing, AStoreWithTwoBugsShowsBothEachAtItsMinimalLength) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    RunConfig config;
    config.seed = seed;
    config.cases = 1000;
    config.keep_going = true;
    auto runner = runner_for(two_bugs(), config.case_options);
    const RunResult run = run_certification(*runner, config);

    ASSERT_TRUE(run.counterexample) << "seed " << seed;
    EXPECT_EQ(run.cases_run, 1000u) << "seed " << seed;
    EXPECT_EQ(run.counterexample->violation.clause, ClauseId::RC_2) << describe_counterexample(run);
    EXPECT_EQ(run.counterexample->records.size(), 1u) << describe_counterexample(run);
    // LT-1 once per flag the store passed instead (what was observed).
    ASSERT_FALSE(run.more_counterexamples.empty()) << "seed " << seed;
    for (const Counterexample& other : run.more_counterexamples) {
      EXPECT_EQ(other.violation.clause, ClauseId::LT_1) << "seed " << seed;
      EXPECT_EQ(other.records.size(), 3u) << "seed " << seed;
      for (const Counterexample& another : run.more_counterexamples) {
        if (&other != &another) {
          EXPECT_NE(other.violation.observed, another.violation.observed);
        }
      }
    }
    EXPECT_GT(run.tally.failed[static_cast<std::size_t>(ClauseId::LT_1)], 0u);
    EXPECT_GT(run.tally.failed[static_cast<std::size_t>(ClauseId::RC_2)], 0u);
  }
}

TEST(KeepGoing, WithoutItTheRunStopsAtTheFirstFailure) {
  RunConfig config;
  config.cases = 1000;
  auto runner = runner_for(two_bugs(), config.case_options);
  const RunResult run = run_certification(*runner, config);
  ASSERT_TRUE(run.counterexample);
  EXPECT_LT(run.cases_run, 1000u);
  EXPECT_TRUE(run.more_counterexamples.empty());
  EXPECT_EQ(run.tally.failed[static_cast<std::size_t>(ClauseId::LT_1)], 0u);
}

TEST(KeepGoing, SeveralWorkersFindTheSameFailuresInTheSameOrder) {
  RunConfig config;
  config.cases = 1000;
  config.keep_going = true;
  const RunResult alone =
      run_certification([&] { return runner_for(two_bugs(), config.case_options); }, config);
  config.jobs = 3;
  const RunResult jobs =
      run_certification([&] { return runner_for(two_bugs(), config.case_options); }, config);
  ASSERT_TRUE(alone.counterexample && jobs.counterexample);
  EXPECT_EQ(jobs.cases_run, alone.cases_run);
  EXPECT_EQ(jobs.tally.failed, alone.tally.failed);
  EXPECT_EQ(jobs.counterexample->steps(), alone.counterexample->steps());
  ASSERT_EQ(jobs.more_counterexamples.size(), alone.more_counterexamples.size());
  for (std::size_t i = 0; i < alone.more_counterexamples.size(); ++i) {
    EXPECT_EQ(jobs.more_counterexamples[i].steps(), alone.more_counterexamples[i].steps());
    EXPECT_EQ(jobs.more_counterexamples[i].case_index, alone.more_counterexamples[i].case_index);
  }
}

TEST(Corpus, AFailingKnownCaseEndsTheRunBeforeTheStream) {
  const BuiltinProvider& mutant = *find_builtin_provider("saves-first-flag");
  RunConfig config;
  config.cases = 1;
  config.seed = 5;  // its one case passes against the mutant
  auto runner = runner_for(mutant, config.case_options);
  ASSERT_TRUE(run_certification(*runner, config).conformant());

  const std::vector<Step> passes = {store_logoff(LOGOFF_QUIET), release()};
  const std::vector<Step> fails = {store_logoff(LOGOFF_ORDERLY), store_logoff(LOGOFF_NO_WAIT),
                                   release()};
  config.corpus = {passes, fails};
  const RunResult run = run_certification(*runner, config);
  ASSERT_TRUE(run.counterexample);
  EXPECT_EQ(run.counterexample->corpus_entry, std::optional<std::size_t>(1));
  EXPECT_EQ(run.counterexample->violation.clause, ClauseId::LT_1);
  EXPECT_EQ(run.counterexample->steps(), fails);
  EXPECT_EQ(run.cases_run, 0u);
  EXPECT_EQ(run.corpus_cases_run, 2u);
  EXPECT_EQ(run.tally.failed[static_cast<std::size_t>(ClauseId::LT_1)], 1u);

  // Against a fixed store the known cases pass and the stream runs.
  auto reference = runner_for(*find_builtin_provider("reference"), config.case_options);
  const RunResult fixed = run_certification(*reference, config);
  EXPECT_TRUE(fixed.conformant()) << describe_counterexample(fixed);
  EXPECT_EQ(fixed.cases_run, 1u);
  EXPECT_EQ(fixed.corpus_cases_run, 2u);
}

}  // namespace
}  // namespace logoffcheck
