// Provider::load_library: provider shared libraries loaded by path and
// certified, and every way a library can be unusable reported as a
// ConfigurationError whose message names the problem.
#include <functional>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"

namespace logoffcheck {
namespace {

// The message of the ConfigurationError `load` throws, or a failure.
::testing::AssertionResult configuration_error_names(
    const std::function<void()>& load, std::initializer_list<std::string_view> parts) {
  try {
    load();
  } catch (const ConfigurationError& error) {
    const std::string message = error.what();
    for (std::string_view part : parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message \"" << message << "\" does not name \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess() << message;
  }
  return ::testing::AssertionFailure() << "no ConfigurationError";
}

TEST(Loader, LoadsTheReferenceModuleByPathAndCertifiesIt) {
  const Provider loaded = Provider::load_library(LOGOFFCHECK_REFERENCE_MODULE);
  EXPECT_EQ(loaded.name(), LOGOFFCHECK_REFERENCE_MODULE);
  EXPECT_EQ(loaded.kind(), ProviderKind::shared_library);
  const RunResult run =
      test_support::certify_library(LOGOFFCHECK_REFERENCE_MODULE, {Profile::deferred, true}, 2000);
  EXPECT_TRUE(run.conformant()) << test_support::describe_counterexample(run);
  EXPECT_EQ(run.cases_run, 2000u);
}

TEST(Loader, TheLoadedReferenceFailsTheEagerProfileWithSl5) {
  const RunResult run =
      test_support::certify_library(LOGOFFCHECK_REFERENCE_MODULE, {Profile::eager, false});
  ASSERT_FALSE(run.conformant());
  EXPECT_EQ(clause_code(run.counterexample->violation.clause), "SL-5");
}

TEST(Loader, AMissingFileIsNamed) {
  const std::string path = std::string(LOGOFFCHECK_TEST_BINARY_DIR) + "/no-such-provider.so";
  EXPECT_TRUE(
      configuration_error_names([&] { Provider::load_library(path); }, {path, "no such file"}));
}

TEST(Loader, ADirectoryIsNotAProvider) {
  EXPECT_TRUE(configuration_error_names([] { Provider::load_library(LOGOFFCHECK_TEST_BINARY_DIR); },
                                        {"not a regular file"}));
}

TEST(Loader, ATextFileIsNotALoadableSharedLibrary) {
  EXPECT_TRUE(
      configuration_error_names([] { Provider::load_library(LOGOFFCHECK_TEST_TEXT_FILE); },
                                {LOGOFFCHECK_TEST_TEXT_FILE, "not a loadable shared library"}));
}

TEST(Loader, ALibraryWithoutTheProviderSymbolsIsNamedWithTheMissingSymbol) {
  EXPECT_TRUE(configuration_error_names(
      [] { Provider::load_library(LOGOFFCHECK_LIBRARY_NO_EXPORTS); },
      {"does not export", kAbiVersionSymbol, "LOGOFFCHECK_EXPORT_PROVIDER"}));
}

TEST(Loader, AnotherAbiVersionIsRefusedWithBothVersions) {
  EXPECT_TRUE(configuration_error_names(
      [] { Provider::load_library(LOGOFFCHECK_LIBRARY_WRONG_ABI); },
      {"provider ABI 999", "ABI " + std::to_string(kProviderAbiVersion), "rebuild"}));
}

TEST(Loader, AProviderThatOpensNoStoreIsAConfigurationError) {
  const Provider provider = Provider::load_library(LOGOFFCHECK_LIBRARY_NULL_STORE);
  InProcessRunner runner(provider, {});
  EXPECT_TRUE(configuration_error_names([&] { runner.run(std::vector<Step>{}); },
                                        {"returned nullptr", "logoffcheck_open_store"}));
  RunConfig config;
  EXPECT_TRUE(configuration_error_names([&] { run_certification(runner, config); },
                                        {LOGOFFCHECK_LIBRARY_NULL_STORE, "returned nullptr"}));
}

TEST(Loader, ABuiltinProviderNeedsAnOpenFunction) {
  EXPECT_TRUE(configuration_error_names([] { Provider("builtin:nothing", nullptr); },
                                        {"builtin:nothing", "open-store function"}));
}

}  // namespace
}  // namespace logoffcheck
