// `logoffcheck clauses` and `logoffcheck providers`: what the verifier
// checks and what it bundles.
#include <iostream>
#include <string>
#include <vector>

#include "command.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/document.h"
#include "logoffcheck/text.h"

namespace logoffcheck::cli {

namespace {

int list_clauses() {
  std::vector<std::vector<std::string>> rows;
  for (const Clause& entry : kClauses) {
    rows.push_back({std::string(entry.code), std::string(level_name(entry.level)),
                    std::string(scope_name(entry.scope)), std::string(entry.statement)});
  }
  std::cout << format_table({"clause", "level", "profile", "statement"}, rows);
  return kConformant;
}

// What certifying a mutant shows: "LT-1, 3 steps", "SL-3 (strict), 1 step".
std::string caught_by(const BuiltinProvider& builtin) {
  if (!builtin.is_mutant()) return "-";
  std::string text(clause_code(*builtin.caught_by));
  if (builtin.caught_only_in_strict_mode()) text += " (strict)";
  if (builtin.threads > 1) return text + ", --threads " + std::to_string(builtin.threads);
  if (builtin.stores > 1) text += ", --stores " + std::to_string(builtin.stores);
  text += ", " + std::to_string(builtin.minimal_length) +
          (builtin.minimal_length == 1 ? " step" : " steps");
  return text;
}

int list_providers() {
  std::vector<std::vector<std::string>> rows;
  for (const BuiltinProvider& builtin : builtin_providers()) {
    rows.push_back({std::string(kBuiltinProviderPrefix) + std::string(builtin.name),
                    builtin.is_mutant() ? "mutant" : "reference",
                    std::string(profile_name(builtin.profile)), caught_by(builtin),
                    std::string(builtin.description)});
  }
  std::cout << format_table({"provider", "kind", "profile", "caught by", "description"}, rows);
  return kConformant;
}

}  // namespace

Command add_clauses_command(CLI::App& app) {
  return {app.add_subcommand("clauses", "List the contract's clauses"), list_clauses};
}

Command add_providers_command(CLI::App& app) {
  return {app.add_subcommand("providers", "List the bundled providers"), list_providers};
}

}  // namespace logoffcheck::cli
