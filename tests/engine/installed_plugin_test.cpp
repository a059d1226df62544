// The provider author's path end to end: plugin_provider.cpp, compiled
// against the installed headers only (the ctest fixture installs them and
// builds the library), is loaded by path and certified.
#include <gtest/gtest.h>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/engine.h"

namespace logoffcheck {
namespace {

TEST(InstalledPlugin, IsConformantUnderTheDeferredProfileInStrictMode) {
  InProcessRunner runner(Provider::load_library(LOGOFFCHECK_INSTALLED_PLUGIN),
                         {Profile::deferred, true});
  RunConfig config;
  config.case_options = runner.options();
  const RunResult run = run_certification(runner, config);
  EXPECT_TRUE(run.conformant());
  EXPECT_EQ(run.cases_run, config.cases);
}

TEST(InstalledPlugin, FailsTheEagerProfileWithSl5) {
  InProcessRunner runner(Provider::load_library(LOGOFFCHECK_INSTALLED_PLUGIN),
                         {Profile::eager, false});
  RunConfig config;
  config.case_options = runner.options();
  const RunResult run = run_certification(runner, config);
  ASSERT_FALSE(run.conformant());
  EXPECT_EQ(clause_code(run.counterexample->violation.clause), "SL-5");
  EXPECT_EQ(run.counterexample->records.size(), 1u);
}

}  // namespace
}  // namespace logoffcheck
