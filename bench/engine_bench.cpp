// Engine throughput and time to a counterexample.
//
// CheckedSteps: client calls and environment events played against the
// in-process `reference` store and judged by every check, per second
// (items_per_second counts executed steps, final Releases included). The
// aim is at least 2,000,000 checked steps per second.
//
// TimeToCounterexample/<mutant>: a whole certification run of one
// functional mutant with the default configuration and seed 1, from the
// first case to the shrunk counterexample. The aim is under 100 ms each.
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "logoffcheck/builtin.h"
#include "logoffcheck/case.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"

namespace logoffcheck {
namespace {

Provider provider_of(const BuiltinProvider& builtin) {
  return Provider("builtin:" + std::string(builtin.name), builtin.open_store);
}

// The cases a default certification of `profile` runs first.
std::vector<std::vector<Step>> first_cases(Profile profile, std::uint64_t count) {
  RunConfig config;
  config.case_options.profile = profile;
  std::vector<std::vector<Step>> cases;
  for (std::uint64_t index = 0; index < count; ++index) {
    cases.push_back(generate_case(config, index));
  }
  return cases;
}

// Runs pre-generated cases through the runner: execution and checks only.
void BM_CheckedStepsReference(benchmark::State& bench) {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  const std::vector<std::vector<Step>> cases = first_cases(reference.profile, 1000);
  InProcessRunner runner(provider_of(reference), {reference.profile, false});
  CaseResult result;
  std::uint64_t steps = 0;
  for (auto _ : bench) {
    for (const std::vector<Step>& steps_of_case : cases) {
      runner.run(steps_of_case, false, result);
      steps += result.executed.size();
    }
    benchmark::DoNotOptimize(result.tally);
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(steps));
}
BENCHMARK(BM_CheckedStepsReference)->Unit(benchmark::kMillisecond);

// The same through run_certification: generation included.
void BM_CertificationReference(benchmark::State& bench) {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  InProcessRunner runner(provider_of(reference), {reference.profile, false});
  RunConfig config;
  config.case_options = runner.options();
  config.cases = 1000;
  std::uint64_t steps = 0;
  for (auto _ : bench) {
    const RunResult run = run_certification(runner, config);
    if (!run.conformant()) bench.SkipWithError("the reference store failed");
    steps += run.steps_run;
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(steps));
}
BENCHMARK(BM_CertificationReference)->Unit(benchmark::kMillisecond);

void BM_TimeToCounterexample(benchmark::State& bench, const BuiltinProvider* mutant) {
  InProcessRunner runner(provider_of(*mutant),
                         {mutant->profile, mutant->caught_only_in_strict_mode()});
  RunConfig config;
  config.case_options = runner.options();
  config.stores = mutant->stores;
  RunResult run;
  for (auto _ : bench) {
    run = run_certification(runner, config);
    if (run.conformant()) bench.SkipWithError("the mutant was not caught");
  }
  if (!run.conformant()) {
    bench.counters["cases"] = static_cast<double>(run.cases_run);
    bench.counters["shrink_runs"] = static_cast<double>(run.counterexample->shrink_runs);
    bench.counters["steps"] = static_cast<double>(run.counterexample->records.size());
  }
}

void register_mutant_benchmarks() {
  for (const BuiltinProvider& provider : builtin_providers()) {
    if (!provider.is_mutant() || provider.needs_isolation) continue;
    benchmark::RegisterBenchmark(("BM_TimeToCounterexample/" + std::string(provider.name)).c_str(),
                                 BM_TimeToCounterexample, &provider)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace logoffcheck

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  logoffcheck::register_mutant_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
