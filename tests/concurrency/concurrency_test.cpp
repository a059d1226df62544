// Concurrent cases as values, the threaded player and the linearizability
// checker, on the reference stores played in this process (these run under
// ThreadSanitizer in the tsan preset).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "logoffcheck/builtin.h"
#include "logoffcheck/concurrent.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/report.h"

namespace logoffcheck {
namespace {

ConcurrentConfig config_for(Profile profile, std::uint64_t seed = 1) {
  ConcurrentConfig config;
  config.run.case_options = {profile, true};
  config.run.seed = seed;
  return config;
}

Provider reference_provider(Profile profile) {
  const BuiltinProvider* reference =
      find_builtin_provider(profile == Profile::deferred ? "reference" : "reference-eager");
  return Provider(std::string(reference->name), reference->open_store);
}

TEST(ConcurrentGeneration, CasesKeepTheCallerRulesAndBothEndings) {
  for (const Profile profile : kProfiles) {
    const ConcurrentConfig config = config_for(profile);
    std::set<bool> threads_end_the_store;
    for (std::uint64_t index = 0; index < 400; ++index) {
      const ConcurrentCase c = generate_concurrent_case(config, index);
      ASSERT_TRUE(concurrent_case_valid(c, profile)) << profile_name(profile) << " case " << index;
      EXPECT_EQ(c.threads.size(), config.threads);
      EXPECT_EQ(c, generate_concurrent_case(config, index)) << "not a function of the index";
      threads_end_the_store.insert(final_releases(c, profile) == 0);
    }
    EXPECT_EQ(threads_end_the_store.size(), 2u)
        << "cases must both race to the final Release and leave it to the client";
  }
}

TEST(ConcurrentGeneration, ValidityRefusesWhatBreaksTheCallerRules) {
  ConcurrentCase c;
  c.threads = {{release()}, {}};  // the client's only reference, then nothing left
  EXPECT_TRUE(concurrent_case_valid(c, Profile::deferred));
  EXPECT_EQ(final_releases(c, Profile::deferred), 0u);
  c.threads = {{release()}, {add_ref()}};  // thread 2 calls a store that may be gone
  EXPECT_FALSE(concurrent_case_valid(c, Profile::deferred));
  c.threads = {{release()}, {release()}};  // two Releases of one reference
  EXPECT_FALSE(concurrent_case_valid(c, Profile::deferred));
  c = {{add_ref()}, {{release()}, {add_ref(), release()}}};
  EXPECT_TRUE(concurrent_case_valid(c, Profile::deferred));
  c.threads = {{store_logoff(LOGOFF_ORDERLY)}, {add_ref(), release()}};
  EXPECT_TRUE(concurrent_case_valid(c, Profile::deferred));
  EXPECT_FALSE(concurrent_case_valid(c, Profile::eager)) << "eager: valid StoreLogoff in a thread";
  c.threads = {{environment(Action::MessageQueued)}};
  EXPECT_FALSE(concurrent_case_valid(c, Profile::deferred));
}

TEST(Linearizability, ReferenceStoresPlayedConcurrentlyAreLinearizableUnderStrict) {
  for (const Profile profile : kProfiles) {
    const auto runner =
        make_in_process_history_runner(reference_provider(profile), {profile, true});
    const ConcurrentConfig config = config_for(profile);
    for (std::uint64_t index = 0; index < 60; ++index) {
      const ConcurrentCase c = generate_concurrent_case(config, index);
      for (const History& history : runner->play(c, 3, index)) {
        const LinearizabilityResult result = check_linearizability(history, {profile, true});
        ASSERT_TRUE(result.linearizable)
            << profile_name(profile) << " case " << index << ": " << result.violation.expected
            << " / " << result.violation.observed;
        EXPECT_EQ(result.order.size(), history.calls.size());
        EXPECT_EQ(result.tally.passed[static_cast<std::size_t>(ClauseId::RC_4)], 1u);
      }
    }
  }
}

// One history of two threads' StoreLogoffs and the final Release, played
// against the deferred reference store.
History two_logoffs() {
  const auto runner = make_in_process_history_runner(reference_provider(Profile::deferred),
                                                     {Profile::deferred, false});
  const ConcurrentCase c{{}, {{store_logoff(LOGOFF_ORDERLY)}, {store_logoff(LOGOFF_NO_WAIT)}}};
  std::vector<History> histories = runner->play(c, 1, 7);
  EXPECT_EQ(histories.front().calls.size(), 3u);
  return histories.front();
}

// Gives the StoreLogoff whose flag the final Release passed (the one that
// must come last) and the other one these intervals, then the final Release.
History with_intervals(History history, std::uint64_t passed_from, std::uint64_t passed_to,
                       std::uint64_t other_from, std::uint64_t other_to) {
  const ULONG passed = history.calls.back().observed.transport_calls[0].flags_in;
  for (std::size_t i = 0; i < 2; ++i) {
    HistoryCall& call = history.calls[i];
    const bool is_passed = call.step.flags == passed;
    call.invoked = is_passed ? passed_from : other_from;
    call.responded = is_passed ? passed_to : other_to;
  }
  history.calls[2].invoked = 10, history.calls[2].responded = 11;
  std::sort(history.calls.begin(), history.calls.begin() + 2,
            [](const HistoryCall& a, const HistoryCall& b) { return a.invoked < b.invoked; });
  return history;
}

TEST(Linearizability, OverlappingCallsMayTakeEitherOrderButRealTimeIsKept) {
  const History played = two_logoffs();
  ASSERT_EQ(played.prefix_length, 0u);
  const CaseOptions options{Profile::deferred, true};
  // Overlapping either way round: the passed flag's StoreLogoff can come last.
  EXPECT_TRUE(check_linearizability(with_intervals(played, 0, 2, 1, 3), options).linearizable);
  EXPECT_TRUE(check_linearizability(with_intervals(played, 1, 3, 0, 2), options).linearizable);
  // The passed flag's StoreLogoff returned before the other began: no
  // order explains the final Release. Nothing overlapped, so the clause is
  // LT-1 itself, as in a sequential run.
  const LinearizabilityResult result =
      check_linearizability(with_intervals(played, 0, 1, 2, 3), options);
  EXPECT_FALSE(result.linearizable);
  EXPECT_EQ(result.violation.clause, ClauseId::LT_1);
  EXPECT_EQ(result.unexplained, 2u);
  EXPECT_EQ(result.order.size(), 2u);
}

TEST(Linearizability, AnUnexplainableReturnValueIsRc4UnderStrictOnly) {
  const auto runner = make_in_process_history_runner(reference_provider(Profile::deferred),
                                                     {Profile::deferred, true});
  const ConcurrentCase c{{}, {{add_ref(), release()}, {add_ref(), release()}}};
  History history = runner->play(c, 1, 3).front();
  ASSERT_TRUE(check_linearizability(history, {Profile::deferred, true}).linearizable);
  // Both AddRefs overlap and claim the count went from 1 to 2.
  for (HistoryCall& call : history.calls) {
    call.invoked = call.step.action == Action::AddRef ? call.thread : call.invoked + 10;
    call.responded = call.step.action == Action::AddRef ? 2 + call.thread : call.responded + 10;
    if (call.step.action == Action::AddRef) call.observed.count_returned = 2;
  }
  const LinearizabilityResult strict = check_linearizability(history, {Profile::deferred, true});
  EXPECT_FALSE(strict.linearizable);
  EXPECT_EQ(strict.violation.clause, ClauseId::RC_4);
  EXPECT_EQ(strict.cause, ClauseId::RC_1);
  EXPECT_NE(strict.violation.expected.find("returns 3"), std::string::npos)
      << strict.violation.expected;
  EXPECT_TRUE(check_linearizability(history, {Profile::deferred, false}).linearizable)
      << "RC-1 is a SHOULD: it does not fail RC-4 without --strict";
  ConcurrentCounterexample shown;
  shown.history = history;
  shown.judgement = strict;
  Report report;
  report.counterexample =
      make_counterexample_document(shown, "builtin:reference", {Profile::deferred, true}, 1);
  const std::string text = format_counterexample(report);
  EXPECT_NE(text.find("thread 2"), std::string::npos) << text;
  EXPECT_NE(text.find("no order explains call"), std::string::npos) << text;
}

TEST(Linearizability, ACallThatDiedIsRc3WhateverTheOrder) {
  History history = two_logoffs();
  history.calls[1].completed = false;
  history.calls[1].observed.outcome = CallOutcome::signaled;
  history.calls[1].observed.fault_detail = 11;
  const LinearizabilityResult result = check_linearizability(history, {Profile::deferred, false});
  EXPECT_FALSE(result.linearizable);
  EXPECT_EQ(result.violation.clause, ClauseId::RC_3);
  EXPECT_EQ(result.unexplained, 1u);
}

}  // namespace
}  // namespace logoffcheck

namespace logoffcheck {
namespace {

// A report of a sequential run lists RC-4 as not exercised; one written
// before RC-4 joined the catalog (without its entry) is still read.
TEST(Reports, RcFourIsNotExercisedSequentiallyAndOldReportsStillRead) {
  const BuiltinProvider& builtin = *find_builtin_provider("reference");
  InProcessRunner runner(Provider("builtin:reference", builtin.open_store), {});
  RunConfig config;
  config.cases = 50;
  const Report report = make_report(run_certification(runner, config), config, "builtin:reference");
  EXPECT_EQ(clause_status(ClauseId::RC_4, report.tally, Profile::deferred, false),
            ClauseStatus::not_exercised);
  std::string text = write_report_json(report);
  const std::size_t rc4 = text.find("    {\"id\": \"RC-4\"");
  ASSERT_NE(rc4, std::string::npos) << text;
  std::string old = text;
  old.erase(rc4, old.find('\n', rc4) + 1 - rc4);
  EXPECT_EQ(parse_report_json(old), report);
  EXPECT_EQ(parse_report_json(text), report);
}

}  // namespace
}  // namespace logoffcheck
