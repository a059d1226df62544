// The clause catalog (clauses.h) and docs/contract.md, which must say the same.
#include <gtest/gtest.h>

#include "logoffcheck/clauses.h"
#include "source_file.h"

namespace logoffcheck {
namespace {

constexpr std::string_view kExpectedCodes[kClauseCount] = {
    "SL-1", "SL-2", "SL-3", "SL-4", "SL-5", "LT-1", "LT-2", "LT-3", "LT-4", "RC-1",
    "RC-2", "RC-3", "RC-4", "SP-1", "SP-2", "SP-3", "SP-4", "SP-5", "SP-6", "SP-7",
};

TEST(ClauseCatalog, AllTwentyClausesInIdOrderAndCodesParseBack) {
  for (std::size_t i = 0; i < kClauseCount; ++i) {
    const Clause& entry = kClauses[i];
    EXPECT_EQ(static_cast<std::size_t>(entry.id), i);
    EXPECT_EQ(entry.code, kExpectedCodes[i]);
    EXPECT_EQ(&clause(entry.id), &entry);
    EXPECT_EQ(clause_code(entry.id), entry.code);
    EXPECT_EQ(parse_clause(entry.code), entry.id);
  }
  EXPECT_FALSE(parse_clause("SL-6").has_value());
  EXPECT_FALSE(parse_clause("sl-1").has_value());
}

TEST(ClauseCatalog, OnlySl3AndRc1AreShould) {
  for (const Clause& entry : kClauses) {
    const bool should = entry.id == ClauseId::SL_3 || entry.id == ClauseId::RC_1;
    EXPECT_EQ(entry.level, should ? Level::should : Level::must) << entry.code;
  }
  EXPECT_EQ(level_name(Level::must), "MUST");
  EXPECT_EQ(level_name(Level::should), "SHOULD");
}

TEST(ClauseCatalog, ProfileScopesFollowTheContract) {
  for (const Clause& entry : kClauses) {
    ProfileScope scope = ProfileScope::both;
    if (entry.id == ClauseId::SL_4 || entry.id == ClauseId::LT_1)
      scope = ProfileScope::deferred_only;
    if (entry.id == ClauseId::SL_5) scope = ProfileScope::eager_only;
    EXPECT_EQ(entry.scope, scope) << entry.code;
  }
  // LT-2 judges both profiles: the project refinement that says so is in its statement.
  EXPECT_NE(clause(ClauseId::LT_2).statement.find("eager"), std::string_view::npos);
  EXPECT_TRUE(applies_to(ClauseId::SL_4, Profile::deferred));
  EXPECT_FALSE(applies_to(ClauseId::SL_4, Profile::eager));
  EXPECT_TRUE(applies_to(ClauseId::SL_5, Profile::eager));
  EXPECT_FALSE(applies_to(ClauseId::SL_5, Profile::deferred));
  EXPECT_EQ(scope_name(ProfileScope::deferred_only), "deferred");
  EXPECT_EQ(scope_name(ProfileScope::eager_only), "eager");
  EXPECT_EQ(scope_name(ProfileScope::both), "both");
}

TEST(ClauseCatalog, SpoolerClausesBindTheSpoolerAndTheRestTheProvider) {
  for (const Clause& entry : kClauses) {
    const bool spooler = entry.code.starts_with("SP-");
    EXPECT_EQ(entry.party, spooler ? Party::spooler : Party::provider) << entry.code;
  }
}

TEST(ClauseCatalog, EveryClauseHasAStatementAndASource) {
  for (const Clause& entry : kClauses) {
    EXPECT_FALSE(entry.statement.empty()) << entry.code;
    EXPECT_FALSE(entry.source.empty()) << entry.code;
  }
}

TEST(ContractDocument, NamesEveryClauseAndQuotesItsStatementVerbatim) {
  const std::string contract = testing::read_source_file("docs/contract.md");
  ASSERT_FALSE(contract.empty()) << "docs/contract.md could not be read";
  for (const Clause& entry : kClauses) {
    EXPECT_NE(contract.find(entry.code), std::string::npos)
        << "docs/contract.md does not mention " << entry.code;
    EXPECT_NE(contract.find(entry.statement), std::string::npos)
        << "docs/contract.md does not quote the statement of " << entry.code
        << " from kClauses verbatim: " << entry.statement;
  }
}

}  // namespace
}  // namespace logoffcheck
