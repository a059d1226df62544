// The race mutants and the reference stores under concurrent histories,
// played in child processes as `certify --threads 2` plays them.
#include <gtest/gtest.h>

#include "logoffcheck/builtin.h"
#include "logoffcheck/concurrent.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/sanitizers.h"

// Under a sanitizer each history's fresh worker costs several times more
// (ASan's and TSan's shadow memory at every fork): the reference stores play
// 10 cases per seed there, 30 in the optimized build.

namespace logoffcheck {
namespace {

#if defined(LOGOFFCHECK_ASAN) || defined(LOGOFFCHECK_TSAN)
constexpr std::uint64_t kReferenceCases = 10;
#else
constexpr std::uint64_t kReferenceCases = 30;
#endif

std::vector<const BuiltinProvider*> race_mutants() {
  std::vector<const BuiltinProvider*> found;
  for (const BuiltinProvider& provider : builtin_providers()) {
    if (provider.threads > 1) found.push_back(&provider);
  }
  return found;
}

ConcurrentRunResult certify(const BuiltinProvider& provider, bool strict, std::uint64_t seed,
                            std::uint64_t cases) {
  const CaseOptions options{provider.profile, strict};
  const auto runner = make_isolated_history_runner(
      Provider("builtin:" + std::string(provider.name), provider.open_store), options, 5000);
  ConcurrentConfig config;
  config.run.case_options = options;
  config.run.seed = seed;
  config.run.cases = cases;
  config.threads = provider.threads > 1 ? provider.threads : 2;
  // Each shrinking candidate forks; a few dozen show that shrinking keeps
  // the failure and the caller rules (the command-line test shrinks fully).
  config.max_shrink_cases = 40;
  return run_concurrent_certification(*runner, config);
}

TEST(RaceMutants, TwoAreBundledAndPassEverySequentialCase) {
  ASSERT_EQ(race_mutants().size(), 2u);
  for (const BuiltinProvider* mutant : race_mutants()) {
    EXPECT_EQ(mutant->caught_by, ClauseId::RC_4);
    EXPECT_TRUE(mutant->needs_isolation) << "a lost race is a use after free";
    InProcessRunner runner(Provider(std::string(mutant->name), mutant->open_store),
                           {mutant->profile, true});
    RunConfig config;
    config.case_options = {mutant->profile, true};
    config.cases = 2000;
    EXPECT_TRUE(run_certification(runner, config).conformant())
        << mutant->name << " must pass one call at a time";
  }
}

TEST(RaceMutants, CaughtWithTwoThreadsForSeeds1To20) {
  for (const BuiltinProvider* mutant : race_mutants()) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const ConcurrentRunResult run = certify(*mutant, false, seed, 200);
      ASSERT_TRUE(run.counterexample.has_value()) << mutant->name << " seed " << seed;
      const ConcurrentCounterexample& found = *run.counterexample;
      const ClauseId clause = found.judgement.violation.clause;
      EXPECT_TRUE(clause == ClauseId::RC_4 || clause == ClauseId::RC_3 ||
                  clause == ClauseId::LT_3 || clause == ClauseId::LT_2)
          << mutant->name << " seed " << seed << ": " << clause_code(clause);
      EXPECT_FALSE(found.judgement.linearizable);
      EXPECT_LE(found.failed_runs, found.repeat);
      EXPECT_TRUE(concurrent_case_valid(found.shrunk, mutant->profile));
    }
  }
}

TEST(ReferenceStores, PassTwoThreadsUnderStrictForSeeds1To20) {
  for (const char* name : {"reference", "reference-eager"}) {
    const BuiltinProvider* reference = find_builtin_provider(name);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const ConcurrentRunResult run = certify(*reference, true, seed, kReferenceCases);
      EXPECT_TRUE(run.conformant())
          << name << " seed " << seed << ": " << run.counterexample->judgement.violation.expected
          << " / " << run.counterexample->judgement.violation.observed;
      EXPECT_EQ(run.histories_run, kReferenceCases * 8u);
      EXPECT_EQ(run.tally.passed[static_cast<std::size_t>(ClauseId::RC_4)], kReferenceCases * 8u);
    }
  }
}

// --jobs for concurrent histories: the driver's chunks on several workers
// give the same cases, and the same first failing case when every play of
// it fails (a store that refuses LOGOFF_QUIET fails whatever the schedule).
TEST(ConcurrentJobs, SameCasesAndFirstFailureWhateverTheJobs) {
  const BuiltinProvider* mutant = find_builtin_provider("rejects-quiet");
  const CaseOptions options{mutant->profile, false};
  const Provider provider("builtin:rejects-quiet", mutant->open_store);
  ConcurrentConfig config;
  config.run.case_options = options;
  config.run.cases = 400;
  config.max_shrink_cases = 10;
  const auto single = make_in_process_history_runner(provider, options);
  const ConcurrentRunResult sequential = run_concurrent_certification(*single, config);
  ASSERT_TRUE(sequential.counterexample.has_value());
  for (const std::uint32_t jobs : {2u, 3u}) {
    config.run.jobs = jobs;
    std::uint32_t made = 0;
    const ConcurrentRunResult parallel = run_concurrent_certification(
        [&] {
          ++made;
          return make_in_process_history_runner(provider, options);
        },
        config);
    EXPECT_EQ(made, jobs);
    ASSERT_TRUE(parallel.counterexample.has_value());
    EXPECT_EQ(parallel.counterexample->case_index, sequential.counterexample->case_index);
    EXPECT_EQ(parallel.counterexample->original, sequential.counterexample->original);
    EXPECT_EQ(parallel.cases_run, sequential.cases_run);
    EXPECT_EQ(parallel.histories_run, sequential.histories_run);
  }
}

TEST(ConcurrentJobs, ConformantRunsCountEveryCaseOnceWhateverTheJobs) {
  const BuiltinProvider* reference = find_builtin_provider("reference");
  const CaseOptions options{reference->profile, true};
  const Provider provider("builtin:reference", reference->open_store);
  ConcurrentConfig config;
  config.run.case_options = options;
  config.run.cases = 150;  // two full chunks and a part
  config.repeat = 2;
  config.run.jobs = 2;
  std::uint64_t last_done = 0;
  config.run.progress = [&](const Progress& progress) {
    EXPECT_GT(progress.cases_done, last_done);
    last_done = progress.cases_done;
  };
  const ConcurrentRunResult run = run_concurrent_certification(
      [&] { return make_in_process_history_runner(provider, options); }, config);
  EXPECT_TRUE(run.conformant());
  EXPECT_EQ(run.cases_run, 150u);
  EXPECT_EQ(run.histories_run, 300u);
  EXPECT_EQ(last_done, 150u);
  EXPECT_LE(run.overlapping_histories, run.histories_run);
}

}  // namespace
}  // namespace logoffcheck
