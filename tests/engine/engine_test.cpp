// The engine: cases are a function of (seed, index), counterexamples replay
// exactly, the final Releases are executed and judged, and generation covers
// every kind of input and environment event.
#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "engine_test_support.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"

namespace logoffcheck {
namespace {

using test_support::describe_counterexample;
using test_support::runner_for;

const BuiltinProvider& builtin(std::string_view name) {
  const BuiltinProvider* provider = find_builtin_provider(name);
  if (provider == nullptr) throw std::invalid_argument("no builtin provider " + std::string(name));
  return *provider;
}

RunResult certify(const BuiltinProvider& provider, std::uint64_t seed) {
  RunConfig config;
  config.seed = seed;
  config.case_options.profile = provider.profile;
  auto runner = runner_for(provider, config.case_options);
  return run_certification(*runner, config);
}

// --- Determinism and replay ------------------------------------------------------------

TEST(Replay, ACounterexampleReplaysToTheSameRecordsAndViolation) {
  for (std::string_view name : {"saves-first-flag", "retries-logoff-when-busy",
                                "clears-flag-on-invalid-input", "eager-releases-support-twice"}) {
    SCOPED_TRACE(std::string(name));
    const BuiltinProvider& mutant = builtin(name);
    const RunResult run = certify(mutant, 5);
    ASSERT_FALSE(run.conformant());
    const Counterexample& found = *run.counterexample;

    auto runner = runner_for(mutant, {mutant.profile, false});
    const CaseResult replay = runner->run(found.steps());
    ASSERT_EQ(replay.records.size(), found.records.size());
    for (std::size_t i = 0; i < found.records.size(); ++i) {
      EXPECT_EQ(replay.records[i].step, found.records[i].step) << "step " << i;
      EXPECT_TRUE(replay.records[i].observed == found.records[i].observed) << "step " << i;
    }
    ASSERT_TRUE(replay.violation.has_value());
    EXPECT_EQ(*replay.violation, found.violation);
    EXPECT_EQ(replay.violation_step, found.violation_step);
  }
}

TEST(Replay, TheSameSeedGivesTheSameCasesAndTheSameResult) {
  RunConfig config;
  config.seed = 42;
  RunConfig same = config;
  RunConfig other = config;
  other.seed = 43;
  std::size_t differing = 0;
  for (std::uint64_t index = 0; index < 300; ++index) {
    const std::vector<Step> steps = generate_case(config, index);
    EXPECT_EQ(steps, generate_case(same, index)) << "case " << index;
    differing += steps != generate_case(other, index);
  }
  EXPECT_GT(differing, 150u) << "another seed should give other cases";

  const BuiltinProvider& mutant = builtin("accumulates-flags");
  const RunResult first = certify(mutant, 42);
  const RunResult second = certify(mutant, 42);
  ASSERT_FALSE(first.conformant());
  ASSERT_FALSE(second.conformant());
  EXPECT_EQ(first.cases_run, second.cases_run);
  EXPECT_EQ(first.steps_run, second.steps_run);
  EXPECT_EQ(first.tally, second.tally);
  EXPECT_EQ(first.counterexample->case_index, second.counterexample->case_index);
  EXPECT_EQ(first.counterexample->steps(), second.counterexample->steps());
  EXPECT_EQ(first.counterexample->violation, second.counterexample->violation);
  EXPECT_EQ(first.counterexample->shrink_runs, second.counterexample->shrink_runs);
}

TEST(Replay, ShardsPartitionTheCasesOfARun) {
  RunConfig whole;
  whole.cases = 200;
  std::uint64_t cases = 0, steps = 0;
  ClauseTally tally;
  for (std::uint32_t shard = 0; shard < 3; ++shard) {
    RunConfig config = whole;
    config.shard_index = shard;
    config.shard_count = 3;
    auto runner = runner_for(builtin("reference"), config.case_options);
    const RunResult part = run_certification(*runner, config);
    EXPECT_TRUE(part.conformant());
    cases += part.cases_run;
    steps += part.steps_run;
    tally.add(part.tally);
  }
  auto runner = runner_for(builtin("reference"), whole.case_options);
  const RunResult unsharded = run_certification(*runner, whole);
  EXPECT_EQ(cases, unsharded.cases_run);
  EXPECT_EQ(steps, unsharded.steps_run);
  EXPECT_EQ(tally, unsharded.tally);
}

// --- The final Releases ----------------------------------------------------------------

TEST(FinalRelease, AnEmptyCaseExecutesExactlyOneReleaseWhichIsTheFinalOne) {
  auto runner = runner_for(builtin("reference"), {});
  const CaseResult result = runner->run(std::vector<Step>{});
  EXPECT_FALSE(result.failed());
  ASSERT_EQ(result.executed, std::vector<Step>{release()});
  ASSERT_EQ(result.records.size(), 1u);
  const StepRecord& final_release = result.records[0];
  EXPECT_TRUE(final_release.expected.final_release);
  EXPECT_EQ(final_release.observed.count_returned, 0u);
  // LT-3: LOGOFF_ABORT, since StoreLogoff never came.
  ASSERT_EQ(final_release.observed.transport_call_count, 1u);
  EXPECT_EQ(final_release.observed.transport_calls[0].flags_in, LOGOFF_ABORT);
  EXPECT_EQ(final_release.observed.support_references_after, 0u);  // RC-2
}

TEST(FinalRelease, EveryReferenceTheClientHoldsIsReleasedAndOnlyTheLastIsFinal) {
  auto runner = runner_for(builtin("reference"), {});
  const CaseResult result =
      runner->run(std::vector<Step>{add_ref(), store_logoff(LOGOFF_PURGE), add_ref()});
  EXPECT_FALSE(result.failed());
  const std::vector<Step> expected = {
      add_ref(), store_logoff(LOGOFF_PURGE), add_ref(), release(), release(), release()};
  ASSERT_EQ(result.executed, expected);
  for (std::size_t i = 0; i < result.records.size(); ++i) {
    EXPECT_EQ(result.records[i].expected.final_release, i + 1 == result.records.size()) << i;
  }
  ASSERT_EQ(result.records.back().observed.transport_call_count, 1u);
  EXPECT_EQ(result.records.back().observed.transport_calls[0].flags_in, LOGOFF_PURGE);  // LT-1
}

TEST(FinalRelease, IsJudged) {
  // forgets-abort-default misbehaves only in the appended final Release.
  auto runner = runner_for(builtin("forgets-abort-default"), {});
  const CaseResult result = runner->run(std::vector<Step>{});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(clause_code(result.violation->clause), "LT-3");
  EXPECT_EQ(result.violation_step, 0u);
  EXPECT_EQ(result.executed, std::vector<Step>{release()});
}

TEST(FinalRelease, StepsAfterTheFinalReleaseAreSkipped) {
  auto runner = runner_for(builtin("reference"), {});
  const CaseResult result =
      runner->run(std::vector<Step>{release(), add_ref(), store_logoff(LOGOFF_NO_WAIT)});
  EXPECT_FALSE(result.failed());
  EXPECT_EQ(result.executed, std::vector<Step>{release()});
}

// --- Exceptions in process (RC-3) ------------------------------------------------------

// A store that follows the deferred profile, except that its StoreLogoff
// lets a C++ exception cross the ABI.
class ThrowingStore final : public IMsgStore {
 public:
  explicit ThrowingStore(IMAPISupport* support) : support_(support) { support_->AddRef(); }
  ULONG AddRef() override { return ++references_; }
  ULONG Release() override {
    const ULONG remaining = --references_;
    if (remaining == 0) {
      ULONG flags = LOGOFF_ABORT;
      support_->StoreLogoffTransports(&flags);
      support_->Release();
      delete this;
    }
    return remaining;
  }
  HRESULT StoreLogoff(ULONG*) override { throw std::runtime_error("flags not understood"); }

