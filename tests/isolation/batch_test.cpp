// Batches of isolated cases (CaseRunner::run_batch, docs/isolation.md): a
// batch gives every case the result run() gives it alone, stops after the
// first failing case, and a worker that dies in the middle of a batch
// faults only the case it was playing.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "logoffcheck/builtin.h"
#include "logoffcheck/isolation.h"

namespace logoffcheck {
namespace {

Provider builtin(const char* name) {
  const BuiltinProvider* found = find_builtin_provider(name);
  EXPECT_NE(found, nullptr) << name;
  return Provider(name, found->open_store);
}

const std::vector<Step> kPasses = {store_logoff(LOGOFF_ABORT), add_ref(), release()};
// The segfault-on-null-flags mutant dies in this case.
const std::vector<Step> kCrashes = {add_ref(), store_logoff_null(), release()};
// What a result the batch did not reach still holds.
const Step kUntouched = environment(Action::MessageQueued);

struct Batch {
  std::vector<std::span<const Step>> cases;
  std::vector<CaseResult> results;

  explicit Batch(const std::vector<const std::vector<Step>*>& steps) {
    for (const auto* one : steps) cases.emplace_back(*one);
    results.resize(cases.size());
    for (CaseResult& result : results) result.executed = {kUntouched};
  }
  std::size_t play(CaseRunner& runner) { return runner.run_batch(cases, results); }
};

void expect_same_result(const CaseResult& batched, const CaseResult& alone) {
  EXPECT_EQ(batched.executed, alone.executed);
  EXPECT_EQ(batched.violation.has_value(), alone.violation.has_value());
  if (batched.violation && alone.violation) {
    EXPECT_EQ(*batched.violation, *alone.violation);
  }
  EXPECT_EQ(batched.violation_step, alone.violation_step);
  EXPECT_EQ(batched.tally, alone.tally);
  EXPECT_EQ(batched.provider_output, alone.provider_output);
  EXPECT_EQ(batched.provider_output_bytes, alone.provider_output_bytes);
}

TEST(IsolatedBatch, GivesEveryCaseTheResultRunGivesItAndStopsAtTheFault) {
  // Longer than one batch of the runner (64 cases): 70 that pass, then the crash.
  std::vector<const std::vector<Step>*> steps(70, &kPasses);
  steps.push_back(&kCrashes);
  steps.push_back(&kPasses);
  Batch batch(steps);
  IsolatingRunner batched(builtin("segfault-on-null-flags"), {}, 5000);
  ASSERT_EQ(batch.play(batched), 71u);
  IsolatingRunner one_by_one(builtin("segfault-on-null-flags"), {}, 5000);
  for (std::size_t index = 0; index < 71; ++index) {
    SCOPED_TRACE(index);
    CaseResult alone;
    one_by_one.run(batch.cases[index], false, alone);
    expect_same_result(batch.results[index], alone);
  }
  ASSERT_TRUE(batch.results[70].failed());
  EXPECT_EQ(batch.results[70].violation->clause, ClauseId::RC_3);
  EXPECT_NE(batch.results[70].violation->observed.find("died by SIGSEGV"), std::string::npos);
  EXPECT_EQ(batch.results[71].executed, std::vector<Step>{kUntouched});
}

TEST(IsolatedBatch, PlaysTheNextBatchInAnotherWorkerAfterOneDied) {
  IsolatingRunner runner(builtin("segfault-on-null-flags"), {}, 5000);
  Batch dies({&kPasses, &kCrashes, &kPasses});
  ASSERT_EQ(dies.play(runner), 2u);
  EXPECT_TRUE(dies.results[1].failed());
  Batch passes({&kPasses, &kPasses, &kPasses, &kPasses});
  ASSERT_EQ(passes.play(runner), 4u);
  for (const CaseResult& result : passes.results) EXPECT_FALSE(result.failed());
}

// Print on every store they open, then open one of a faulting mutant.
const char kNoise[] = "noise of one case\n";
IMsgStore* open_noisy_crashing_store(IMAPISupport* support) {
  std::fputs(kNoise, stdout);
  std::fflush(stdout);
  return find_builtin_provider("segfault-on-null-flags")->open_store(support);
}
IMsgStore* open_noisy_hanging_store(IMAPISupport* support) {
  std::fputs(kNoise, stdout);
  std::fflush(stdout);
  return find_builtin_provider("hangs-on-second-logoff")->open_store(support);
}

// The failing last case of a batch of a noisy provider is shown with its
// own output alone, as run() shows it.
void expect_own_output(const Provider& noisy, const std::vector<Step>& failing,
                       std::uint32_t timeout_ms) {
  Batch batch({&kPasses, &kPasses, &kPasses, &failing});
  IsolatingRunner batched(noisy, {}, timeout_ms);
  ASSERT_EQ(batch.play(batched), 4u);
  ASSERT_TRUE(batch.results[3].failed());
  EXPECT_EQ(batch.results[3].provider_output_bytes, std::string(kNoise).size());
  IsolatingRunner alone(noisy, {}, timeout_ms);
  CaseResult expected;
  alone.run(failing, false, expected);
  expect_same_result(batch.results[3], expected);
}

TEST(IsolatedBatch, ShowsWithACaseThatCrashedOnlyTheOutputOfThatCase) {
  expect_own_output(Provider("noisy", &open_noisy_crashing_store), kCrashes, 5000);
}

// A hang is judged where it happened, never played again alone: the output
// of the cases played before it in its worker must not be shown with it.
TEST(IsolatedBatch, ShowsWithACaseThatHungOnlyTheOutputOfThatCase) {
  const std::vector<Step> hangs = {store_logoff(LOGOFF_ABORT), store_logoff(LOGOFF_ABORT)};
  expect_own_output(Provider("noisy", &open_noisy_hanging_store), hangs, 500);
}

}  // namespace
}  // namespace logoffcheck
