// Speed and scale (docs/scale.md): checked steps per second next to the
// floor of the same store's raw calls, measured in one run; and how a long
// certification scales with --jobs.
//
// RawCallsReference: the executed steps of the first 1000 cases of a default
// certification (final Releases included) replayed straight at the
// in-process `reference` store on a SimulatedSupport: no model, no checks,
// no generation. The floor any checked step is compared with.
//
// CertifyReference: what `logoffcheck certify --provider builtin:reference`
// does per step, generation included (run_certification on an in-process
// runner). items_per_second is checked steps per second; the aim is at least
// 10,000,000 on one core.
//
// CertifyReferenceJobs/N: 200,000 cases on N workers, wall time
// (UseRealTime): the --jobs scaling, same result whatever N.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "logoffcheck/builtin.h"
#include "logoffcheck/case.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/runner.h"
#include "logoffcheck/support.h"

namespace logoffcheck {
namespace {

Provider reference_provider() {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  return Provider("builtin:reference", reference.open_store);
}

// The executed steps of the first `count` cases of a default certification.
std::vector<std::vector<Step>> executed_cases(std::uint64_t count) {
  RunConfig config;
  InProcessRunner runner(reference_provider(), config.case_options);
  std::vector<std::vector<Step>> cases;
  for (std::uint64_t index = 0; index < count; ++index) {
    cases.push_back(runner.run(generate_case(config, index), false).executed);
  }
  return cases;
}

void BM_RawCallsReference(benchmark::State& bench) {
  const std::vector<std::vector<Step>> cases = executed_cases(1000);
  const Provider provider = reference_provider();
  std::uint64_t steps = 0;
  for (auto _ : bench) {
    for (const std::vector<Step>& executed : cases) {
      SimulatedSupport support;
      IMsgStore* store = provider.open_store(support);
      support.end_creation();
      for (const Step& step : executed) {
        switch (step.action) {
          case Action::AddRef:
            benchmark::DoNotOptimize(store->AddRef());
            break;
          case Action::Release:
            benchmark::DoNotOptimize(store->Release());
            break;
          case Action::StoreLogoff: {
            ULONG flags = step.flags;
            benchmark::DoNotOptimize(
                store->StoreLogoff(step.null_flags_pointer ? nullptr : &flags));
            break;
          }
          default:
            support.apply_environment_event(step.action);
            break;
        }
      }
      steps += executed.size();
    }
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(steps));
}
BENCHMARK(BM_RawCallsReference)->Unit(benchmark::kMillisecond);

void BM_CertifyReference(benchmark::State& bench) {
  InProcessRunner runner(reference_provider(), RunConfig{}.case_options);
  RunConfig config;
  config.cases = 20000;
  std::uint64_t steps = 0;
  for (auto _ : bench) {
    const RunResult run = run_certification(runner, config);
    if (!run.conformant()) bench.SkipWithError("the reference store failed");
    steps += run.steps_run;
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(steps));
}
BENCHMARK(BM_CertifyReference)->Unit(benchmark::kMillisecond);

void BM_CertifyReferenceJobs(benchmark::State& bench) {
  const Provider provider = reference_provider();
  RunConfig config;
  config.cases = 200000;
  config.jobs = static_cast<std::uint32_t>(bench.range(0));
  const RunnerFactory factory = [&] {
    return make_runner(provider, config.case_options, RunnerOptions{});
  };
  std::uint64_t steps = 0;
  for (auto _ : bench) {
    const RunResult run = run_certification(factory, config);
    if (!run.conformant()) bench.SkipWithError("the reference store failed");
    steps += run.steps_run;
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(steps));
}
BENCHMARK(BM_CertifyReferenceJobs)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace logoffcheck

BENCHMARK_MAIN();
