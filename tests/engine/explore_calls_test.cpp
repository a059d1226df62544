// Exploration of every history of up to N client calls (explore_client_calls)
// and model coverage (coverage.h): the references conform, every in-process
// mutant is caught with its stated minimal counterexample (so the reduction
// of environment runs loses none of them, retries-logoff-when-busy's busy
// spooler included), and coverage is reachable in full.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_test_support.h"
#include "logoffcheck/coverage.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/explore.h"
#include "logoffcheck/isolation.h"

namespace logoffcheck {
namespace {

std::string describe_steps(const std::vector<Step>& steps) {
  std::string text;
  for (const Step& step : steps) text += describe_step(step) + "; ";
  return text;
}

TEST(ExploreClientCalls, TheReferencesConformOnEveryHistoryOfUpToThreeClientCalls) {
  for (const auto& [name, profile] :
       {std::pair{"reference", Profile::deferred}, std::pair{"reference-eager", Profile::eager}}) {
    SCOPED_TRACE(name);
    auto runner = test_support::runner_for(*find_builtin_provider(name), {profile, true});
    const ExplorationResult exploration = explore_client_calls(*runner, 3);
    EXPECT_FALSE(exploration.shortest_failure.has_value())
        << describe_steps(exploration.shortest_failure->executed);
    // More than the 1 + 13 + 169 + 2197 client-call sequences: environments vary.
    EXPECT_GT(exploration.sequences_run, 2380u);
    EXPECT_GT(exploration.coverage.count(), 0u);
  }
}

class ClientCallMinimalityTest : public ::testing::TestWithParam<const BuiltinProvider*> {};

TEST_P(ClientCallMinimalityTest, FindsTheStatedMinimalCounterexample) {
  const BuiltinProvider& mutant = *GetParam();
  auto runner =
      test_support::runner_for(mutant, {mutant.profile, mutant.caught_only_in_strict_mode()});
  const ExplorationResult exploration = explore_client_calls(*runner, mutant.minimal_length);
  ASSERT_TRUE(exploration.shortest_failure.has_value()) << mutant.name;
  const CaseResult& shortest = *exploration.shortest_failure;
  const std::string history = describe_steps(shortest.executed);
  EXPECT_EQ(shortest.executed.size(), mutant.minimal_length) << history;
  EXPECT_EQ(clause_code(shortest.violation->clause), clause_code(*mutant.caught_by)) << history;
  EXPECT_EQ(shortest.records.size(), shortest.executed.size());  // recorded in full
}

// Isolated, the exploration plays its runs in batches (one message per 64)
// and a batch stops at a failing run: it must run the same histories and
// keep the same shortest failure, recorded in full, as in this process.
TEST_P(ClientCallMinimalityTest, IsolatedBatchesFindWhatInProcessFinds) {
  const BuiltinProvider& mutant = *GetParam();
  const CaseOptions options{mutant.profile, mutant.caught_only_in_strict_mode()};
  auto in_process = test_support::runner_for(mutant, options);
  IsolatingRunner isolated(Provider("builtin:" + std::string(mutant.name), mutant.open_store),
                           options, 5000);
  const ExplorationResult expected = explore_client_calls(*in_process, mutant.minimal_length);
  const ExplorationResult actual = explore_client_calls(isolated, mutant.minimal_length);
  EXPECT_EQ(actual.sequences_run, expected.sequences_run);
  EXPECT_EQ(actual.steps_run, expected.steps_run);
  EXPECT_TRUE(actual.tally == expected.tally);
  EXPECT_TRUE(actual.coverage == expected.coverage);
  ASSERT_TRUE(actual.shortest_failure.has_value());
  ASSERT_TRUE(expected.shortest_failure.has_value());
  EXPECT_EQ(describe_steps(actual.shortest_failure->executed),
            describe_steps(expected.shortest_failure->executed));
  EXPECT_TRUE(actual.shortest_failure->violation == expected.shortest_failure->violation);
  ASSERT_EQ(actual.shortest_failure->records.size(), expected.shortest_failure->records.size());
  for (std::size_t i = 0; i < actual.shortest_failure->records.size(); ++i) {
    EXPECT_TRUE(actual.shortest_failure->records[i].observed ==
                expected.shortest_failure->records[i].observed)
        << "record " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Gallery, ClientCallMinimalityTest,
                         ::testing::ValuesIn(test_support::in_process_mutants()),
                         [](const auto& info) {
                           return test_support::test_name(info.param->name);
                         });

TEST(ModelCoverage, TheAbstractionIsAFunctionOfStateAndStep) {
  const State start = initial_state(Profile::deferred);
  EXPECT_EQ(describe_transition(transition_index(start, add_ref())),
            "count 1, saved none, env idle --AddRef-->");
  EXPECT_EQ(describe_transition(transition_index(start, release())),
            "count 1, saved none, env idle --Release (final)-->");
  State two = logoffcheck::step(start, add_ref()).next;
  two = logoffcheck::step(two, store_logoff(LOGOFF_PURGE)).next;
  EXPECT_EQ(describe_transition(transition_index(two, release())),
            "count>1, saved LOGOFF_PURGE, env idle --Release (not final)-->");
  EXPECT_EQ(describe_transition(transition_index(two, store_logoff(LOGOFF_COMPLETE))),
            "count>1, saved LOGOFF_PURGE, env idle --StoreLogoff(undefined bits)-->");
}

TEST(ModelCoverage, ReachableSetsDifferByProfileAndExcludeImpossibleStates) {
  const TransitionSet& deferred = reachable_transitions(Profile::deferred);
  const TransitionSet& eager = reachable_transitions(Profile::eager);
  EXPECT_GT(deferred.count(), 0u);
  EXPECT_GT(eager.count(), 0u);
  EXPECT_NE(deferred, eager);
  // Deferred never returns LOGOFF_COMPLETE from StoreLogoff; eager never saves a flag.
  for (std::size_t i = 0; i < kTransitionCount; ++i) {
    const std::string text = describe_transition(i);
    if (deferred.bits.test(i)) {
      EXPECT_EQ(text.find("complete returned"), std::string::npos);
    }
    if (eager.bits.test(i)) {
      EXPECT_EQ(text.find("saved LOGOFF"), std::string::npos);
    }
  }
}

TEST(ModelCoverage, RandomCertificationOfTheReferenceCoversEveryReachableTransition) {
  auto runner =
      test_support::runner_for(*find_builtin_provider("reference"), {Profile::deferred, false});
  RunConfig config;
  config.cases = 10000;  // 684 reachable transitions since D3 and D4 were revised
  const RunResult run = run_certification(*runner, config);
  const TransitionSet& reachable = reachable_transitions(Profile::deferred);
  // Nothing outside the reachable set is ever taken, and all of it is.
  EXPECT_EQ((run.coverage.bits & ~reachable.bits).count(), 0u);
  EXPECT_EQ(run.coverage.count(), reachable.count());
}

}  // namespace
}  // namespace logoffcheck
