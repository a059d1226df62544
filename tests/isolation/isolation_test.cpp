// Fault isolation (RC-3): a provider that crashes, aborts, throws, exits or
// hangs becomes a shrunk RC-3 counterexample while the verifier (this test
// process) lives on, and isolation changes nothing for providers that do not
// fault.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/runner.h"

namespace logoffcheck {
namespace {

constexpr std::uint64_t kSeed = 20261121;

// The verifier has no child process left: every fork server and grandchild
// was reaped.
bool no_child_process_left() {
  errno = 0;
  return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

Provider provider_of(const BuiltinProvider& builtin) {
  return Provider("builtin:" + std::string(builtin.name), builtin.open_store);
}

RunConfig config_for(const BuiltinProvider& builtin, std::uint64_t cases) {
  RunConfig config;
  config.case_options.profile = builtin.profile;
  config.seed = kSeed;
  config.cases = cases;
  // A mutant only several stores per case catch (issue 23) is played with them.
  config.stores = builtin.stores;
  return config;
}

std::vector<const BuiltinProvider*> fault_mutants() {
  std::vector<const BuiltinProvider*> found;
  for (const BuiltinProvider& provider : builtin_providers()) {
    if (provider.needs_isolation && provider.threads == 1) found.push_back(&provider);
  }
  return found;
}

// What the RC-3 violation of each fault mutant must say about the fault.
struct FaultExpectation {
  std::string observed_contains;
  std::uint32_t timeout_ms;
};

// The hang mutant's timeout is short, since shrinking re-runs hanging
// candidates and each one costs the timeout, yet far above what a call that
// returns takes under a sanitizer on a loaded machine.
const std::map<std::string, FaultExpectation, std::less<>> kFaults = {
    {"segfault-on-null-flags", {"died by SIGSEGV", 5000}},
    {"aborts-unless-last-reference", {"died by SIGABRT", 5000}},
    {"throws-on-unknown-flags", {"threw an exception: unknown logoff flags", 5000}},
    {"exits-on-last-release", {"exited the process with status 3", 5000}},
    {"hangs-on-second-logoff", {"no return within 500 ms", 500}},
};

TEST(FaultMutants, EveryFaultKindHasAMutant) {
  std::vector<std::string> names;
  for (const BuiltinProvider* mutant : fault_mutants()) {
    names.emplace_back(mutant->name);
    EXPECT_EQ(mutant->caught_by, ClauseId::RC_3) << mutant->name;
    EXPECT_GT(mutant->minimal_length, 0u) << mutant->name;
  }
  std::vector<std::string> expected;
  for (const auto& [name, fault] : kFaults) expected.push_back(name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, expected);
}

class FaultMutant : public ::testing::TestWithParam<std::string> {};

TEST_P(FaultMutant, IsCaughtByRc3WithAShrunkCounterexample) {
  const BuiltinProvider* mutant = find_builtin_provider(GetParam());
  ASSERT_NE(mutant, nullptr);
  const FaultExpectation& fault = kFaults.at(GetParam());
  RunResult run;
  {
    const auto runner =
        make_runner(provider_of(*mutant), {mutant->profile, false}, {true, fault.timeout_ms});
    run = run_certification(*runner, config_for(*mutant, 2000));
  }
  EXPECT_TRUE(no_child_process_left()) << "the runner left a child process behind";

  ASSERT_TRUE(run.counterexample.has_value()) << mutant->name << " was not caught";
  const Counterexample& found = *run.counterexample;
  EXPECT_EQ(found.violation.clause, ClauseId::RC_3) << found.violation.observed;
  EXPECT_NE(found.violation.observed.find(fault.observed_contains), std::string::npos)
      << "RC-3 observed: " << found.violation.observed;
  EXPECT_EQ(found.records.size(), mutant->minimal_length);
  EXPECT_EQ(found.violation_step, found.records.size() - 1)
      << "RC-3 must end the case at the faulting call";

  // The observations before the fault are kept, and are what the reference
  // store (the mutant without its bug) answers to the same steps.
  const BuiltinProvider* reference = find_builtin_provider("reference");
  ASSERT_NE(reference, nullptr);
  InProcessRunner in_process(provider_of(*reference), {mutant->profile, false});
  const CaseResult replay = in_process.run(found.steps());
  ASSERT_GE(replay.records.size(), found.violation_step);
  for (std::size_t i = 0; i < found.violation_step; ++i) {
    EXPECT_EQ(found.records[i].step, replay.records[i].step) << "step " << i;
    EXPECT_EQ(found.records[i].observed, replay.records[i].observed) << "step " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Isolation, FaultMutant,
                         ::testing::Values("segfault-on-null-flags", "aborts-unless-last-reference",
                                           "throws-on-unknown-flags", "exits-on-last-release",
                                           "hangs-on-second-logoff"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

void expect_same_records(const std::vector<StepRecord>& isolated,
                         const std::vector<StepRecord>& in_process) {
  ASSERT_EQ(isolated.size(), in_process.size());
  for (std::size_t i = 0; i < isolated.size(); ++i) {
    EXPECT_EQ(isolated[i].step, in_process[i].step) << "step " << i;
    EXPECT_EQ(isolated[i].observed, in_process[i].observed) << "step " << i;
  }
}

void expect_same_run(const RunResult& isolated, const RunResult& in_process) {
  EXPECT_EQ(isolated.cases_run, in_process.cases_run);
  EXPECT_EQ(isolated.steps_run, in_process.steps_run);
  EXPECT_EQ(isolated.tally, in_process.tally);
  ASSERT_EQ(isolated.counterexample.has_value(), in_process.counterexample.has_value());
  if (!isolated.counterexample) return;
  const Counterexample& a = *isolated.counterexample;
  const Counterexample& b = *in_process.counterexample;
  EXPECT_EQ(a.case_index, b.case_index);
  EXPECT_EQ(a.violation, b.violation);
  EXPECT_EQ(a.violation_step, b.violation_step);
  EXPECT_EQ(a.original_length, b.original_length);
  EXPECT_EQ(a.shrink_runs, b.shrink_runs);
  expect_same_records(a.records, b.records);
}

// Same seed, same verdict, same counterexample, observation for observation:
// for every bundled provider that does not fault.
TEST(IsolationIsTransparent, SameResultsAsInProcessForEveryNonFaultingProvider) {
  std::size_t compared = 0;
  for (const BuiltinProvider& provider : builtin_providers()) {
    if (provider.needs_isolation) continue;
    SCOPED_TRACE(std::string(provider.name));
    // A mutant of a SHOULD clause is caught only in strict mode.
    const bool strict = provider.is_mutant() && clause(*provider.caught_by).level == Level::should;
    RunConfig config = config_for(provider, 300);
    config.case_options.strict = strict;
    const CaseOptions options{provider.profile, strict};
    const auto in_process = make_runner(provider_of(provider), options, {false, 5000});
    const auto isolated = make_runner(provider_of(provider), options, {true, 5000});
    ASSERT_NE(dynamic_cast<IsolatingRunner*>(isolated.get()), nullptr);
    const RunResult expected = run_certification(*in_process, config);
    const RunResult actual = run_certification(*isolated, config);
    expect_same_run(actual, expected);
    EXPECT_EQ(actual.counterexample.has_value(), provider.is_mutant());
    ++compared;
  }
  EXPECT_GE(compared, 2u);
  EXPECT_TRUE(no_child_process_left());
}

TEST(IsolationIsTransparent, ThrowingProviderGivesTheSameCounterexampleInProcess) {
  const BuiltinProvider* mutant = find_builtin_provider("throws-on-unknown-flags");
  ASSERT_NE(mutant, nullptr);
  const RunConfig config = config_for(*mutant, 2000);
  const CaseOptions options{mutant->profile, false};
  const auto in_process = make_runner(provider_of(*mutant), options, {false, 5000});
  const auto isolated = make_runner(provider_of(*mutant), options, {true, 5000});
  expect_same_run(run_certification(*isolated, config), run_certification(*in_process, config));
}

TEST(IsolatingRunner, PlaysCasesLongerThanItsSharedMemoryFirstHolds) {
  const BuiltinProvider* reference = find_builtin_provider("reference");
  ASSERT_NE(reference, nullptr);
  std::vector<Step> steps(3000, add_ref());
  steps.push_back(store_logoff(LOGOFF_PURGE));
  steps.push_back(environment(Action::MessageQueued));
  steps.push_back(store_logoff(LOGOFF_ORDERLY));
  InProcessRunner in_process(provider_of(*reference), {});
  IsolatingRunner isolated(provider_of(*reference), {}, 5000);
  const CaseResult expected = in_process.run(steps);
  const CaseResult short_case = isolated.run(std::vector<Step>{add_ref()});
  EXPECT_FALSE(short_case.failed());
  const CaseResult actual = isolated.run(steps);
  EXPECT_FALSE(actual.failed());
  EXPECT_EQ(actual.executed, expected.executed);
  EXPECT_EQ(actual.tally, expected.tally);
  expect_same_records(actual.records, expected.records);
}

// The pids of this process's children, from /proc.
std::vector<pid_t> child_processes() {
  std::vector<pid_t> children;
  const std::string path = "/proc/self/task/" + std::to_string(getpid()) + "/children";
  if (FILE* file = std::fopen(path.c_str(), "r")) {
    int pid = 0;
    while (std::fscanf(file, "%d", &pid) == 1) children.push_back(pid);
    std::fclose(file);
  }
  return children;
}

// Processes, zombies included, whose process group is `group`.
std::size_t processes_in_group(pid_t group) {
  std::size_t found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;  // it ended meanwhile
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    char state = 0;
    pid_t parent = 0;
    pid_t process_group = 0;
    rest >> state >> parent >> process_group;
    found += process_group == group;
  }
  return found;
}

TEST(IsolatingRunner, LeavesNoProcessBehind) {
  const BuiltinProvider* reference = find_builtin_provider("reference");
  ASSERT_NE(reference, nullptr);
  pid_t server = 0;
  {
    IsolatingRunner isolated(provider_of(*reference), {}, 5000);
    EXPECT_FALSE(isolated.run(std::vector<Step>{add_ref(), release()}).failed());
    const std::vector<pid_t> servers = child_processes();
    ASSERT_EQ(servers.size(), 1u);
    server = servers[0];
    EXPECT_GE(processes_in_group(server), 1u) << "the server leads its own process group";
  }
  EXPECT_EQ(processes_in_group(server), 0u) << "a fork server or grandchild survived its runner";
  EXPECT_TRUE(no_child_process_left());
}

TEST(IsolatingRunner, StartsItsForkServerOnTheFirstCaseAndReplacesOneThatDied) {
  const BuiltinProvider* reference = find_builtin_provider("reference");
  ASSERT_NE(reference, nullptr);
  const std::vector<Step> steps = {store_logoff(LOGOFF_NO_WAIT), add_ref(), release()};
  InProcessRunner in_process(provider_of(*reference), {});
  const CaseResult expected = in_process.run(steps);
  {
    IsolatingRunner isolated(provider_of(*reference), {}, 5000);
    EXPECT_TRUE(child_processes().empty()) << "the fork server must start lazily";
    expect_same_records(isolated.run(steps).records, expected.records);
    const std::vector<pid_t> servers = child_processes();
    ASSERT_EQ(servers.size(), 1u) << "one fork server, no grandchild left running";
    // The server and the grandchildren it keeps ready: a lost server's
    // grandchildren may not answer either.
    kill(-servers[0], SIGKILL);
    expect_same_records(isolated.run(steps).records, expected.records);
    const std::vector<pid_t> replacement = child_processes();
    ASSERT_EQ(replacement.size(), 1u);
    EXPECT_NE(replacement[0], servers[0]);
  }
  EXPECT_TRUE(no_child_process_left());
}

IMsgStore* open_no_store(IMAPISupport*) { return nullptr; }

IMsgStore* open_after_crash(IMAPISupport*) { std::abort(); }

TEST(IsolatingRunner, ReportsAProviderThatOpensNoStoreAsAConfigurationError) {
  IsolatingRunner declines(Provider("declines", &open_no_store), {}, 5000);
  EXPECT_THROW(declines.run(std::vector<Step>{add_ref()}), ConfigurationError);
  IsolatingRunner crashes(Provider("crashes", &open_after_crash), {}, 5000);
  try {
    crashes.run(std::vector<Step>{add_ref()});
    ADD_FAILURE() << "a provider that dies opening its store must be a ConfigurationError";
  } catch (const ConfigurationError& error) {
    EXPECT_NE(std::string(error.what()).find("SIGABRT"), std::string::npos) << error.what();
  }
}

// Output of the provider on stdout and stderr cannot disturb the verifier's
// channel to its children.
IMsgStore* open_noisy_store(IMAPISupport* support) {
  std::fputs("provider noise on stdout\n", stdout);
  std::fputs("provider noise on stderr\n", stderr);
  return find_builtin_provider("reference")->open_store(support);
}

TEST(IsolatingRunner, IgnoresWhatTheProviderPrints) {
  const std::vector<Step> steps = {store_logoff(LOGOFF_ABORT), add_ref(), release()};
  InProcessRunner in_process(Provider("reference", find_builtin_provider("reference")->open_store),
                             {});
  IsolatingRunner isolated(Provider("noisy", &open_noisy_store), {}, 5000);
  const CaseResult actual = isolated.run(steps);
  EXPECT_FALSE(actual.failed());
  expect_same_records(actual.records, in_process.run(steps).records);
}

TEST(IsolatingRunner, RejectsAZeroTimeout) {
  EXPECT_THROW(IsolatingRunner(Provider("declines", &open_no_store), {}, 0), ConfigurationError);
}

}  // namespace
}  // namespace logoffcheck
