// Bounded exhaustive exploration (explore.h): the enumeration itself, the
// references conformant on every history of up to three steps over the
// alphabet, and every in-process mutant's stated minimal counterexample
// proved minimal: no history over the alphabet fails with fewer steps, and
// one of exactly that length fails by the stated clause.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../model/source_file.h"
#include "engine_test_support.h"
#include "logoffcheck/explore.h"
#include "logoffcheck/runner.h"

namespace logoffcheck {
namespace {

// A runner that plays no provider: it records what it is asked to run and
// fails the sequences that contain `failing` (one executed step per input
// step, as a provider whose every call is caller-valid).
class RecordingRunner final : public CaseRunner {
 public:
  explicit RecordingRunner(std::optional<Step> failing) : failing_(failing) {}

  using CaseRunner::run;
  void run(std::span<const Step> steps, bool record, CaseResult& result) override {
    if (!record) runs.emplace_back(steps.begin(), steps.end());
    result = {};
    result.executed.assign(steps.begin(), steps.end());
    const auto hit = failing_ ? std::find(steps.begin(), steps.end(), *failing_) : steps.end();
    if (hit != steps.end()) {
      result.violation = Violation{ClauseId::LT_1, "expected", "observed"};
      result.violation_step = static_cast<std::size_t>(hit - steps.begin());
    }
  }
  const CaseOptions& options() const noexcept override { return options_; }

  std::vector<std::vector<Step>> runs;

