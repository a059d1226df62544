// The checks (checks.h): for every clause, a correct observation passes and
// a wrong one fails with exactly that clause's ID; then check_step's
// reporting order and what SHOULD clauses do.
#include <csignal>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "conformant_observation.h"
#include "logoffcheck/checks.h"
#include "walk.h"

namespace logoffcheck {
namespace {

using testing::conformant_observation;
using testing::observe_only_call;
using testing::served_transport_call;
using testing::state_after;

constexpr Step inbound_begins = environment(Action::InboundBegins);
constexpr Step message_queued = environment(Action::MessageQueued);
constexpr Step other_process_opens = environment(Action::OtherProcessOpens);

// Changes an observation in the context of the state before the step.
using ObservationEdit = void (*)(const State& before, Observation& observed);

void unchanged(const State&, Observation&) {}

// Makes the step's only transport call `flags`, served by the model's spooler.
template <ULONG flags>
void transport_call(const State& before, Observation& observed) {
  observe_only_call(observed, served_transport_call(before.environment, flags));
}

// One clause exercised on one step: the correct observation is the conformant
// one after `make_correct`; `make_wrong` then breaks what the clause judges.
struct ClauseCase {
  const char* name;
  ClauseId clause;
  Profile profile;
  std::vector<Step> setup;
  Step step;
  ObservationEdit make_wrong;
  ObservationEdit make_correct = unchanged;
};

// gtest names a failing case by its name, not by its bytes.
void PrintTo(const ClauseCase& c, std::ostream* os) { *os << c.name; }

// The table keeps one case to a few lines; formatted one field to a line it
// would take this file past the 500-line limit of architecture.rooms.
// clang-format off
const std::vector<ClauseCase>& clause_cases() {
  using enum Profile;
  static const std::vector<ClauseCase> cases = {
      {"SL1_ValidInputFails", ClauseId::SL_1, deferred, {}, store_logoff(LOGOFF_ORDERLY),
       [](const State&, Observation& o) { o.result = MAPI_E_CALL_FAILED; }},
      {"SL1_EagerValidInputFails", ClauseId::SL_1, eager, {}, store_logoff(LOGOFF_PURGE),
       [](const State&, Observation& o) { o.result = MAPI_E_NO_SUPPORT; }},
      {"SL2_RejectedInputCallsTransports", ClauseId::SL_2, deferred, {}, store_logoff(0),
       transport_call<LOGOFF_NO_WAIT>},
      {"SL2_InvalidInputCallsTransports", ClauseId::SL_2, eager, {},
       store_logoff(LOGOFF_NO_WAIT | LOGOFF_ORDERLY), transport_call<LOGOFF_NO_WAIT>},
      {"SL3_OutputBitOnInputIsNotUnknownFlags", ClauseId::SL_3, deferred, {},
       store_logoff(LOGOFF_COMPLETE),
       [](const State&, Observation& o) { o.result = MAPI_E_INVALID_PARAMETER; }},
      {"SL3_NullIsNotInvalidParameter", ClauseId::SL_3, eager, {}, store_logoff_null(),
       [](const State&, Observation& o) { o.result = MAPI_E_CALL_FAILED; }},
      {"SL4_InputAndCompleteOnOutput", ClauseId::SL_4, deferred, {inbound_begins},
       store_logoff(LOGOFF_QUIET),
       [](const State&, Observation& o) { o.output_flags = LOGOFF_QUIET | LOGOFF_COMPLETE; },
       // An activity subset is as good as the unchanged input (D4).
       [](const State&, Observation& o) { o.output_flags = LOGOFF_INBOUND; }},
      {"SL4_CompleteIsAsGoodAsTheInput", ClauseId::SL_4, deferred, {}, store_logoff(LOGOFF_ORDERLY),
       [](const State&, Observation& o) { o.output_flags = LOGOFF_INBOUND | LOGOFF_COMPLETE; },
       // LOGOFF_COMPLETE, as the SDK sample store writes back (D4).
       [](const State&, Observation& o) { o.output_flags = LOGOFF_COMPLETE; }},
      {"SL4_InputChangedToAnotherFlag", ClauseId::SL_4, deferred, {}, store_logoff(LOGOFF_ORDERLY),
       [](const State&, Observation& o) { o.output_flags = LOGOFF_ABORT; }},
      {"SL5_NoCallDuringStoreLogoff", ClauseId::SL_5, eager, {}, store_logoff(LOGOFF_NO_WAIT),
       [](const State&, Observation& o) { o.transport_call_count = 0; }},
      {"SL5_CallWithAnotherFlag", ClauseId::SL_5, eager, {}, store_logoff(LOGOFF_NO_WAIT),
       transport_call<LOGOFF_ABORT>},
      {"SL5_SpoolersAnswerNotReturned", ClauseId::SL_5, eager, {inbound_begins},
       store_logoff(LOGOFF_QUIET),
       [](const State&, Observation& o) { o.output_flags = LOGOFF_QUIET; }},
      {"LT1_FinalReleaseForgetsTheSavedFlag", ClauseId::LT_1, deferred,
       {store_logoff(LOGOFF_PURGE)}, release(), transport_call<LOGOFF_ABORT>},
      {"LT1_FinalReleasePassesAnOverwrittenFlag", ClauseId::LT_1, deferred,
       {store_logoff(LOGOFF_PURGE), store_logoff(LOGOFF_ORDERLY)}, release(),
       transport_call<LOGOFF_PURGE>},
      {"LT2_DeferredAddRefCalls", ClauseId::LT_2, deferred, {}, add_ref(),
       transport_call<LOGOFF_ABORT>},
      {"LT2_DeferredStoreLogoffCalls", ClauseId::LT_2, deferred, {}, store_logoff(LOGOFF_ORDERLY),
       transport_call<LOGOFF_ORDERLY>},
      {"LT2_EagerNonFinalReleaseCalls", ClauseId::LT_2, eager, {add_ref()}, release(),
       transport_call<LOGOFF_ABORT>},
      {"LT3_DeferredFinalReleaseMakesNoCall", ClauseId::LT_3, deferred, {}, release(),
       [](const State&, Observation& o) { o.transport_call_count = 0; }},
      {"LT3_DeferredDefaultIsNotAbort", ClauseId::LT_3, deferred, {}, release(),
       transport_call<LOGOFF_NO_WAIT>},
      {"LT3_EagerFinalReleaseCallsAgain", ClauseId::LT_3, eager,
       {inbound_begins, store_logoff(LOGOFF_QUIET)}, release(), transport_call<LOGOFF_ABORT>},
      {"LT3_EagerFinalReleaseCallsTwice", ClauseId::LT_3, eager, {}, release(),
       [](const State&, Observation& o) {
         o.transport_call_count = 2;
         o.transport_calls[1] = served_transport_call(o.transport_calls[0].after, LOGOFF_ABORT);
       }},
      {"LT4_TwoFlagsToTheSpooler", ClauseId::LT_4, deferred, {}, release(),
       transport_call<LOGOFF_ABORT | LOGOFF_QUIET>},
      {"LT4_NullPointerToTheSpooler", ClauseId::LT_4, eager, {}, store_logoff(LOGOFF_ORDERLY),
       [](const State& before, Observation& o) {
         TransportCall call = served_transport_call(before.environment, 0);
         call.flags_pointer_null = true;
         observe_only_call(o, call);
       }},
      {"RC1_AddRefReturnsOldCount", ClauseId::RC_1, deferred, {}, add_ref(),
       [](const State&, Observation& o) { o.count_returned = 1; }},
      {"RC1_ReleaseReturnsGarbage", ClauseId::RC_1, eager, {add_ref()}, release(),
       [](const State&, Observation& o) { o.count_returned = 7; }},
      {"RC2_SupportReleasedWhileStillNeeded", ClauseId::RC_2, deferred, {}, add_ref(),
       [](const State&, Observation& o) { o.support_references_after = 0; }},
      {"RC2_SupportCalledWithoutReference", ClauseId::RC_2, deferred, {}, release(),
       [](const State&, Observation& o) {
         o.unreferenced_support_calls = 1;
         o.first_unreferenced_call = SupportMethod::StoreLogoffTransports;
       }},
      {"RC2_SupportReferenceLeaked", ClauseId::RC_2, eager, {store_logoff(LOGOFF_NO_WAIT)},
       release(), [](const State&, Observation& o) { o.support_references_after = 1; }},
      {"RC3_Crash", ClauseId::RC_3, deferred, {}, store_logoff(LOGOFF_ABORT),
       [](const State&, Observation& o) {
         o.outcome = CallOutcome::signaled;
         o.fault_detail = SIGSEGV;
       }},
      {"RC3_Hang", ClauseId::RC_3, eager, {}, release(),
       [](const State&, Observation& o) {
         o.outcome = CallOutcome::hung;
         o.fault_detail = 2000;
       }},
      {"SP1_InvalidFlagsAccepted", ClauseId::SP_1, deferred, {}, release(),
       [](const State&, Observation& o) { o.transport_calls[0].result = S_OK; },
       transport_call<LOGOFF_NO_WAIT | LOGOFF_ORDERLY>},
      {"SP2_SharedStoreLoggedOff", ClauseId::SP_2, deferred, {other_process_opens}, release(),
       [](const State&, Observation& o) { o.transport_calls[0].after.logged_off = true; }},
      {"SP3_BusyAbortCompletes", ClauseId::SP_3, deferred, {inbound_begins}, release(),
       [](const State&, Observation& o) { o.transport_calls[0].flags_out = LOGOFF_COMPLETE; }},
      {"SP4_IdleAbortStaysLoggedOn", ClauseId::SP_4, deferred, {}, release(),
       [](const State&, Observation& o) { o.transport_calls[0].after.logged_off = false; }},
      {"SP5_NoWaitKeepsTheQueue", ClauseId::SP_5, deferred,
       {message_queued, store_logoff(LOGOFF_NO_WAIT)}, release(),
       [](const State&, Observation& o) { o.transport_calls[0].after.outbox_queued = 1; }},
      {"SP6_OrderlySendsTheQueue", ClauseId::SP_6, deferred,
       {message_queued, store_logoff(LOGOFF_ORDERLY)}, release(),
       [](const State&, Observation& o) { o.transport_calls[0].after.outbox_queued = 0; }},
      {"SP7_PurgeWithoutFlushQueues", ClauseId::SP_7, eager, {message_queued},
       store_logoff(LOGOFF_PURGE),
       [](const State&, Observation& o) { o.transport_calls[0].after.queues_flushed = false; }},
  };
  return cases;
}
// clang-format on

class EveryClause : public ::testing::TestWithParam<ClauseCase> {
 protected:
  State before() const { return state_after(GetParam().profile, GetParam().setup); }

