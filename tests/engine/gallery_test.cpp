// The bundled providers against the engine: the references are conformant
// under their own profile and caught under the other; every functional
// mutant is caught, for 20 seeds, by exactly the clause its gallery entry
// states, with a shrunk counterexample of exactly the stated length.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"

namespace logoffcheck {
namespace {

using test_support::describe_counterexample;
using test_support::runner_for;

// --- The references ----------------------------------------------------------------

struct ReferenceCase {
  std::string_view name;
  Profile other_profile;
  // The clause the first failure under the other profile names.
  ClauseId caught_under_other_profile;
  std::size_t minimal_length_under_other_profile;
};

void PrintTo(const ReferenceCase& param, std::ostream* os) { *os << param.name; }

class ReferenceTest : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceTest, Passes10000StrictCasesUnderItsOwnProfileExercisingEveryClause) {
  const BuiltinProvider& reference = *find_builtin_provider(GetParam().name);
  RunConfig config;
  config.case_options = {reference.profile, true};
  ASSERT_EQ(config.cases, 10000u);
  auto runner = runner_for(reference, config.case_options);
  const RunResult run = run_certification(*runner, config);

  EXPECT_TRUE(run.conformant()) << describe_counterexample(run);
  EXPECT_EQ(run.cases_run, 10000u);
  for (const Clause& c : kClauses) {
    // RC-4 needs concurrent histories: the race mutants, tests/concurrency.
    if (c.party != Party::provider || c.id == ClauseId::RC_3 || c.id == ClauseId::RC_4) continue;
    if (!applies_to(c.id, reference.profile)) continue;
    EXPECT_GT(run.tally.exercised(c.id), 0u) << c.code << " never judged";
    EXPECT_EQ(run.tally.failed[static_cast<std::size_t>(c.id)], 0u) << c.code;
  }
}

TEST_P(ReferenceTest, FailsTheOtherProfileNamingTheClause) {
  const ReferenceCase& param = GetParam();
  const BuiltinProvider& reference = *find_builtin_provider(param.name);
  RunConfig config;
  config.case_options.profile = param.other_profile;
  auto runner = runner_for(reference, config.case_options);
  const RunResult run = run_certification(*runner, config);

  ASSERT_FALSE(run.conformant());
  EXPECT_EQ(clause_code(run.counterexample->violation.clause),
            clause_code(param.caught_under_other_profile))
      << describe_counterexample(run);
  EXPECT_EQ(run.counterexample->records.size(), param.minimal_length_under_other_profile)
      << describe_counterexample(run);
}

INSTANTIATE_TEST_SUITE_P(
    Bundled, ReferenceTest,
    ::testing::Values(
        // Deferred under eager: StoreLogoff(LOGOFF_NO_WAIT) asks the spooler nothing.
        ReferenceCase{"reference", Profile::eager, ClauseId::SL_5, 1},
        // Eager under deferred: StoreLogoff(LOGOFF_NO_WAIT) logs off while referenced.
        ReferenceCase{"reference-eager", Profile::deferred, ClauseId::LT_2, 1}),
    [](const auto& info) { return test_support::test_name(info.param.name); });

// --- The functional mutants ----------------------------------------------------------

std::vector<const BuiltinProvider*> functional_mutants(bool strict_only) {
  std::vector<const BuiltinProvider*> mutants = test_support::in_process_mutants();
  std::erase_if(mutants, [&](const BuiltinProvider* mutant) {
    return mutant->caught_only_in_strict_mode() != strict_only;
  });
  return mutants;
}

std::string mutant_test_name(const ::testing::TestParamInfo<const BuiltinProvider*>& info) {
  return test_support::test_name(info.param->name);
}

class MutantTest : public ::testing::TestWithParam<const BuiltinProvider*> {};

constexpr std::uint64_t kSeeds = 20;

TEST_P(MutantTest, CaughtByTheStatedClauseWithAMinimalCounterexampleForSeeds1To20) {
  const BuiltinProvider& mutant = *GetParam();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunConfig config;  // the default number of cases and steps
    config.seed = seed;
    config.case_options = {mutant.profile, mutant.caught_only_in_strict_mode()};
    auto runner = runner_for(mutant, config.case_options);
    const RunResult run = run_certification(*runner, config);

    ASSERT_FALSE(run.conformant()) << mutant.name << " was not caught";
    const Counterexample& found = *run.counterexample;
    EXPECT_EQ(clause_code(found.violation.clause), clause_code(*mutant.caught_by))
        << describe_counterexample(run);
    EXPECT_EQ(found.records.size(), mutant.minimal_length) << describe_counterexample(run);
    // The case ends at the violation: nothing is executed after it.
    EXPECT_EQ(found.violation_step + 1, found.records.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Gallery, MutantTest, ::testing::ValuesIn(functional_mutants(false)),
                         mutant_test_name);

// Mutants caught by a SHOULD clause: caught in strict mode (above, through
// caught_only_in_strict_mode), conformant with warnings otherwise.
class ShouldMutantTest : public ::testing::TestWithParam<const BuiltinProvider*> {};

TEST_P(ShouldMutantTest, CaughtInStrictModeAndOnlyWarnedOtherwise) {
  const BuiltinProvider& mutant = *GetParam();
  for (const bool strict : {true, false}) {
    SCOPED_TRACE(strict ? "strict" : "not strict");
    for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
      SCOPED_TRACE("seed " + std::to_string(seed));
      RunConfig config;
      config.seed = seed;
      config.case_options = {mutant.profile, strict};
      if (!strict) config.cases = 500;  // enough to warn; a conformant run runs them all
      auto runner = runner_for(mutant, config.case_options);
      const RunResult run = run_certification(*runner, config);
      if (strict) {
        ASSERT_FALSE(run.conformant());
        EXPECT_EQ(clause_code(run.counterexample->violation.clause), clause_code(*mutant.caught_by))
            << describe_counterexample(run);
        EXPECT_EQ(run.counterexample->records.size(), mutant.minimal_length)
            << describe_counterexample(run);
      } else {
        EXPECT_TRUE(run.conformant()) << describe_counterexample(run);
        EXPECT_GT(run.tally.failed[static_cast<std::size_t>(*mutant.caught_by)], 0u)
            << "no " << clause_code(*mutant.caught_by) << " warning";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Gallery, ShouldMutantTest, ::testing::ValuesIn(functional_mutants(true)),
                         mutant_test_name);

// --- The SDK sample store (docs/contract.md, section 9) ---------------------------------

// Microsoft's sample store accepts invalid input as given and writes
// LOGOFF_COMPLETE back: conformant under the MUST clauses (D3, D4), with
// SL-3 warnings, for seeds 1 to 20.
TEST(SdkSample, ConformsUnderTheMustClausesForSeeds1To20) {
  const BuiltinProvider& sample = *find_builtin_provider("sdk-sample");
  EXPECT_FALSE(sample.is_mutant());
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunConfig config;  // the default cases and steps
    config.seed = seed;
    config.case_options = {Profile::deferred, false};
    auto runner = runner_for(sample, config.case_options);
    const RunResult run = run_certification(*runner, config);
    ASSERT_TRUE(run.conformant()) << describe_counterexample(run);
    EXPECT_EQ(run.cases_run, config.cases);
    EXPECT_GT(run.tally.failed[static_cast<std::size_t>(ClauseId::SL_3)], 0u) << "no SL-3 warning";
    for (const Clause& c : kClauses) {
      if (c.level == Level::must) {
        EXPECT_EQ(run.tally.failed[static_cast<std::size_t>(c.id)], 0u) << c.code;
      }
    }
  }
}

TEST(SdkSample, FailsStrictModeBySl3WithAOneStepCounterexample) {
  const BuiltinProvider& sample = *find_builtin_provider("sdk-sample");
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunConfig config;
    config.seed = seed;
    config.case_options = {Profile::deferred, true};
    auto runner = runner_for(sample, config.case_options);
    const RunResult run = run_certification(*runner, config);
    ASSERT_FALSE(run.conformant());
    EXPECT_EQ(run.counterexample->violation.clause, ClauseId::SL_3) << describe_counterexample(run);
    EXPECT_EQ(run.counterexample->records.size(), 1u) << describe_counterexample(run);
  }
}

// --- The gallery as a whole ------------------------------------------------------------

TEST(Gallery, HasAtLeast14FunctionalMutantsTouchingEveryProviderClauseButRc3) {
  std::vector<ClauseId> caught;
  std::size_t count = 0;
  for (const bool strict_only : {false, true}) {
    for (const BuiltinProvider* mutant : functional_mutants(strict_only)) {
      ++count;
      caught.push_back(*mutant->caught_by);
      EXPECT_TRUE(applies_to(*mutant->caught_by, mutant->profile)) << mutant->name;
      EXPECT_GT(mutant->minimal_length, 0u) << mutant->name;
      EXPECT_FALSE(mutant->description.empty()) << mutant->name;
    }
  }
  EXPECT_GE(count, 14u);
  for (const Clause& c : kClauses) {
    if (c.party != Party::provider || c.id == ClauseId::RC_3 || c.id == ClauseId::RC_4) continue;
    EXPECT_NE(std::find(caught.begin(), caught.end(), c.id), caught.end())
        << "no functional mutant is caught by " << c.code;
  }
}

TEST(Gallery, NamesAreUniqueAndFoundByName) {
  for (const BuiltinProvider& provider : builtin_providers()) {
    EXPECT_EQ(find_builtin_provider(provider.name), &provider) << provider.name;
  }
  EXPECT_EQ(find_builtin_provider("no-such-provider"), nullptr);
}

}  // namespace
}  // namespace logoffcheck
