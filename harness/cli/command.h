// The command line's shared vocabulary: exit statuses, and how a subcommand
// plugs in. Each subcommand lives in a file of its own (certify.cpp,
// replay.cpp, ...) and exposes one add_*_command function that registers its
// options on the application and returns how to run it once parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace logoffcheck::cli {

// docs/cli.md lists them.
enum ExitStatus : int {
  kConformant = 0,
  kNotConformant = 1,
  kUsageError = 2,
  kInternalError = 3,
};

struct Command {
  CLI::App* app = nullptr;
  // Runs the command with the arguments parsed into it; returns the exit status.
  std::function<int()> run;
};

Command add_certify_command(CLI::App& app);
Command add_explore_command(CLI::App& app);
Command add_replay_command(CLI::App& app);
Command add_merge_command(CLI::App& app);
Command add_clauses_command(CLI::App& app);
Command add_providers_command(CLI::App& app);

}  // namespace logoffcheck::cli
