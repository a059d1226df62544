// Isolated cases per second: the cost of running the cases of the reference
// store in worker processes (isolation.h), next to the same cases in-process.
// The target is at least 30% of the in-process rate on a 2-core machine.
// ReferenceIsolatedSandboxed: the same in the sandbox (docs/isolation.md),
// whose target is within 10% of ReferenceIsolated.
//
// TimeToCounterexample/<mutant>: a whole isolated certification of a fault
// mutant, seed 1, from the first case to the shrunk counterexample: the path
// where failing cases are played again alone in fresh workers.
//
//   build-d/bench/isolation_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <string>

#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/runner.h"

namespace logoffcheck {
namespace {

constexpr std::uint64_t kCasesPerIteration = 1000;

// Certifies the reference store over kCasesPerIteration cases of the
// default RunConfig (max_steps 64), generation included, as the CLI does.
void certify_reference(benchmark::State& state, bool isolate, bool sandbox = false) {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  RunConfig config;
  config.case_options.profile = reference.profile;
  config.cases = kCasesPerIteration;
  RunnerOptions options;
  options.isolate = isolate;
  options.sandbox = sandbox;
  const auto runner = make_runner(Provider("builtin:reference", reference.open_store),
                                  config.case_options, options);
  std::uint64_t cases = 0;
  std::uint64_t steps = 0;
  for (auto _ : state) {
    const RunResult run = run_certification(*runner, config);
    if (!run.conformant()) state.SkipWithError("the reference store failed certification");
    cases += run.cases_run;
    steps += run.steps_run;
    ++config.seed;  // new cases each iteration
  }
  state.counters["cases_per_s"] =
      benchmark::Counter(static_cast<double>(cases), benchmark::Counter::kIsRate);
  state.counters["steps_per_case"] = static_cast<double>(steps) / static_cast<double>(cases);
}

void BM_ReferenceIsolated(benchmark::State& state) { certify_reference(state, true); }
void BM_ReferenceIsolatedSandboxed(benchmark::State& state) {
  certify_reference(state, true, true);
}
void BM_ReferenceInProcess(benchmark::State& state) { certify_reference(state, false); }

BENCHMARK(BM_ReferenceIsolated)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReferenceIsolatedSandboxed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReferenceInProcess)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TimeToCounterexample(benchmark::State& state, const char* name) {
  const BuiltinProvider& mutant = *find_builtin_provider(name);
  RunConfig config;
  config.case_options.profile = mutant.profile;
  for (auto _ : state) {
    const auto runner = make_runner(Provider(std::string("builtin:") + name, mutant.open_store),
                                    config.case_options, {true, 5000});
    const RunResult run = run_certification(*runner, config);
    if (run.conformant()) state.SkipWithError("the mutant was not caught");
  }
}
BENCHMARK_CAPTURE(BM_TimeToCounterexample, segfault_on_null_flags, "segfault-on-null-flags")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TimeToCounterexample, exits_on_last_release, "exits-on-last-release")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace logoffcheck

BENCHMARK_MAIN();