  Observation correct_observation() const {
    const State start = before();
    Observation observed =
        conformant_observation(start, GetParam().step, step(start, GetParam().step).expected);
    GetParam().make_correct(start, observed);
    return observed;
  }
};

INSTANTIATE_TEST_SUITE_P(Checks, EveryClause, ::testing::ValuesIn(clause_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(EveryClause, CorrectObservationPasses) {
  const CheckResult result =
      check(GetParam().clause, before(), GetParam().step, correct_observation());
  EXPECT_EQ(result.verdict, Verdict::pass)
      << clause_code(GetParam().clause) << ": expected " << result.violation.expected
      << ", observed " << result.violation.observed;
}

TEST_P(EveryClause, WrongObservationFailsWithThatClause) {
  const State start = before();
  Observation observed = correct_observation();
  GetParam().make_wrong(start, observed);
  const CheckResult result = check(GetParam().clause, start, GetParam().step, observed);
  ASSERT_EQ(result.verdict, Verdict::fail) << clause_code(GetParam().clause);
  EXPECT_EQ(result.violation.clause, GetParam().clause)
      << "reported " << clause_code(result.violation.clause);
  EXPECT_FALSE(result.violation.expected.empty());
  EXPECT_FALSE(result.violation.observed.empty());
  EXPECT_NE(result.violation.expected, result.violation.observed);
}

// RC-4 judges histories of overlapping calls, not steps: its pass and fail
// cases are in tests/engine/linearizability_test.cpp.
TEST(EveryClause, EachStepClauseHasACase) {
  std::set<ClauseId> covered;
  for (const ClauseCase& c : clause_cases()) covered.insert(c.clause);
  EXPECT_EQ(
      check(ClauseId::RC_4, initial_state(Profile::deferred), add_ref(), Observation{}).verdict,
      Verdict::not_applicable);
  for (const Clause& entry : kClauses) {
    if (entry.id == ClauseId::RC_4) continue;
    EXPECT_TRUE(covered.contains(entry.id)) << entry.code << " has no pass/fail case";
  }
}

// --- check_step ------------------------------------------------------------------

// Runs check_step on `observed` for `step` after `setup`.
struct StepOutcome {
  CheckResult first;
  StepVerdicts verdicts{};
};

StepOutcome check_whole_step(Profile profile, const std::vector<Step>& setup, const Step& next,
                             ObservationEdit edit, bool strict) {
  const State before = state_after(profile, setup);
  const Expectation expected = step(before, next).expected;
  Observation observed = conformant_observation(before, next, expected);
  edit(before, observed);
  StepOutcome outcome;
  outcome.first =
      check_step(StepContext{before, next, expected, observed}, strict, outcome.verdicts);
  return outcome;
}

Verdict verdict_of(const StepOutcome& outcome, ClauseId id) {
  return outcome.verdicts[static_cast<std::size_t>(id)];
}

TEST(ReportingOrder, IsAPermutationOfAllClausesStartingWithTheCrash) {
  const std::set<ClauseId> ordered(kReportingOrder.begin(), kReportingOrder.end());
  EXPECT_EQ(ordered.size(), kClauseCount);
  EXPECT_EQ(kReportingOrder.front(), ClauseId::RC_3);
}

TEST(CheckStep, ConformantObservationPassesEveryClause) {
  const StepOutcome outcome = check_whole_step(Profile::deferred, {store_logoff(LOGOFF_ORDERLY)},
                                               release(), unchanged, true);
  EXPECT_EQ(outcome.first.verdict, Verdict::pass);
  for (const Clause& entry : kClauses) EXPECT_NE(verdict_of(outcome, entry.id), Verdict::fail);
  EXPECT_EQ(verdict_of(outcome, ClauseId::LT_1), Verdict::pass);
  EXPECT_EQ(verdict_of(outcome, ClauseId::SP_6), Verdict::pass);
}

TEST(CheckStep, ACrashHidesEveryOtherFailure) {
  const StepOutcome outcome = check_whole_step(
      Profile::deferred, {}, release(),
      [](const State& before, Observation& o) {
        transport_call<LOGOFF_ABORT | LOGOFF_QUIET>(before, o);
        o.outcome = CallOutcome::signaled;
        o.fault_detail = SIGABRT;
      },
      false);
  ASSERT_EQ(outcome.first.verdict, Verdict::fail);
  EXPECT_EQ(outcome.first.violation.clause, ClauseId::RC_3);
  EXPECT_EQ(verdict_of(outcome, ClauseId::LT_4), Verdict::fail);
}

TEST(CheckStep, AMalformedFlagIsReportedBeforeTheWrongFlag) {
  const StepOutcome outcome =
      check_whole_step(Profile::deferred, {store_logoff(LOGOFF_PURGE)}, release(),
                       transport_call<LOGOFF_PURGE | LOGOFF_NO_WAIT>, false);
  ASSERT_EQ(outcome.first.verdict, Verdict::fail);
  EXPECT_EQ(outcome.first.violation.clause, ClauseId::LT_4);
  EXPECT_EQ(verdict_of(outcome, ClauseId::LT_1), Verdict::fail);
}

TEST(CheckStep, ShouldClausesEndACaseOnlyWhenStrict) {
  struct ShouldCase {
    ClauseId clause;
    Step step;
    ObservationEdit edit;
  };
  for (const ShouldCase& c : {
           ShouldCase{ClauseId::SL_3, store_logoff(0x20),
                      [](const State&, Observation& o) { o.result = MAPI_E_INVALID_PARAMETER; }},
           ShouldCase{ClauseId::RC_1, add_ref(),
                      [](const State&, Observation& o) { o.count_returned = 0; }},
       }) {
    const StepOutcome lenient = check_whole_step(Profile::deferred, {}, c.step, c.edit, false);
    EXPECT_EQ(lenient.first.verdict, Verdict::pass) << clause_code(c.clause);
    EXPECT_EQ(verdict_of(lenient, c.clause), Verdict::fail) << clause_code(c.clause);
    EXPECT_FALSE(ends_case(c.clause, false));

    const StepOutcome strict = check_whole_step(Profile::deferred, {}, c.step, c.edit, true);
    ASSERT_EQ(strict.first.verdict, Verdict::fail) << clause_code(c.clause);
    EXPECT_EQ(strict.first.violation.clause, c.clause);
    EXPECT_TRUE(ends_case(c.clause, true));
  }
  EXPECT_FALSE(ends_case(ClauseId::SL_3, false));
  EXPECT_TRUE(ends_case(ClauseId::SL_2, false));
}

TEST(CheckStep, AMustFailureIsReportedOverAShouldFailure) {
  const StepOutcome outcome = check_whole_step(
      Profile::eager, {}, add_ref(),
      [](const State&, Observation& o) {
        o.count_returned = 5;            // RC-1, SHOULD
        o.support_references_after = 0;  // RC-2, MUST
      },
      true);
  ASSERT_EQ(outcome.first.verdict, Verdict::fail);
  EXPECT_EQ(outcome.first.violation.clause, ClauseId::RC_2);
  EXPECT_EQ(verdict_of(outcome, ClauseId::RC_1), Verdict::fail);
}

TEST(CheckStep, ClausesOfTheOtherProfileAreNotApplicable) {
  const StepOutcome deferred =
      check_whole_step(Profile::deferred, {}, store_logoff(LOGOFF_NO_WAIT), unchanged, true);
  EXPECT_EQ(verdict_of(deferred, ClauseId::SL_5), Verdict::not_applicable);
  EXPECT_EQ(verdict_of(deferred, ClauseId::SL_4), Verdict::pass);
  const StepOutcome eager =
      check_whole_step(Profile::eager, {}, store_logoff(LOGOFF_NO_WAIT), unchanged, true);
  EXPECT_EQ(verdict_of(eager, ClauseId::SL_4), Verdict::not_applicable);
  EXPECT_EQ(verdict_of(eager, ClauseId::SL_5), Verdict::pass);
}

TEST(CheckStep, AWrongObservationForOneSpoolerRowLeavesTheOthersUnjudged) {
  // Only the row that applies to the call is judged.
  const StepOutcome outcome = check_whole_step(
      Profile::deferred, {inbound_begins}, release(),
      [](const State&, Observation& o) { o.transport_calls[0].flags_out = LOGOFF_COMPLETE; }, true);
  ASSERT_EQ(outcome.first.verdict, Verdict::fail);
  EXPECT_EQ(outcome.first.violation.clause, ClauseId::SP_3);
  EXPECT_EQ(verdict_of(outcome, ClauseId::SP_4), Verdict::not_applicable);
}

// --- Decision D3: invalid input a store accepts ------------------------------------

// The deferred state after `steps`, each StoreLogoff answered S_OK, as a
// store that accepts invalid input (the SDK sample store) answers.
State after_accepting(const std::vector<Step>& steps) {
  State state = initial_state(Profile::deferred);
  for (const Step& step : steps) state = answered(logoffcheck::step(state, step), step, S_OK);
  return state;
}

// Judges the final Release of `state` that passed `flag` to the spooler.
StepVerdicts final_release_passing(const State& state, ULONG flag, CheckResult& first) {
  const Step step = release();
  const Expectation expected = logoffcheck::step(state, step).expected;
  Observation observed;
  observe_only_call(observed, served_transport_call(state.environment, flag));
  StepVerdicts verdicts{};
  first = check_step({state, step, expected, observed}, false, verdicts);
  return verdicts;
}

TEST(AcceptedInvalidInput, IsASHOULDViolationNeverAMUSTOne) {
  const State before = initial_state(Profile::deferred);
  const Step step = store_logoff(0);
  const Expectation expected = logoffcheck::step(before, step).expected;
  Observation observed;
  observed.result = S_OK;
  observed.output_flags = LOGOFF_COMPLETE;
  observed.support_references_after = 1;
  StepVerdicts verdicts{};
  EXPECT_EQ(check_step({before, step, expected, observed}, false, verdicts).verdict, Verdict::pass);
  EXPECT_EQ(verdicts[static_cast<std::size_t>(ClauseId::SL_2)], Verdict::not_applicable);
  EXPECT_EQ(verdicts[static_cast<std::size_t>(ClauseId::SL_3)], Verdict::fail);
  const CheckResult strict = check_step({before, step, expected, observed}, true, verdicts);
  ASSERT_EQ(strict.verdict, Verdict::fail);
  EXPECT_EQ(strict.violation.clause, ClauseId::SL_3);
  EXPECT_EQ(strict.violation.observed, "S_OK (invalid input accepted)");
}

TEST(AcceptedInvalidInput, TheFinalReleaseMayPassItAsGivenTheEarlierFlagOrItsInputFlagAlone) {
  const ULONG fed_back = LOGOFF_NO_WAIT | LOGOFF_COMPLETE;
  const State state = after_accepting({store_logoff(LOGOFF_ORDERLY), store_logoff(fed_back)});
  EXPECT_TRUE(accepted_invalid_input(state));
  for (const ULONG allowed : {fed_back, LOGOFF_ORDERLY, LOGOFF_NO_WAIT}) {
    SCOPED_TRACE(describe_flags(allowed));
    CheckResult first;
    final_release_passing(state, allowed, first);
    EXPECT_EQ(first.verdict, Verdict::pass) << first.violation.expected;
  }
  // Invented: neither given, nor saved, nor the input flag alone.
  CheckResult first;
  final_release_passing(state, LOGOFF_PURGE, first);
  ASSERT_EQ(first.verdict, Verdict::fail);
  EXPECT_EQ(first.violation.clause, ClauseId::LT_4);
  final_release_passing(state, LOGOFF_ORDERLY | LOGOFF_COMPLETE, first);
  ASSERT_EQ(first.verdict, Verdict::fail);
  EXPECT_EQ(first.violation.clause, ClauseId::LT_4);
}

TEST(AcceptedInvalidInput, WithNothingSavedTheDefaultIsAbortAndAnInventedFlagIsLT4) {
  const State state = after_accepting({store_logoff(LOGOFF_ORDERLY | 0x100)});
  for (const ULONG allowed : {LOGOFF_ABORT, LOGOFF_ORDERLY | 0x100}) {
    CheckResult first;
    final_release_passing(state, allowed, first);
    EXPECT_EQ(first.verdict, Verdict::pass) << describe_flags(allowed);
  }
  // Undefined bits are not output bits: the input flag alone is invented
  // (masks-unknown-bits).
  CheckResult first;
  final_release_passing(state, LOGOFF_ORDERLY, first);
  ASSERT_EQ(first.verdict, Verdict::fail);
  EXPECT_EQ(first.violation.clause, ClauseId::LT_4);
}

TEST(AcceptedInvalidInput, ARejectedInputStillChangesNothing) {
  // Rejected: the model keeps the earlier flag, and only it.
  const State before = after_accepting({store_logoff(LOGOFF_ORDERLY)});
  const Transition rejected = logoffcheck::step(before, store_logoff(LOGOFF_COMPLETE));
  EXPECT_EQ(answered(rejected, store_logoff(LOGOFF_COMPLETE), MAPI_E_UNKNOWN_FLAGS), before);
  CheckResult first;
  final_release_passing(before, LOGOFF_COMPLETE, first);
  ASSERT_EQ(first.verdict, Verdict::fail);
  EXPECT_EQ(first.violation.clause, ClauseId::LT_4);
}

TEST(AcceptedInvalidInput, ALaterValidStoreLogoffWins) {
  const State state =
      after_accepting({store_logoff(LOGOFF_NO_WAIT | LOGOFF_COMPLETE), store_logoff(LOGOFF_QUIET)});
  EXPECT_FALSE(accepted_invalid_input(state));
  EXPECT_TRUE(final_flag_allowed(state, LOGOFF_QUIET));
  EXPECT_FALSE(final_flag_allowed(state, LOGOFF_NO_WAIT));
}

}  // namespace
}  // namespace logoffcheck
