// logoffcheck/builtin.h — the bundled providers: the reference stores and
// the gallery of mutants, each a realistic bug the verifier must catch.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "logoffcheck/clauses.h"
#include "logoffcheck/model.h"
#include "logoffcheck/provider.h"

namespace logoffcheck {

struct BuiltinProvider {
  std::string_view name;         // "reference", "saves-first-flag", ...
  std::string_view description;  // one line: what the store does (for a mutant, its bug)
  OpenStoreFunction open_store;
  // The profile the provider conforms to, or is certified under (a mutant's
  // bug is a bug under this profile).
  Profile profile;
  // For a mutant: the clause its shrunk counterexample names, and the number
  // of executed steps (final Releases included) of its minimal counterexample.
  // Empty for the reference providers.
  std::optional<ClauseId> caught_by;
  std::size_t minimal_length = 0;
  // The mutant crashes, hangs, exits or otherwise needs process isolation.
  bool needs_isolation = false;
  // The client threads per case that catch the mutant (certify --threads N):
  // 1 for a bug every sequential case can show; above 1 for a race, which
  // no sequential case shows (minimal_length is then 0: a shrunk race has
  // no one length).
  std::uint32_t threads = 1;
  // The stores per case that catch the mutant (certify --stores K): 1 for a
  // bug one store shows; above 1 for state shared between the stores of a
  // process (issue 23), which no case of one store shows.
  std::uint32_t stores = 1;

  bool is_mutant() const noexcept { return caught_by.has_value(); }

  // A mutant caught by a SHOULD clause (SL-3, RC-1) fails only in strict
  // mode (CaseOptions::strict); otherwise its runs are conformant and the
  // clause shows up as warnings in the tally.
  bool caught_only_in_strict_mode() const noexcept {
    return caught_by.has_value() && clause(*caught_by).level == Level::should;
  }
};

// Every bundled provider, references first, then the mutants by name.
std::span<const BuiltinProvider> builtin_providers() noexcept;

// The bundled provider of that name (without the "builtin:" prefix), if any.
const BuiltinProvider* find_builtin_provider(std::string_view name) noexcept;

}  // namespace logoffcheck
