// Which provider a command line names, and how its cases run: in this
// process or isolated (harness/run).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "logoffcheck/builtin.h"
#include "logoffcheck/concurrent.h"
#include "logoffcheck/runner.h"

namespace logoffcheck::cli {

struct ChosenProvider {
  Provider provider;
  const BuiltinProvider* builtin = nullptr;  // for a bundled provider
};

// `builtin:NAME` or the path of a provider shared library. Throws
// ConfigurationError naming the problem.
ChosenProvider choose_provider(const std::string& spec);

// --provider P (required), as certify and explore take it.
void add_provider_option(CLI::App& command, std::string& provider);

// --profile: "deferred" or "eager", and `extra` choices (certify's "auto").
// The help text names the default: a bundled provider's own profile.
void add_profile_option(CLI::App& command, std::optional<std::string>& profile,
                        std::vector<std::string> extra = {});

// --isolate, --no-isolate, --timeout-ms, --settle-ms, --memory-limit-mb,
// --provider-output, --sandbox and --mapi-profile, as parsed.
struct IsolationArguments {
  bool isolate = false;
  bool no_isolate = false;
  std::uint32_t timeout_ms = RunnerOptions{}.timeout_ms;
  std::uint32_t settle_ms = RunnerOptions{}.settle_ms;
  std::uint32_t memory_limit_mb = RunnerOptions{}.memory_limit_mb;
  std::string provider_output = "capture";
  std::string sandbox = "on";  // --sandbox on|off
  std::string mapi_profile;    // a Windows DLL's profile file (docs/mapi-environment.md)
  // The options "with isolation" the command line gave (--timeout-ms,
  // --settle-ms, --memory-limit-mb, --provider-output, --sandbox), in order.
  std::vector<std::string> given;
};

void add_isolation_options(CLI::App& command, IsolationArguments& arguments);

// Isolation by default where a provider could take the verifier down: every
// library, and the bundled mutants that crash, hang or exit. Reads the
// --mapi-profile file; ConfigurationError (exit 2) when it cannot, or when
// the provider is no Windows DLL.
RunnerOptions runner_options(const ChosenProvider& chosen, const IsolationArguments& arguments);

// runner_options for the runner of sequential cases. When it plays the store
// in this process (--no-isolate, or a bundled store that needs no isolation),
// an option "with isolation" given on the command line would be silently
// dropped: ConfigurationError (exit 2) naming it and --isolate.
RunnerOptions case_runner_options(const ChosenProvider& chosen,
                                  const IsolationArguments& arguments);

// The runners of concurrent cases --schedule names: "free" (or "", not
// given) the isolating runner under every isolation option; "controlled" the
// controlled scheduler's (schedule.h) under --timeout-ms and
// --memory-limit-mb. `given` says which options the command line gave: a
// controlled run refuses --settle-ms and --provider-output (its traced child
// discards the store's output, and a thread runs only when scheduled), runs
// a provider library only with --sandbox off (a traced child cannot be in
// the sandbox), and a bundled provider unsandboxed.
// Throws ConfigurationError (exit 2) naming --schedule for any other value.
// What a run's report says of the sandbox (Report::sandbox): whether the
// store's processes (a library's workers, a DLL's agent) ran in it, or
// nullopt when the store ran in the verifier's process. `threads`: a run of
// concurrent histories (always isolated); `controlled`: under --schedule
// controlled (never sandboxed).
std::optional<bool> report_sandbox(const ChosenProvider& chosen,
                                   const IsolationArguments& arguments, bool threads = false,
                                   bool controlled = false);

HistoryRunnerFactory history_runners(const std::string& schedule, const ChosenProvider& chosen,
                                     const CaseOptions& options,
                                     const IsolationArguments& arguments,
                                     const std::vector<std::string>& given);

}  // namespace logoffcheck::cli
