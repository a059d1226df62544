#include "provider_choice.h"

#include <algorithm>

#include "logoffcheck/document.h"
#include "logoffcheck/history.h"
#include "logoffcheck/isolation.h"

namespace logoffcheck::cli {

ChosenProvider choose_provider(const std::string& spec) {
  if (spec.starts_with(kBuiltinProviderPrefix)) {
    const std::string name = spec.substr(kBuiltinProviderPrefix.size());
    const BuiltinProvider* builtin = find_builtin_provider(name);
    if (builtin == nullptr) {
      throw ConfigurationError("no bundled provider named '" + name +
                               "'; `logoffcheck providers` lists them");
    }
    return {Provider(spec, builtin->open_store), builtin};
  }
  if (spec.empty()) throw ConfigurationError("--provider is empty");
  return {Provider::load_library(spec), nullptr};
}

void add_provider_option(CLI::App& command, std::string& provider) {
  command
      .add_option("--provider", provider,
                  "builtin:NAME (see `logoffcheck providers`) or a provider library path")
      ->required();
}

void add_profile_option(CLI::App& command, std::optional<std::string>& profile,
                        std::vector<std::string> extra) {
  std::vector<std::string> names;
  std::string help;
  for (const Profile choice : kProfiles) names.emplace_back(profile_name(choice));
  names.insert(names.end(), extra.begin(), extra.end());
  for (std::size_t i = 0; i < names.size(); ++i) {
    help += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  }
  help += " (default: deferred; a bundled provider's own profile)";
  command.add_option("--profile", profile, help)->check(CLI::IsMember(names));
}

void add_isolation_options(CLI::App& command, IsolationArguments& arguments) {
  // Notes an option "with isolation" as given (case_runner_options).
  const auto noted = [&arguments](std::string name) {
    return [&arguments, name](const std::string&) {
      if (std::find(arguments.given.begin(), arguments.given.end(), name) ==
          arguments.given.end()) {
        arguments.given.push_back(name);
      }
    };
  };
  CLI::Option* on = command.add_flag(
      "--isolate", arguments.isolate,
      "Run each case in a child process (default for provider libraries and crashing mutants)");
  CLI::Option* off =
      command.add_flag("--no-isolate", arguments.no_isolate, "Run cases in this process");
  on->excludes(off);
  command
      .add_option("--timeout-ms", arguments.timeout_ms,
                  "With isolation: how long one call may take before it counts as a hang (RC-3)")
      ->check(CLI::Range(1u, 3600000u))
      ->each(noted("--timeout-ms"))
      ->capture_default_str();
  command
      .add_option("--settle-ms", arguments.settle_ms,
                  "With isolation: how long to wait for threads a call left running; a crash "
                  "or exit meanwhile is that call's (RC-3)")
      ->check(CLI::Range(0u, 600000u))
      ->each(noted("--settle-ms"))
      ->capture_default_str();
  command
      .add_option("--memory-limit-mb", arguments.memory_limit_mb,
                  "With isolation: address-space limit of the store's process in MiB, 0 for none "
                  "(exceeding it is RC-3)")
      ->check(CLI::Range(0u, 1u << 24))
      ->each(noted("--memory-limit-mb"))
      ->capture_default_str();
  command
      .add_option("--provider-output", arguments.provider_output,
                  "With isolation: capture the store's stdout and stderr (shown with a "
                  "counterexample), or pass them through to the terminal")
      ->check(CLI::IsMember({"capture", "pass"}))
      ->each(noted("--provider-output"))
      ->capture_default_str();
  command
      .add_option("--sandbox", arguments.sandbox,
                  "With isolation: play cases in a sandbox (no network, nothing writable but a "
                  "scratch folder, a PID namespace of their own), or off")
      ->check(CLI::IsMember({"on", "off"}))
      ->each(noted("--sandbox"))
      ->capture_default_str();
  command.add_option("--mapi-profile", arguments.mapi_profile,
                     "Windows DLLs: the MAPI profile the store logs on with "
                     "(docs/mapi-environment.md; default: a built-in one)");
}

RunnerOptions runner_options(const ChosenProvider& chosen, const IsolationArguments& arguments) {
  const bool risky = chosen.builtin == nullptr || chosen.builtin->needs_isolation;
  const bool isolate = arguments.isolate || (!arguments.no_isolate && risky);
  RunnerOptions options;
  options.isolate = isolate;
  options.timeout_ms = arguments.timeout_ms;
  options.settle_ms = arguments.settle_ms;
  options.memory_limit_mb = arguments.memory_limit_mb;
  options.capture_output = arguments.provider_output == "capture";
  // A Windows DLL always runs in its agent, isolated by nature.
  options.sandbox =
      (isolate || chosen.provider.kind() == ProviderKind::windows_dll) && arguments.sandbox == "on";
  if (!arguments.mapi_profile.empty()) {
    if (chosen.provider.kind() != ProviderKind::windows_dll) {
      throw ConfigurationError("--mapi-profile applies to Windows DLL providers only: '" +
                               chosen.provider.name() + "' is not one, and has no MAPI profile");
    }
    options.mapi_profile = read_mapi_profile(arguments.mapi_profile);
  }
  return options;
}

RunnerOptions case_runner_options(const ChosenProvider& chosen,
                                  const IsolationArguments& arguments) {
  const RunnerOptions options = runner_options(chosen, arguments);
  if (!options.isolate && chosen.provider.kind() != ProviderKind::windows_dll &&
      !arguments.given.empty()) {
    throw ConfigurationError(
        arguments.given.front() + " applies to isolated cases: '" + chosen.provider.name() +
        "' is played in this process (" +
        (arguments.no_isolate ? "--no-isolate" : "a bundled store that needs no isolation") +
        "); add --isolate, or leave " + arguments.given.front() + " out");
  }
  return options;
}

std::optional<bool> report_sandbox(const ChosenProvider& chosen,
                                   const IsolationArguments& arguments, bool threads,
                                   bool controlled) {
  const RunnerOptions options = runner_options(chosen, arguments);
  const bool dll = chosen.provider.kind() == ProviderKind::windows_dll;
  if (!dll && !options.isolate && !threads) return std::nullopt;
  return arguments.sandbox == "on" && !controlled;
}

HistoryRunnerFactory history_runners(const std::string& schedule, const ChosenProvider& chosen,
                                     const CaseOptions& options,
                                     const IsolationArguments& arguments,
                                     const std::vector<std::string>& given) {
  if (schedule.empty() || schedule == "free") {
    const IsolationOptions isolated = isolation_options(runner_options(chosen, arguments));
    return [provider = chosen.provider, options, isolated] {
      return make_isolated_history_runner(provider, options, isolated);
    };
  }
  if (schedule != "controlled") {
    throw ConfigurationError("--schedule must be \"free\" or \"controlled\", not \"" + schedule +
                             "\"");
  }
  for (const std::string_view option : {"--settle-ms", "--provider-output"}) {
    if (std::find(given.begin(), given.end(), option) == given.end()) continue;
    throw ConfigurationError(std::string(option) +
                             " cannot be used with --schedule controlled: the traced child "
                             "discards the store's output and runs a thread only when scheduled");
  }
  // A bundled provider is the project's own code: it runs unsandboxed.
  if (chosen.builtin == nullptr && runner_options(chosen, arguments).sandbox) {
    throw ConfigurationError(
        "--schedule controlled cannot run the store in the sandbox (the scheduler traces it "
        "with ptrace from outside): give --sandbox off to run it with the user's rights");
  }
  ControlledSettings settings;
  settings.memory_limit_mb = arguments.memory_limit_mb;
  return [provider = chosen.provider, options, timeout_ms = arguments.timeout_ms, settings] {
    return make_controlled_history_runner(provider, options, timeout_ms, settings);
  };
}

}  // namespace logoffcheck::cli
