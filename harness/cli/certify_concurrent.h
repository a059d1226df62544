// `logoffcheck certify --threads N`: concurrent histories (clause RC-4,
// docs/concurrency.md). certify.cpp parses the options and hands over here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "files.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/history.h"
#include "provider_choice.h"

namespace logoffcheck::cli {

struct ConcurrentArguments {
  std::uint32_t threads = 1;  // 1: sequential cases (certify.cpp)
  std::uint32_t repeat = 8;   // plays of each case
  // How the threads are played: "free" (real threads, the default) or
  // "controlled" (one at a time under the controlled scheduler, schedule.h).
  // Empty when not given.
  std::string schedule;
};

// The history runner `schedule` names ("" is "free"); exit 2 for any other.
std::unique_ptr<HistoryRunner> make_history_runner(const std::string& schedule,
                                                   const Provider& provider,
                                                   const CaseOptions& options,
                                                   std::uint32_t timeout_ms);

// Runs `config`'s cases as concurrent histories against `chosen`, always
// in child processes (a lost race is often a use after free); prints the
// summary and any counterexample; writes --report and --junit (the
// concurrent counterexample in the report's "counterexample", its thread
// table in the RC-4 testcase) and --counterexample as a concurrent
// counterexample document. Returns the exit status. Throws
// ConfigurationError for --html (not yet written for concurrent runs) and
// other unusable settings.
int certify_concurrently(const ChosenProvider& chosen, const RunConfig& config,
                         const ConcurrentArguments& concurrency, const IsolationArguments& isolation,
                         const Outputs& outputs);

}  // namespace logoffcheck::cli
