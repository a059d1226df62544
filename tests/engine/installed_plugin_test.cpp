// The provider author's path end to end: plugin_provider.cpp, compiled
// against the installed headers only (the ctest fixture installs them and
// builds the library), is loaded by path and certified.
#include <gtest/gtest.h>

#include "engine_test_support.h"

namespace logoffcheck {
namespace {

using test_support::certify_library;

TEST(InstalledPlugin, IsConformantUnderTheDeferredProfileInStrictMode) {
  const RunResult run = certify_library(LOGOFFCHECK_INSTALLED_PLUGIN, {Profile::deferred, true});
  EXPECT_TRUE(run.conformant()) << test_support::describe_counterexample(run);
  EXPECT_EQ(run.cases_run, RunConfig{}.cases);
}

TEST(InstalledPlugin, FailsTheEagerProfileWithSl5) {
  const RunResult run = certify_library(LOGOFFCHECK_INSTALLED_PLUGIN, {Profile::eager, false});
  ASSERT_FALSE(run.conformant());
  EXPECT_EQ(clause_code(run.counterexample->violation.clause), "SL-5");
  EXPECT_EQ(run.counterexample->records.size(), 1u);
}

}  // namespace
}  // namespace logoffcheck
