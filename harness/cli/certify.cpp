// `logoffcheck certify`: random cases against a provider, the first failure
// shrunk to a minimal counterexample (docs/cli.md).
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certify_concurrent.h"
#include "command.h"
#include "files.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/text.h"
#include "printing.h"
#include "progress.h"
#include "provider_choice.h"

namespace logoffcheck::cli {

namespace {

// The engine's defaults are the CLI's (docs/cli.md lists them).
const RunConfig kDefaultRun;

struct CertifyArguments {
  std::string provider;
  std::optional<std::string> profile;
  bool strict = false;
  std::uint64_t seed = kDefaultRun.seed;
  std::uint64_t cases = kDefaultRun.cases;
  std::uint32_t max_steps = kDefaultRun.max_steps;
  IsolationArguments isolation;
  std::uint32_t shard_index = 0;
  std::uint32_t shard_count = 1;
  Outputs outputs;
  ConcurrentArguments concurrency;
};

// "deferred", "eager": what --profile accepts.
std::vector<std::string> profile_names() {
  std::vector<std::string> names;
  for (const Profile profile : kProfiles) names.emplace_back(profile_name(profile));
  return names;
}

RunConfig run_config(const CertifyArguments& arguments, const ChosenProvider& chosen) {
  RunConfig config;
  // The contract's default profile is deferred; a bundled provider is
  // certified under the profile it was written for.
  config.case_options.profile =
      arguments.profile ? *parse_profile(*arguments.profile)
                        : (chosen.builtin ? chosen.builtin->profile : Profile::deferred);
  config.case_options.strict = arguments.strict;
  config.seed = arguments.seed;
  config.cases = arguments.cases;
  config.max_steps = arguments.max_steps;
  config.shard_index = arguments.shard_index;
  config.shard_count = arguments.shard_count;
  return config;
}

int certify(const CertifyArguments& arguments) {
  if (arguments.shard_index >= arguments.shard_count) {
    throw ConfigurationError("--shard-index " + std::to_string(arguments.shard_index) +
                             " must be below --shard-count " +
                             std::to_string(arguments.shard_count));
  }
  const ChosenProvider chosen = choose_provider(arguments.provider);
  RunConfig config = run_config(arguments, chosen);
  if (arguments.concurrency.threads > 1) {
    return certify_concurrently(chosen, config, arguments.concurrency, arguments.isolation,
                                arguments.outputs);
  }
  const std::unique_ptr<CaseRunner> runner = make_runner(
      chosen.provider, config.case_options, runner_options(chosen, arguments.isolation));
  ProgressLine progress;
  config.progress = progress.callback();
  const RunResult run = run_certification(*runner, config);
  progress.clear();

  const Report report = make_report(run, config, chosen.provider.name());
  const std::string table =
      run.counterexample
          ? format_step_table(run.counterexample->records, run.counterexample->violation,
                              run.counterexample->violation_step)
          : std::string();
  // The summary first: if a file cannot be written, the run is not lost.
  print_report_summary(std::cout, report, "certify");
  if (run.counterexample) {
    print_counterexample(std::cout, report, table, arguments.outputs.counterexample);
  }
  arguments.outputs.write(report, table);
  return report.conformant() ? kConformant : kNotConformant;
}

void add_shard_options(CLI::App& command, CertifyArguments& arguments) {
  CLI::Option* shard_index = command.add_option("--shard-index", arguments.shard_index,
                                                "This shard runs the cases i with i % K == I");
  CLI::Option* shard_count =
      command.add_option("--shard-count", arguments.shard_count, "Number of shards K")
          ->check(CLI::Range(1u, 1000000u));
  shard_index->needs(shard_count);
  shard_count->needs(shard_index);
}

}  // namespace

Command add_certify_command(CLI::App& app) {
  auto arguments = std::make_shared<CertifyArguments>();
  CLI::App* command = app.add_subcommand(
      "certify", "Run random cases against a provider; shrink the first failure");
  command
      ->add_option("--provider", arguments->provider,
                   "builtin:NAME (see `logoffcheck providers`) or a provider library path")
      ->required();
  command
      ->add_option("--profile", arguments->profile,
                   "deferred or eager (default: deferred; a bundled provider's own profile)")
      ->check(CLI::IsMember(profile_names()));
  command->add_flag("--strict", arguments->strict, "SHOULD clauses fail certification too");
  command->add_option("--seed", arguments->seed, "Seed of the case stream")
      ->capture_default_str();
  command->add_option("--cases", arguments->cases, "Cases to run, in all shards together")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  command
      ->add_option("--max-steps", arguments->max_steps,
                   "Generated steps per case, before the final Releases")
      ->check(CLI::Range(0u, 10000u))
      ->capture_default_str();
  command
      ->add_option("--threads", arguments->concurrency.threads,
                   "Client threads per case; 2 or more plays concurrent histories (RC-4)")
      ->check(CLI::Range(1u, 16u))
      ->capture_default_str();
  command
      ->add_option("--repeat", arguments->concurrency.repeat,
                   "With --threads: plays of each concurrent case (races are probabilistic)")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  add_isolation_options(*command, arguments->isolation);
  add_output_options(*command, arguments->outputs);
  add_shard_options(*command, *arguments);
  return {command, [arguments] { return certify(*arguments); }};
}

}  // namespace logoffcheck::cli
