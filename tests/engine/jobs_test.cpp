// --jobs: a run on several workers gives the sequential run's result, field
// by field — case and step counts, the clause tally and the counterexample
// (that of the lowest failing case) — for the reference stores, every
// in-process mutant, and a store that fails only deep into a run, after
// many chunks of cases have passed on other workers.
#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/runner.h"

namespace logoffcheck {
namespace {

using test_support::in_process_mutants;
using test_support::runner_for;

// The reference store, except that once a client holds kDeep references the
// store logs its transports off at once: an LT-2 violation that random cases
// reach rarely, so that the first failing case is hundreds of cases in.
constexpr ULONG kDeep = 13;

class DeepCountStore final : public IMsgStore {
 public:
  DeepCountStore(IMAPISupport* support, IMsgStore* inner) : support_(support), inner_(inner) {}

  ULONG AddRef() override {
    const ULONG count = inner_->AddRef();
    if (count == kDeep) {
      ULONG flags = LOGOFF_ABORT;
      support_->StoreLogoffTransports(&flags);
    }
    return count;
  }
  ULONG Release() override {
    const ULONG count = inner_->Release();
    if (count == 0) delete this;
    return count;
  }
  HRESULT StoreLogoff(ULONG* lpulFlags) override { return inner_->StoreLogoff(lpulFlags); }

 private:
  IMAPISupport* support_;
  IMsgStore* inner_;
};

IMsgStore* open_deep_count_store(IMAPISupport* support) {
  return new DeepCountStore(support, find_builtin_provider("reference")->open_store(support));
}

void expect_same_run(const RunResult& expected, const RunResult& actual) {
  EXPECT_EQ(expected.cases_run, actual.cases_run);
  EXPECT_EQ(expected.steps_run, actual.steps_run);
  EXPECT_EQ(expected.tally, actual.tally);
  ASSERT_EQ(expected.conformant(), actual.conformant());
  if (expected.conformant()) return;
  const Counterexample& want = *expected.counterexample;
  const Counterexample& got = *actual.counterexample;
  EXPECT_EQ(want.case_index, got.case_index);
  EXPECT_EQ(want.violation, got.violation);
  EXPECT_EQ(want.violation_step, got.violation_step);
  EXPECT_EQ(want.original_length, got.original_length);
  EXPECT_EQ(want.shrink_runs, got.shrink_runs);
  EXPECT_EQ(want.steps(), got.steps());
}

// The sequential run and runs on 2, 3 and 4 workers of `provider`.
void expect_jobs_agree(const Provider& provider, RunConfig config) {
  const auto factory = [&] { return make_runner(provider, config.case_options, RunnerOptions{}); };
  const std::unique_ptr<CaseRunner> sequential_runner = factory();
  const RunResult sequential = run_certification(*sequential_runner, config);
  for (const std::uint32_t jobs : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE("--jobs " + std::to_string(jobs));
    config.jobs = jobs;
    expect_same_run(sequential, run_certification(factory, config));
  }
}

TEST(Jobs, ReferenceStoresGiveTheSequentialResult) {
  for (const char* name : {"reference", "reference-eager"}) {
    SCOPED_TRACE(name);
    const BuiltinProvider& reference = *find_builtin_provider(name);
    RunConfig config;
    config.case_options = {reference.profile, true};
    config.cases = 3000;
    expect_jobs_agree(Provider(name, reference.open_store), config);
  }
}

TEST(Jobs, ShardsGiveTheSequentialResult) {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  RunConfig config;
  config.cases = 2001;
  config.shard_index = 2;
  config.shard_count = 3;
  expect_jobs_agree(Provider("reference", reference.open_store), config);
}

TEST(Jobs, EveryMutantGivesTheSequentialCounterexample) {
  for (const BuiltinProvider* mutant : in_process_mutants()) {
    SCOPED_TRACE(std::string(mutant->name));
    RunConfig config;
    config.case_options = {mutant->profile, mutant->caught_only_in_strict_mode()};
    expect_jobs_agree(Provider(std::string(mutant->name), mutant->open_store), config);
  }
}

TEST(Jobs, AFailureDeepInTheRunIsTheLowestFailingCase) {
  RunConfig config;
  config.seed = 5;
  config.cases = 20000;
  const Provider deep("deep-count", &open_deep_count_store);
  // The failure must lie beyond the first chunks, or this tests nothing.
  InProcessRunner runner(deep, config.case_options);
  const RunResult sequential = run_certification(runner, config);
  ASSERT_FALSE(sequential.conformant());
  EXPECT_EQ(sequential.counterexample->violation.clause, ClauseId::LT_2);
  EXPECT_GT(sequential.counterexample->case_index, 300u);
  RecordProperty("first_failing_case", static_cast<int>(sequential.counterexample->case_index));
  expect_jobs_agree(deep, config);
}

TEST(Jobs, ZeroMeansOnePerCoreAndGivesTheSameResult) {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  RunConfig config;
  config.cases = 500;
  const Provider provider("reference", reference.open_store);
  std::atomic<int> runners_made{0};
  const auto factory = [&] {
    ++runners_made;
    return make_runner(provider, config.case_options, RunnerOptions{});
  };
  InProcessRunner runner(provider, config.case_options);
  const RunResult sequential = run_certification(runner, config);
  config.jobs = 0;
  expect_same_run(sequential, run_certification(factory, config));
  EXPECT_GE(runners_made.load(), 1);
}

TEST(Jobs, IsolatedWorkersGiveTheSequentialCounterexample) {
  const BuiltinProvider& crashing = *find_builtin_provider("segfault-on-null-flags");
  RunConfig config;
  config.case_options = {crashing.profile, false};
  config.cases = 200;
  const Provider provider("segfault-on-null-flags", crashing.open_store);
  const auto factory = [&] {
    return make_runner(provider, config.case_options, RunnerOptions{true, 2000});
  };
  const std::unique_ptr<CaseRunner> sequential_runner = factory();
  const RunResult sequential = run_certification(*sequential_runner, config);
  ASSERT_FALSE(sequential.conformant());
  config.jobs = 2;
  expect_same_run(sequential, run_certification(factory, config));
}

}  // namespace
}  // namespace logoffcheck
