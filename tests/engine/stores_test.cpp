// Cases of several stores (RunConfig::stores, certify --stores; issue 23):
// generation interleaves the stores, each keeping the caller rules on its
// own; a store keeping its count in a global passes every case of one store
// and is caught with three, in a counterexample of two steps that recurs in
// a fresh run; the reference stores pass; shrinking removes and renumbers
// stores; the counterexample document names the store of each step.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "engine_test_support.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/document.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/gtest_source.h"

namespace logoffcheck {
namespace {

using test_support::describe_counterexample;
using test_support::runner_for;

static_assert(sizeof(Step) == 8);
static_assert(std::is_trivially_copyable_v<Step>);

const BuiltinProvider& count_in_global() { return *find_builtin_provider("count-in-global"); }

TEST(SeveralStores, OneStoreGeneratesStoreZeroOnlyAndSeveralInterleaveWithinTheRules) {
  RunConfig one;
  RunConfig three;
  three.stores = 3;
  std::size_t on_later_stores = 0, cases_with_two_stores_interleaved = 0;
  for (std::uint64_t index = 0; index < 300; ++index) {
    for (const Step& step : generate_case(one, index)) ASSERT_EQ(step.store, 0u);
    const std::vector<Step> steps = generate_case(three, index);
    StoreStates states = initial_states(Profile::deferred);
    std::size_t switches = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const Step& step = steps[i];
      ASSERT_LT(step.store, 3u);
      ASSERT_TRUE(caller_may(states[step.store], step)) << "case " << index << " step " << i;
      states[step.store] = logoffcheck::step(states[step.store], step).next;
      if (step.store != 0) ++on_later_stores;
      if (i > 0 && steps[i - 1].store != step.store) ++switches;
    }
    if (switches >= 2) ++cases_with_two_stores_interleaved;
  }
  EXPECT_GT(on_later_stores, 1000u);
  EXPECT_GT(cases_with_two_stores_interleaved, 100u);
}

TEST(SeveralStores, ACountInAGlobalPassesWithOneStorePerCase) {
  RunConfig config;
  config.cases = 2000;
  ASSERT_EQ(count_in_global().stores, 3u);
  auto runner = runner_for(count_in_global(), config.case_options);
  const RunResult run = run_certification(*runner, config);
  EXPECT_TRUE(run.conformant()) << describe_counterexample(run);
}

TEST(SeveralStores, ACountInAGlobalIsCaughtWithThreeStoresInTwoStepsThatRecur) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    RunConfig config;
    config.seed = seed;
    config.stores = 3;
    auto runner = runner_for(count_in_global(), config.case_options);
    const RunResult run = run_certification(*runner, config);
    ASSERT_TRUE(run.counterexample) << "seed " << seed;
    const Counterexample& found = *run.counterexample;
    EXPECT_EQ(found.violation.clause, ClauseId::LT_3) << describe_counterexample(run);
    EXPECT_EQ(found.records.size(), count_in_global().minimal_length)
        << describe_counterexample(run);
    EXPECT_EQ(found.replays, 0u) << "seed " << seed << ": called flaky";
    EXPECT_TRUE(found.earlier_cases.empty()) << "seed " << seed;
    // A store beyond the first, renumbered to 1; and a fresh run fails again.
    EXPECT_EQ(stores_used(found.steps()), 2u) << describe_counterexample(run);
    auto fresh = runner_for(count_in_global(), config.case_options);
    const CaseResult again = fresh->run(found.steps());
    ASSERT_TRUE(again.violation) << "seed " << seed;
    EXPECT_EQ(again.violation->clause, ClauseId::LT_3);
  }
}

TEST(SeveralStores, TheReferenceStoresAndTheSdkSamplePassWithThreeStores) {
  for (const char* name : {"reference", "reference-eager", "reference-mutex", "sdk-sample"}) {
    const BuiltinProvider& provider = *find_builtin_provider(name);
    RunConfig config;
    config.case_options.profile = provider.profile;
    config.cases = 2000;
    config.stores = 3;
    auto runner = runner_for(provider, config.case_options);
    const RunResult run = run_certification(*runner, config);
    EXPECT_TRUE(run.conformant()) << name << ": " << describe_counterexample(run);
  }
}

TEST(SeveralStores, ShrinkingRemovesAndRenumbersStores) {
  const std::vector<Step> steps = {on_store(add_ref(), 2), on_store(release(), 2),
                                   on_store(store_logoff(LOGOFF_ABORT), 1)};
  const std::vector<std::vector<Step>> fewer = fewer_stores(steps);
  const std::vector<Step> without_1 = {on_store(add_ref(), 2), on_store(release(), 2)};
  const std::vector<Step> without_2 = {on_store(store_logoff(LOGOFF_ABORT), 1)};
  const std::vector<Step> compact = {on_store(add_ref(), 1), on_store(release(), 1),
                                     on_store(store_logoff(LOGOFF_ABORT), 0)};
  const std::vector<Step> after_zero = {on_store(add_ref(), 2), on_store(release(), 2),
                                        on_store(store_logoff(LOGOFF_ABORT), 1)};
  EXPECT_NE(std::find(fewer.begin(), fewer.end(), without_1), fewer.end());
  EXPECT_NE(std::find(fewer.begin(), fewer.end(), without_2), fewer.end());
  EXPECT_NE(std::find(fewer.begin(), fewer.end(), compact), fewer.end());
  // Already 1, 2 after store 0: nothing to renumber that way.
  EXPECT_EQ(std::find(fewer.begin(), fewer.end(), after_zero), fewer.end());
  EXPECT_TRUE(fewer_stores({add_ref(), release()}).empty());
  // A simpler step stays on its store.
  for (const Step& simpler : shrink_step(on_store(store_logoff(LOGOFF_QUIET), 2))) {
    EXPECT_EQ(simpler.store, 2u);
  }
}

CounterexampleDocument document_of(std::vector<Step> steps) {
  CounterexampleDocument document;
  document.provider = "builtin:count-in-global";
  document.seed = 1;
  document.part = SequentialPart{std::move(steps), 1};
  document.violation = {ClauseId::LT_3, "one StoreLogoffTransports", "none"};
  return document;
}

TEST(SeveralStores, TheDocumentNamesTheStoreOfEachStepAndOldFilesReadAsStoreZero) {
  const CounterexampleDocument document = document_of({on_store(add_ref(), 1), release()});
  const std::string json = write_counterexample_json(document);
  EXPECT_NE(json.find("\"store\": 1"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"store\": 0"), std::string::npos) << json;
  EXPECT_EQ(parse_counterexample_json(json), document);
  // A file without "store" (written before stores existed) reads as store 0.
  std::string old = json;
  const std::size_t store = old.find("\"store\": 1");
  const std::size_t comma = old.rfind(',', store);
  old.erase(comma, store + std::string("\"store\": 1").size() - comma);
  const CounterexampleDocument read = parse_counterexample_json(old);
  EXPECT_EQ(read.sequential()->steps.front(), add_ref());
  std::string beyond = json;
  beyond.replace(beyond.find("\"store\": 1"), 10, "\"store\": 8");
  EXPECT_THROW(parse_counterexample_json(beyond), InputError);
  // The emitted regression test plays the step on its store.
  EXPECT_NE(emit_gtest_source(document).find("on_store(add_ref(), 1)"), std::string::npos);
}

}  // namespace
}  // namespace logoffcheck
