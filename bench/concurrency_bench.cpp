// Concurrent histories per second (clause RC-4): the reference store's
// concurrent cases played with 2 threads and judged, as `certify --threads 2`
// does (in a child process per case, K = 8 plays per case), next to the same
// plays in this process, and the linearizability checker alone.
//
// BM_Controlled* play them under controlled schedules (docs/concurrency.md).
//
//   build/bench/concurrency_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include "../providers/reference/mutex_store.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/concurrent.h"

namespace logoffcheck {
namespace {

constexpr std::uint64_t kCasesPerIteration = 50;

ConcurrentConfig reference_config() {
  ConcurrentConfig config;
  config.run.case_options = {Profile::deferred, true};
  config.run.cases = kCasesPerIteration;
  return config;
}

Provider reference() {
  const BuiltinProvider& builtin = *find_builtin_provider("reference");
  return Provider("builtin:reference", builtin.open_store);
}

void certify_concurrently(benchmark::State& state, bool isolate) {
  ConcurrentConfig config = reference_config();
  const auto runner = isolate
                          ? make_isolated_history_runner(reference(), config.run.case_options, 5000)
                          : make_in_process_history_runner(reference(), config.run.case_options);
  std::uint64_t histories = 0;
  std::uint64_t calls = 0;
  for (auto _ : state) {
    const ConcurrentRunResult run = run_concurrent_certification(*runner, config);
    if (!run.conformant()) state.SkipWithError("the reference store failed RC-4");
    histories += run.histories_run;
    calls += run.calls_run;
    ++config.run.seed;
  }
  state.counters["histories_per_s"] =
      benchmark::Counter(static_cast<double>(histories), benchmark::Counter::kIsRate);
  state.counters["calls_per_history"] = static_cast<double>(calls) / static_cast<double>(histories);
}

void BM_ConcurrentIsolated(benchmark::State& state) { certify_concurrently(state, true); }
void BM_ConcurrentInProcess(benchmark::State& state) { certify_concurrently(state, false); }

// The checker alone, on histories played once beforehand.
void BM_CheckLinearizability(benchmark::State& state) {
  const ConcurrentConfig config = reference_config();
  const auto runner = make_in_process_history_runner(reference(), config.run.case_options);
  std::vector<History> histories;
  for (std::uint64_t i = 0; i < 200; ++i) {
    for (History& history : runner->play(generate_concurrent_case(config, i), 1, i)) {
      histories.push_back(std::move(history));
    }
  }
  std::uint64_t checked = 0;
  for (auto _ : state) {
    for (const History& history : histories) {
      benchmark::DoNotOptimize(check_linearizability(history, config.run.case_options));
    }
    checked += histories.size();
  }
  state.counters["histories_per_s"] =
      benchmark::Counter(static_cast<double>(checked), benchmark::Counter::kIsRate);
}

// Controlled schedules (`--schedule controlled`): the reference store, and a
// store that guards its count with a std::mutex, whose waits the scheduler
// recognises as blocked.
void certify_controlled(benchmark::State& state, const Provider& provider) {
  ConcurrentConfig config = reference_config();
  config.run.cases = 10;
  const auto runner = make_controlled_history_runner(provider, config.run.case_options, 5000);
  std::uint64_t histories = 0;
  for (auto _ : state) {
    const ConcurrentRunResult run = run_concurrent_certification(*runner, config);
    if (!run.conformant()) state.SkipWithError("a correct store failed RC-4");
    histories += run.histories_run;
    ++config.run.seed;
  }
  state.counters["histories_per_s"] =
      benchmark::Counter(static_cast<double>(histories), benchmark::Counter::kIsRate);
}

void BM_ControlledReference(benchmark::State& state) { certify_controlled(state, reference()); }
void BM_ControlledMutexStore(benchmark::State& state) {
  certify_controlled(state, Provider("mutex-store", &providers::MutexStore::open));
}

BENCHMARK(BM_ConcurrentIsolated)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ConcurrentInProcess)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ControlledReference)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ControlledMutexStore)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckLinearizability)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace logoffcheck

BENCHMARK_MAIN();
