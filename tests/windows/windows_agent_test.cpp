// The Windows agent runner: a DLL under Wine is judged exactly as its
// native twin (the same observations, step by step), faults are RC-3
// observations named the Windows way, the agent starts once per run and
// again only after a fault, and what cannot run says what to install.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/generate.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/runner.h"
#include "logoffcheck/windows_runner.h"

namespace logoffcheck {
namespace {

std::string windows_provider(const std::string& twin) {
  return std::string(LOGOFFCHECK_WINDOWS_PROVIDERS_DIR) + "/windows-" + twin + ".dll";
}

constexpr std::uint32_t kTimeoutMs = 300;

TEST(WindowsAgent, MakeRunnerSendsADllToTheAgent) {
  const Provider provider = Provider::load_library(windows_provider("reference"));
  EXPECT_EQ(provider.kind(), ProviderKind::windows_dll);
  const std::unique_ptr<CaseRunner> runner = make_runner(provider, {}, {});
  EXPECT_NE(dynamic_cast<WindowsAgentRunner*>(runner.get()), nullptr);
}

TEST(WindowsAgent, ADllCannotBeCalledInProcess) {
  InProcessRunner runner(Provider::load_library(windows_provider("reference")), {});
  EXPECT_THROW(runner.run(std::vector<Step>{release()}), ConfigurationError);
}

// The same case against the DLL under Wine and against its native twin in
// this process gives the same records: expectations and observations, every
// support-object call included.
RC_GTEST_PROP(WindowsAgent, ReferenceDllObservesExactlyAsItsNativeTwin, ()) {
  static WindowsAgentRunner windows(windows_provider("reference"), {}, 5000);
  const BuiltinProvider& twin = *find_builtin_provider("reference");
  InProcessRunner native(Provider("builtin:reference", twin.open_store), {});
  const std::vector<Step> steps = *gen_steps({Profile::deferred, 24});
  const CaseResult on_wine = windows.run(steps, true);
  const CaseResult in_process = native.run(steps, true);
  RC_ASSERT(on_wine.executed == in_process.executed);
  RC_ASSERT(on_wine.records.size() == in_process.records.size());
  for (std::size_t i = 0; i < on_wine.records.size(); ++i) {
    RC_ASSERT(on_wine.records[i].observed == in_process.records[i].observed);
    RC_ASSERT(on_wine.records[i].expected == in_process.records[i].expected);
  }
  RC_ASSERT(on_wine.tally == in_process.tally);
  RC_ASSERT(!on_wine.failed());
  // Start-up is paid once per runner, not per case.
  RC_ASSERT(windows.agents_started() == 1u);
}

TEST(WindowsAgent, EagerReferenceConformsOverAWholeRunOnOneAgent) {
  CaseOptions options;
  options.profile = Profile::eager;
  WindowsAgentRunner runner(windows_provider("reference-eager"), options, 5000);
  RunConfig config;
  config.case_options = options;
  config.cases = 300;
  const RunResult run = run_certification(runner, config);
  EXPECT_TRUE(run.conformant());
  EXPECT_EQ(run.cases_run, 300u);
  EXPECT_EQ(runner.agents_started(), 1u);
}

TEST(WindowsAgent, AnAccessViolationIsRc3AndTheNextCaseRunsOnANewAgent) {
  WindowsAgentRunner runner(windows_provider("segfault-on-null-flags"), {}, kTimeoutMs);
  const CaseResult crashed = runner.run(std::vector<Step>{store_logoff_null()});
  ASSERT_TRUE(crashed.failed());
  EXPECT_EQ(crashed.violation->clause, ClauseId::RC_3);
  const Observation& observed = crashed.records.at(0).observed;
  EXPECT_EQ(observed.outcome, CallOutcome::threw);
  EXPECT_EQ(static_cast<std::uint32_t>(observed.fault_detail), 0xC0000005u);
  EXPECT_EQ(std::string(observed.fault_text.data()), "access violation reading 0x0");

  const CaseResult next = runner.run(std::vector<Step>{store_logoff(LOGOFF_ORDERLY)});
  EXPECT_FALSE(next.failed());
  EXPECT_EQ(runner.agents_started(), 2u);
}

TEST(WindowsAgent, ExitProcessIsRc3WithItsExitCode) {
  WindowsAgentRunner runner(windows_provider("exits-on-last-release"), {}, kTimeoutMs);
  const CaseResult result = runner.run(std::vector<Step>{});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.violation->clause, ClauseId::RC_3);
  EXPECT_EQ(result.records.at(0).observed.outcome, CallOutcome::exited);
  EXPECT_EQ(result.records.at(0).observed.fault_detail, 3);
}

TEST(WindowsAgent, AHangIsRc3AfterTheTimeout) {
  WindowsAgentRunner runner(windows_provider("hangs-on-second-logoff"), {}, kTimeoutMs);
  const CaseResult result =
      runner.run(std::vector<Step>{store_logoff(LOGOFF_NO_WAIT), store_logoff(LOGOFF_NO_WAIT)});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.violation->clause, ClauseId::RC_3);
  EXPECT_EQ(result.violation_step, 1u);
  EXPECT_EQ(result.records.at(1).observed.outcome, CallOutcome::hung);
  EXPECT_EQ(result.records.at(1).observed.fault_detail, static_cast<std::int32_t>(kTimeoutMs));
}

