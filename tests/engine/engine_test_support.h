// Helpers shared by the engine tests: runners for bundled providers and
// counterexamples rendered for failure messages.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "logoffcheck/builtin.h"
#include "logoffcheck/case.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"

namespace logoffcheck::test_support {

// An in-process runner for a bundled provider.
inline std::unique_ptr<CaseRunner> runner_for(const BuiltinProvider& provider,
                                              const CaseOptions& options) {
  return std::make_unique<InProcessRunner>(
      Provider("builtin:" + std::string(provider.name), provider.open_store), options);
}

// The bundled mutants that run in-process and are caught by cases of one
// store: every one but those that crash, hang or exit (needs_isolation) and
// those only several stores per case catch (stores > 1).
inline std::vector<const BuiltinProvider*> in_process_mutants() {
  std::vector<const BuiltinProvider*> mutants;
  for (const BuiltinProvider& provider : builtin_providers()) {
    if (provider.is_mutant() && !provider.needs_isolation && provider.stores == 1)
      mutants.push_back(&provider);
  }
  return mutants;
}

// Certifies the provider library at `path` in-process under `options`.
inline RunResult certify_library(const std::string& path, const CaseOptions& options,
                                 std::uint64_t cases = RunConfig{}.cases) {
  InProcessRunner runner(Provider::load_library(path), options);
  RunConfig config;
  config.case_options = options;
  config.cases = cases;
  return run_certification(runner, config);
}

// "SL-1 at step 2 of [StoreLogoff(LOGOFF_QUIET), Release]: expected ..., observed ..."
inline std::string describe_counterexample(const RunResult& run) {
  if (run.conformant()) return "conformant after " + std::to_string(run.cases_run) + " cases";
  const Counterexample& found = *run.counterexample;
  std::string text(clause_code(found.violation.clause));
  text += " at step " + std::to_string(found.violation_step + 1) + " of [";
  for (std::size_t i = 0; i < found.records.size(); ++i) {
    if (i > 0) text += ", ";
    text += describe_step(found.records[i].step);
  }
  text += "] (case " + std::to_string(found.case_index) + ", " +
          std::to_string(found.original_length) + " steps before shrinking): expected " +
          found.violation.expected + ", observed " + found.violation.observed;
  return text;
}

// A provider name as a gtest parameter name: "saves-first-flag" -> "saves_first_flag".
inline std::string test_name(std::string_view name) {
  std::string text(name);
  for (char& c : text) {
    if (c == '-') c = '_';
  }
  return text;
}

}  // namespace logoffcheck::test_support

namespace logoffcheck {

// Test parameters by name, not by address (gtest and ctest show them).
inline void PrintTo(const BuiltinProvider* provider, std::ostream* os) { *os << provider->name; }
inline void PrintTo(Profile profile, std::ostream* os) { *os << profile_name(profile); }

}  // namespace logoffcheck