 private:
  std::optional<Step> failing_;
  CaseOptions options_;
};

// "AddRef; StoreLogoff(LOGOFF_ABORT)" — steps as people and sets compare them.
std::string describe_steps(const std::vector<Step>& steps) {
  std::string text;
  for (const Step& step : steps) text += describe_step(step) + "; ";
  return text;
}

TEST(ExplorationAlphabet, HasOneOfEachKindOfStep) {
  const std::vector<Step> alphabet = exploration_alphabet();
  std::set<std::string> distinct;
  for (const Step& step : alphabet) distinct.insert(describe_step(step));
  EXPECT_EQ(alphabet.size(), 20u);
  EXPECT_EQ(distinct.size(), alphabet.size());
  for (const ULONG flag : kInputFlags)
    EXPECT_TRUE(distinct.contains(describe_step(store_logoff(flag))));
  EXPECT_TRUE(distinct.contains("StoreLogoff(NULL)"));
  EXPECT_TRUE(distinct.contains("StoreLogoff(0 (no flags))"));
  for (std::size_t action = static_cast<std::size_t>(Action::InboundBegins); action < kActionCount;
       ++action) {
    EXPECT_TRUE(distinct.contains(std::string(action_name(static_cast<Action>(action)))));
  }
}

TEST(ExploreBounded, RunsEverySequenceShortestFirstWhenNothingFails) {
  const std::vector<Step> alphabet = {add_ref(), release(), store_logoff(LOGOFF_ABORT)};
  RecordingRunner runner(std::nullopt);
  const ExplorationResult exploration = explore_bounded(runner, alphabet, 3);
  EXPECT_FALSE(exploration.shortest_failure.has_value());
  EXPECT_EQ(exploration.sequences_run, 1u + 3u + 9u + 27u);
  ASSERT_EQ(runner.runs.size(), exploration.sequences_run);
  EXPECT_TRUE(std::is_sorted(runner.runs.begin(), runner.runs.end(),
                             [](const auto& a, const auto& b) { return a.size() < b.size(); }));
  std::set<std::string> distinct;
  for (const auto& run : runner.runs) distinct.insert(describe_steps(run));
  EXPECT_EQ(distinct.size(), runner.runs.size());  // no sequence twice
}

TEST(ExploreBounded, StopsOnceNoLongerSequenceCanBeShorter) {
  const std::vector<Step> alphabet = {add_ref(), store_logoff(LOGOFF_ABORT)};
  RecordingRunner runner(store_logoff(LOGOFF_ABORT));
  const ExplorationResult exploration = explore_bounded(runner, alphabet, 5);
  ASSERT_TRUE(exploration.shortest_failure.has_value());
  EXPECT_EQ(exploration.shortest_failure->executed, std::vector<Step>{store_logoff(LOGOFF_ABORT)});
  // Lengths 0 and 1 only: a failure of one step cannot be beaten by length 2.
  EXPECT_EQ(exploration.sequences_run, 1u + 2u);
}

constexpr std::size_t kReferenceDepth = 3;

TEST(ExploreBounded, TheReferencesConformOnEveryHistoryOfUpToThreeSteps) {
  for (const auto& [name, profile] :
       {std::pair{"reference", Profile::deferred}, std::pair{"reference-eager", Profile::eager}}) {
    SCOPED_TRACE(name);
    const BuiltinProvider* reference = find_builtin_provider(name);
    ASSERT_NE(reference, nullptr);
    auto runner = test_support::runner_for(*reference, {profile, /*strict=*/true});
    const std::vector<Step> alphabet = exploration_alphabet();
    const ExplorationResult exploration = explore_bounded(*runner, alphabet, kReferenceDepth);
    EXPECT_FALSE(exploration.shortest_failure.has_value())
        << clause_code(exploration.shortest_failure->violation->clause) << ": "
        << exploration.shortest_failure->violation->observed;
    EXPECT_EQ(exploration.sequences_run, 1u + 20u + 20u * 20u + 20u * 20u * 20u);
  }
}

class MinimalityTest : public ::testing::TestWithParam<const BuiltinProvider*> {};

TEST_P(MinimalityTest, TheStatedMinimalCounterexampleIsTheShortestOverTheAlphabet) {
  const BuiltinProvider& mutant = *GetParam();
  auto runner =
      test_support::runner_for(mutant, {mutant.profile, mutant.caught_only_in_strict_mode()});
  const std::vector<Step> alphabet = exploration_alphabet();
  const ExplorationResult exploration = explore_bounded(*runner, alphabet, mutant.minimal_length);
  ASSERT_TRUE(exploration.shortest_failure.has_value())
      << "no history of up to " << mutant.minimal_length << " steps catches " << mutant.name;
  const CaseResult& shortest = *exploration.shortest_failure;
  const std::string history = describe_steps(shortest.executed);
  EXPECT_EQ(shortest.executed.size(), mutant.minimal_length) << history;
  EXPECT_EQ(clause_code(shortest.violation->clause), clause_code(*mutant.caught_by)) << history;
}

INSTANTIATE_TEST_SUITE_P(Gallery, MinimalityTest,
                         ::testing::ValuesIn(test_support::in_process_mutants()),
                         [](const auto& info) {
                           return test_support::test_name(info.param->name);
                         });

// docs/exploration.md's example, as it stands there.
TEST(ExplorationDoc, ExampleRunsAndIsShownVerbatim) {
  const BuiltinProvider* reference = find_builtin_provider("reference");
  auto runner = make_runner(Provider("builtin:reference", reference->open_store),
                            {Profile::deferred, /*strict=*/true}, RunnerOptions{});
  const ExplorationResult exploration =
      explore_bounded(*runner, exploration_alphabet(), /*max_length=*/2);
  if (exploration.shortest_failure) {
    // ->records: every executed step; ->violation: the clause, expected, observed
  }
  EXPECT_FALSE(exploration.shortest_failure.has_value());
  EXPECT_EQ(exploration.sequences_run, 1u + 20u + 20u * 20u);
  // The page's ```cpp block is the code above, line for line.
  const std::string page = testing::read_source_file("docs/exploration.md");
  const std::size_t open = page.find("```cpp\n"), close = page.find("```\n", open + 7);
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  const std::string example = page.substr(open + 7, close - open - 7);
  EXPECT_NE(testing::read_source_file("tests/engine/explore_test.cpp").find(example),
            std::string::npos)
      << "docs/exploration.md shows an example this test does not run:\n"
      << example;
}

}  // namespace
}  // namespace logoffcheck