 private:
  ~ThrowingStore() = default;
  IMAPISupport* support_;
  ULONG references_ = 1;
};

IMsgStore* open_throwing_store(IMAPISupport* support) { return new ThrowingStore(support); }

TEST(InProcess, AnExceptionEscapingACallIsCaughtAsRc3AndEndsTheCase) {
  InProcessRunner runner(Provider("test:throwing", &open_throwing_store), {});
  EXPECT_FALSE(runner.run(std::vector<Step>{add_ref()}).failed());
  const CaseResult result =
      runner.run(std::vector<Step>{add_ref(), store_logoff(LOGOFF_NO_WAIT), release()});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(clause_code(result.violation->clause), "RC-3");
  EXPECT_EQ(result.violation_step, 1u);
  ASSERT_EQ(result.executed.size(), 2u);  // the store is not called again
  EXPECT_EQ(result.records[1].observed.outcome, CallOutcome::threw);
  EXPECT_NE(result.violation->observed.find("flags not understood"), std::string::npos)
      << result.violation->observed;
}

// --- Generation ---------------------------------------------------------------------------

enum class Kind {
  valid_no_wait,
  valid_orderly,
  valid_purge,
  valid_abort,
  valid_quiet,
  invalid_null,
  invalid_zero,
  invalid_two_flags,
  invalid_unknown_bits,
  invalid_output_only_bits,
  ref_count_above_one,
  release_to_nonzero,
  inbound_begins,
  inbound_ends,
  outbound_begins,
  outbound_ends,
  message_queued,
  other_process_opens,
  other_process_closes,
};

constexpr std::array<std::string_view, 19> kKindNames = {
    "StoreLogoff(LOGOFF_NO_WAIT)",
    "StoreLogoff(LOGOFF_ORDERLY)",
    "StoreLogoff(LOGOFF_PURGE)",
    "StoreLogoff(LOGOFF_ABORT)",
    "StoreLogoff(LOGOFF_QUIET)",
    "StoreLogoff(NULL)",
    "StoreLogoff(0)",
    "StoreLogoff(two input flags)",
    "StoreLogoff(unknown bits)",
    "StoreLogoff(output-only bits)",
    "reference count above one",
    "Release to a count above zero",
    "InboundBegins",
    "InboundEnds",
    "OutboundBegins",
    "OutboundEnds",
    "MessageQueued",
    "OtherProcessOpens",
    "OtherProcessCloses",
};

std::vector<Kind> kinds_of(const Step& step, const State& before) {
  std::vector<Kind> kinds;
  switch (step.action) {
    case Action::AddRef:
      if (before.ref_count >= 1) kinds.push_back(Kind::ref_count_above_one);
      break;
    case Action::Release:
      if (before.ref_count > 1) kinds.push_back(Kind::release_to_nonzero);
      break;
    case Action::StoreLogoff: {
      const ULONG flags = step.flags;
      if (step.null_flags_pointer) {
        kinds.push_back(Kind::invalid_null);
      } else if (is_single_input_flag(flags)) {
        const auto position = std::find(kInputFlags.begin(), kInputFlags.end(), flags);
        kinds.push_back(static_cast<Kind>(position - kInputFlags.begin()));
      } else if (flags == 0) {
        kinds.push_back(Kind::invalid_zero);
      } else {
        if ((flags & kInputFlagMask) != 0 && !is_single_input_flag(flags & kInputFlagMask)) {
          kinds.push_back(Kind::invalid_two_flags);
        }
        if ((flags & ~kKnownFlagMask) != 0) kinds.push_back(Kind::invalid_unknown_bits);
        if ((flags & kOutputFlagMask) != 0) kinds.push_back(Kind::invalid_output_only_bits);
      }
      break;
    }
    default:
      kinds.push_back(static_cast<Kind>(static_cast<int>(Kind::inbound_begins) +
                                        static_cast<int>(step.action) -
                                        static_cast<int>(Action::InboundBegins)));
      break;
  }
  return kinds;
}

class GenerationTest : public ::testing::TestWithParam<Profile> {};

TEST_P(GenerationTest, CoversEveryInputFlagInvalidInputReferenceCountsAndEnvironmentEvent) {
  RunConfig config;
  config.case_options.profile = GetParam();
  std::map<Kind, std::uint64_t> seen;
  constexpr std::uint64_t kCases = 2000;
  for (std::uint64_t index = 0; index < kCases; ++index) {
    State state = initial_state(GetParam());
    const std::vector<Step> steps = generate_case(config, index);
    EXPECT_LE(steps.size(), config.max_steps);
    for (const Step& step : steps) {
      // Generated cases respect the caller rules: nothing is skipped.
      ASSERT_TRUE(caller_may(state, step)) << describe_step(step) << " in case " << index;
      for (Kind kind : kinds_of(step, state)) ++seen[kind];
      state = logoffcheck::step(state, step).next;
    }
  }
  for (std::size_t kind = 0; kind < kKindNames.size(); ++kind) {
    EXPECT_GT(seen[static_cast<Kind>(kind)], 0u) << kKindNames[kind] << " never generated";
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, GenerationTest, ::testing::ValuesIn(kProfiles),
                         [](const auto& info) { return std::string(profile_name(info.param)); });

TEST(Generation, CaseLengthsSpanZeroToMaxSteps) {
  RunConfig config;
  config.max_steps = 20;
  std::size_t shortest = config.max_steps, longest = 0;
  for (std::uint64_t index = 0; index < 500; ++index) {
    const std::size_t length = generate_case(config, index).size();
    shortest = std::min(shortest, length);
    longest = std::max(longest, length);
  }
  EXPECT_EQ(shortest, 0u);
  EXPECT_EQ(longest, config.max_steps);
}

// --- Shrinking ----------------------------------------------------------------------------

TEST(Shrinking, KeepsTheClauseAndReachesTheMinimumFromALongFailingCase) {
  const BuiltinProvider& mutant = builtin("saves-first-flag");
  auto runner = runner_for(mutant, {});
  const std::vector<Step> failing = {add_ref(),
                                     environment(Action::MessageQueued),
                                     store_logoff(LOGOFF_QUIET),
                                     store_logoff(0),
                                     add_ref(),
                                     store_logoff(LOGOFF_PURGE),
                                     release(),
                                     environment(Action::InboundBegins),
                                     store_logoff(LOGOFF_ABORT)};
  const Counterexample found = shrink_failure(*runner, failing);
  EXPECT_EQ(clause_code(found.violation.clause), "LT-1");
  EXPECT_EQ(found.original_length, failing.size() + 2);
  EXPECT_EQ(found.records.size(), mutant.minimal_length);
  EXPECT_GT(found.shrink_runs, 0u);
}

TEST(Shrinking, RefusesACaseThatDoesNotFail) {
  auto runner = runner_for(builtin("reference"), {});
  EXPECT_THROW(shrink_failure(*runner, {store_logoff(LOGOFF_NO_WAIT)}), std::invalid_argument);
}

TEST(Engine, RejectsAShardIndexBeyondTheShardCount) {
  RunConfig config;
  config.shard_count = 2;
  config.shard_index = 2;
  auto runner = runner_for(builtin("reference"), {});
  EXPECT_THROW(run_certification(*runner, config), ConfigurationError);
}

TEST(Engine, ReportsProgressDuringARun) {
  RunConfig config;
  config.cases = 1000;
  std::vector<Progress> reports;
  config.progress = [&](const Progress& progress) { reports.push_back(progress); };
  auto runner = runner_for(builtin("reference"), {});
  const RunResult run = run_certification(*runner, config);
  EXPECT_TRUE(run.conformant()) << describe_counterexample(run);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().cases_total, 1000u);
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GT(reports[i].cases_done, reports[i - 1].cases_done);
  }
}

}  // namespace
}  // namespace logoffcheck
