// Checked steps and cases per second through Wine: the Windows reference
// store (providers/windows) certified by a WindowsAgentRunner, in batches of
// 64 cases, one exchange with the agent each (as `logoffcheck certify` plays
// them), and call by call (LOGOFFCHECK_WINDOWS_BATCHES=off: every client
// call a round trip to the agent and every support-object call one back).
// Also what a start of the agent costs (paid once per run, and once per
// fault), and a whole fault: a crash in the DLL and the agent's restart.
//
//   build/bench/windows_agent_bench --benchmark_min_time=2
//
// BM_NativeReferenceIsolated runs the same store native and isolated, for
// the ratio docs/windows-providers.md quotes.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/runner.h"
#include "logoffcheck/windows_runner.h"

namespace logoffcheck {
namespace {

std::string windows_provider(const std::string& twin) {
  return std::string(LOGOFFCHECK_WINDOWS_PROVIDERS_DIR) + "/windows-" + twin + ".dll";
}

constexpr std::uint64_t kCasesPerIteration = 1000;

// kCasesPerIteration cases of the default RunConfig (max_steps 64),
// generation and judging included, as `logoffcheck certify` runs them.
void BM_WindowsReferenceUnderWine(benchmark::State& state) {
  if (state.range(0) == 0) {
    ::setenv("LOGOFFCHECK_WINDOWS_BATCHES", "off", 1);
  } else {
    ::unsetenv("LOGOFFCHECK_WINDOWS_BATCHES");
  }
  RunConfig config;
  config.cases = kCasesPerIteration;
  WindowsAgentRunner runner(windows_provider("reference"), config.case_options, 5000);
  std::uint64_t cases = 0;
  std::uint64_t steps = 0;
  for (auto _ : state) {
    const RunResult run = run_certification(runner, config);
    if (!run.conformant()) state.SkipWithError("the Windows reference store failed certification");
    cases += run.cases_run;
    steps += run.steps_run;
    ++config.seed;  // new cases each iteration
  }
  state.counters["cases_per_s"] =
      benchmark::Counter(static_cast<double>(cases), benchmark::Counter::kIsRate);
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["agent_starts"] = static_cast<double>(runner.agents_started());
  ::unsetenv("LOGOFFCHECK_WINDOWS_BATCHES");
}

// The same store native, isolated (`certify --isolate`), on the same cases:
// what the DLL's steps_per_s compare with, measured back to back.
void BM_NativeReferenceIsolated(benchmark::State& state) {
  const BuiltinProvider& reference = *find_builtin_provider("reference");
  RunConfig config;
  config.cases = kCasesPerIteration;
  RunnerOptions options;
  options.isolate = true;
  const auto runner = make_runner(Provider("builtin:reference", reference.open_store),
                                  config.case_options, options);
  std::uint64_t steps = 0;
  for (auto _ : state) {
    const RunResult run = run_certification(*runner, config);
    if (!run.conformant()) state.SkipWithError("the reference store failed certification");
    steps += run.steps_run;
    ++config.seed;
  }
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

// A new runner's first case: Wine starts the agent, which loads the DLL and
// calls MSProviderInit; then one Logon and one Release.
void BM_WindowsAgentStart(benchmark::State& state) {
  for (auto _ : state) {
    WindowsAgentRunner runner(windows_provider("reference"), {}, 5000);
    if (runner.run(std::vector<Step>{}).failed()) state.SkipWithError("the first case failed");
  }
}

// One case that crashes the DLL (an access violation) on an agent that is
// already running, and the start of the next agent the following case needs.
void BM_WindowsFaultAndRestart(benchmark::State& state) {
  WindowsAgentRunner runner(windows_provider("segfault-on-null-flags"), {}, 5000);
  const std::vector<Step> crash = {store_logoff_null()};
  for (auto _ : state) {
    if (!runner.run(crash).failed()) state.SkipWithError("the crash was not observed");
  }
  state.counters["agent_starts"] = static_cast<double>(runner.agents_started());
}

BENCHMARK(BM_NativeReferenceIsolated)->Unit(benchmark::kMillisecond)->UseRealTime();
// Argument 1: in batches; 0: call by call.
BENCHMARK(BM_WindowsReferenceUnderWine)
    ->ArgName("batches")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_WindowsAgentStart)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WindowsFaultAndRestart)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace logoffcheck

BENCHMARK_MAIN();
