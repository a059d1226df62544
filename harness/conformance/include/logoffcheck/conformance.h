// Room harness/conformance (docs/architecture.md): the library face of the
// verifier for a provider author's own tests (header only).
//
// logoffcheck/conformance.h — the StoreLogoff conformance check inside a
// provider author's own GoogleTest binary.
//
//   #include <logoffcheck/conformance.h>
//
//   logoffcheck::IMsgStore* open_my_store(logoffcheck::IMAPISupport* support);
//
//   LOGOFFCHECK_CONFORMANCE_TEST(MyStore, open_my_store, logoffcheck::Profile::deferred)
//
// or, with a configuration of your own:
//
//   TEST(MyStore, ConformsStrictly) {
//     logoffcheck::RunConfig config;
//     config.case_options.strict = true;
//     EXPECT_TRUE(logoffcheck::conforms(open_my_store, config));
//   }
//
// The check runs in-process (a crash in the store takes the test binary with
// it; certify a library with `logoffcheck certify` for isolation). A failure
// reads like any gtest failure: the clause, what was expected and observed,
// and the minimal counterexample's steps with the seed and case that found it.
// Link logoffcheck::harness and GTest::gtest (or gtest_main).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/report.h"

namespace logoffcheck {

// Certifies the stores `open_store` makes under `config` and returns success,
// or a failure whose message explains the first violated clause.
inline ::testing::AssertionResult conforms(OpenStoreFunction open_store,
                                           const RunConfig& config = {}) {
  InProcessRunner runner(Provider("the store under test", open_store), config.case_options);
  const RunResult run = run_certification(runner, config);
  if (run.conformant()) {
    return ::testing::AssertionSuccess()
           << "conformant to the " << profile_name(config.case_options.profile) << " profile over "
           << run.cases_run << " cases (seed " << config.seed << ")";
  }
  const Counterexample& counterexample = *run.counterexample;
  const Violation& violation = counterexample.violation;
  const Clause& broken = clause(violation.clause);
  return ::testing::AssertionFailure()
         << "not conformant to the " << profile_name(config.case_options.profile)
         << " StoreLogoff contract\n"
         << broken.code << " (" << level_name(broken.level) << "): " << broken.statement << "\n"
         << "  expected: " << violation.expected << "\n"
         << "  observed: " << violation.observed << "\n"
         << "minimal counterexample (case " << counterexample.case_index << " of seed "
         << config.seed << ", " << counterexample.records.size()
         << (counterexample.records.size() == 1 ? " step" : " steps") << "):\n"
         << format_step_table(counterexample.records, violation, counterexample.violation_step);
}

}  // namespace logoffcheck

// Defines TEST(suite, ConformsToTheStoreLogoffContract): the stores
// `open_function` makes conform to `contract_profile` over the default run
// (seed 1, RunConfig's default number of cases).
#define LOGOFFCHECK_CONFORMANCE_TEST(suite, open_function, contract_profile)   \
  TEST(suite, ConformsToTheStoreLogoffContract) {                              \
    ::logoffcheck::RunConfig logoffcheck_config;                               \
    logoffcheck_config.case_options.profile = (contract_profile);              \
    EXPECT_TRUE(::logoffcheck::conforms((open_function), logoffcheck_config)); \
  }
