// logoffcheck — the command line (docs/cli.md).
//
// Exit status: 0 conformant, 1 not conformant, 2 usage or configuration error
// (bad arguments, a provider that cannot be loaded, an unreadable or malformed
// file), 3 internal error. Every subcommand's work is in the libraries; each
// subcommand's file parses its arguments, picks the provider and prints. This
// file only registers them and turns exceptions into exit statuses.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "command.h"
#include "logoffcheck/document.h"

namespace {

using namespace logoffcheck;
using namespace logoffcheck::cli;

int run(int argc, char** argv) {
  CLI::App app{
      "logoffcheck: checks a MAPI message-store provider against the StoreLogoff "
      "contract (docs/contract.md)",
      "logoffcheck"};
  app.set_version_flag("--version", std::string(logoffcheck_version()));
  app.require_subcommand(1);

  const std::vector<Command> commands = {
      add_certify_command(app), add_explore_command(app), add_replay_command(app),
      add_merge_command(app),   add_clauses_command(app), add_providers_command(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    // Help and --version are successes; every other parse error is usage.
    return status == 0 ? kConformant : kUsageError;
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ConfigurationError& error) {
    std::cout.flush();
    std::cerr << "logoffcheck: error: " << error.what() << "\n";
    return kUsageError;
  } catch (const InternalError& error) {
    std::cout.flush();
    std::cerr << "logoffcheck: internal error: " << error.what() << "\n";
    return kInternalError;
  } catch (const std::exception& error) {
    std::cout.flush();
    std::cerr << "logoffcheck: internal error: " << error.what() << "\n";
    return kInternalError;
  } catch (...) {
    std::cerr << "logoffcheck: internal error: an unknown exception\n";
    return kInternalError;
  }
}
