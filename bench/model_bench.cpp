// Model and check throughput: steps of the reference model per second, and
// check_step (all nineteen clauses) per step, on pre-generated whole store
// lifetimes. The aim is tens of millions of model steps per second on one
// core, so that search and shrinking are bounded by the provider, not the model.
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "../tests/model/conformant_observation.h"
#include "logoffcheck/checks.h"
#include "logoffcheck/generate.h"
#include "logoffcheck/model.h"

namespace logoffcheck {
namespace {

constexpr std::size_t kWorkloadSteps = 4096;

// Caller-valid steps of consecutive whole lifetimes of `profile` (each ends
// with the final Release), generated as the engine does, from a fixed seed.
std::vector<Step> lifetimes(Profile profile) {
  std::vector<Step> steps;
  steps.reserve(kWorkloadSteps + 128);
  for (std::uint64_t index = 0; steps.size() < kWorkloadSteps; ++index) {
    const rc::Random random(rc::Random::Key{1, index, static_cast<std::uint64_t>(profile), 0});
    const std::vector<Step> generated =
        gen_steps(GenerationOptions{profile, 64})(random, 100).value();
    State state = initial_state(profile);
    for (const Step& next : generated) {
      if (!caller_may(state, next)) continue;
      steps.push_back(next);
      state = step(state, next).next;
    }
    for (; !state.destroyed; state = step(state, release()).next) steps.push_back(release());
  }
  return steps;
}

// Plays the workload through the model again and again.
void BM_ModelStep(benchmark::State& bench, Profile profile) {
  const std::vector<Step> steps = lifetimes(profile);
  for (auto _ : bench) {
    State store = initial_state(profile);
    for (const Step& next : steps) {
      if (store.destroyed) store = initial_state(profile);  // the next lifetime
      const Transition transition = step(store, next);
      benchmark::DoNotOptimize(transition);
      store = transition.next;
    }
  }
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(steps.size()));
}

struct JudgedStep {
  State before;
  Step step;
  Expectation expected;
  Observation observed;
};

// Runs check_step (every clause, strict) on the conformant observation of
// each step of the workload: the common case, where every clause holds.
void BM_CheckStep(benchmark::State& bench, Profile profile) {
  std::vector<JudgedStep> judged;
  State store = initial_state(profile);
  for (const Step& next : lifetimes(profile)) {
    if (store.destroyed) store = initial_state(profile);
    const Transition transition = step(store, next);
    judged.push_back({store, next, transition.expected,
                      testing::conformant_observation(store, next, transition.expected)});
    store = transition.next;
  }
  StepVerdicts verdicts{};
  for (auto _ : bench) {
    for (const JudgedStep& j : judged) {
      CheckResult result =
          check_step(StepContext{j.before, j.step, j.expected, j.observed}, true, verdicts);
      benchmark::DoNotOptimize(result);
      benchmark::DoNotOptimize(verdicts);
    }
  }
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(judged.size()));
}

BENCHMARK_CAPTURE(BM_ModelStep, deferred, Profile::deferred);
BENCHMARK_CAPTURE(BM_ModelStep, eager, Profile::eager);
BENCHMARK_CAPTURE(BM_CheckStep, deferred, Profile::deferred);
BENCHMARK_CAPTURE(BM_CheckStep, eager, Profile::eager);

}  // namespace
}  // namespace logoffcheck

BENCHMARK_MAIN();
