// logoffcheck/clauses.h — the clause catalog: every clause of the StoreLogoff
// contract, defined once (docs/contract.md is written from the same table).
//
// Provider clauses (SL-, LT-, RC-) judge the store under test; spooler clauses
// (SP-) state what the simulated IMAPISupport::StoreLogoffTransports answers,
// and are checked against every call the verifier's own support object serves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "logoffcheck/model.h"

namespace logoffcheck {

enum class ClauseId : std::uint8_t {
  SL_1,
  SL_2,
  SL_3,
  SL_4,
  SL_5,
  LT_1,
  LT_2,
  LT_3,
  LT_4,
  RC_1,
  RC_2,
  RC_3,
  RC_4,
  SP_1,
  SP_2,
  SP_3,
  SP_4,
  SP_5,
  SP_6,
  SP_7,
};

inline constexpr std::size_t kClauseCount = 20;

// MUST clauses fail certification; SHOULD clauses warn, and fail in strict mode.
enum class Level : std::uint8_t { must, should };

// Which profiles a clause judges.
enum class ProfileScope : std::uint8_t { both, deferred_only, eager_only };

// Who the clause binds.
enum class Party : std::uint8_t { provider, spooler };

struct Clause {
  ClauseId id;
  std::string_view code;  // "SL-1"
  Level level;
  ProfileScope scope;
  Party party;
  std::string_view statement;  // one sentence, the project's words
  std::string_view source;     // where in the seeds (and which decision) it comes from
};

// The catalog, in ClauseId order.
extern const std::array<Clause, kClauseCount> kClauses;

inline const Clause& clause(ClauseId id) noexcept { return kClauses[static_cast<std::size_t>(id)]; }

inline std::string_view clause_code(ClauseId id) noexcept { return clause(id).code; }

// The clause with that code ("SL-1"), if any.
std::optional<ClauseId> parse_clause(std::string_view code) noexcept;

std::string_view level_name(Level level) noexcept;         // "MUST", "SHOULD"
std::string_view scope_name(ProfileScope scope) noexcept;  // "both", "deferred", "eager"

constexpr bool applies_to(ProfileScope scope, Profile profile) noexcept {
  return scope == ProfileScope::both ||
         (scope == ProfileScope::deferred_only) == (profile == Profile::deferred);
}

inline bool applies_to(ClauseId id, Profile profile) noexcept {
  return applies_to(clause(id).scope, profile);
}

}  // namespace logoffcheck