TEST(WindowsAgent, ACppExceptionEscapingTheDllIsRc3WithItsMessage) {
  WindowsAgentRunner runner(windows_provider("throws-on-unknown-flags"), {}, kTimeoutMs);
  const CaseResult result = runner.run(std::vector<Step>{store_logoff(0x100)});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.violation->clause, ClauseId::RC_3);
  EXPECT_EQ(result.records.at(0).observed.outcome, CallOutcome::threw);
  EXPECT_EQ(std::string(result.records.at(0).observed.fault_text.data()), "unknown logoff flags");
}

TEST(WindowsAgent, OtherSupportMethodsAnswerNoSupportAndAreRecorded) {
  WindowsAgentRunner runner(LOGOFFCHECK_WINDOWS_TEST_DLL_DIR "/asks-for-address-book.dll", {},
                            5000);
  EXPECT_FALSE(runner.run(std::vector<Step>{store_logoff(LOGOFF_ABORT)}).failed());
  EXPECT_FALSE(runner.run(std::vector<Step>{}).failed());
  const auto& calls = runner.unsupported_support_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls.begin()->first, "IMAPISupport::OpenAddressBook");
  EXPECT_EQ(calls.begin()->second, 2u);
}

// Sets an environment variable for one test.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string configuration_error(WindowsAgentRunner& runner) {
  try {
    runner.run(std::vector<Step>{});
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return "no ConfigurationError";
}

TEST(WindowsAgent, MissingWineSaysWhatToInstall) {
  const ScopedEnvironment wine("LOGOFFCHECK_WINE", "/nonexistent/wine64");
  WindowsAgentRunner runner(windows_provider("reference"), {}, 5000);
  EXPECT_NE(configuration_error(runner).find("apt-get install wine wine64"), std::string::npos);
}

TEST(WindowsAgent, APrefixThatCannotBeCreatedIsAConfigurationError) {
  const ScopedEnvironment prefix("LOGOFFCHECK_WINEPREFIX", "/proc/logoffcheck/no/prefix");
  WindowsAgentRunner runner(windows_provider("reference"), {}, 5000);
  EXPECT_NE(configuration_error(runner).find("/proc/logoffcheck/no"), std::string::npos);
}

TEST(WindowsAgent, ADllWithoutMsProviderInitIsAConfigurationError) {
  // Any x64 image without the export: the agent itself, named .dll.
  const std::string copy = ::testing::TempDir() + "no-provider-init.dll";
  const std::string agent =
      std::filesystem::path(LOGOFFCHECK_WINDOWS_PROVIDERS_DIR).parent_path().parent_path() /
      "harness" / "logoffcheck-agent.exe";
  std::filesystem::copy_file(agent, copy, std::filesystem::copy_options::overwrite_existing);
  WindowsAgentRunner runner(copy, {}, 5000);
  EXPECT_NE(configuration_error(runner).find("does not export MSProviderInit"), std::string::npos);
}

TEST(WindowsAgent, AFileThatIsNoWindowsImageIsRefusedBeforeWineStarts) {
  const std::string path = ::testing::TempDir() + "not-windows.dll";
  std::ofstream(path) << "\x7f"
                         "ELF, not a DLL";
  EXPECT_THROW(Provider::load_library(path), ConfigurationError);
  EXPECT_THROW(Provider::load_library(::testing::TempDir() + "no-such.dll"), ConfigurationError);
}

}  // namespace
}  // namespace logoffcheck
