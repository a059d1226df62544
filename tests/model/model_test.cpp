// The store model: caller rules, decision D3, and the transitions of both
// profiles with what each step expects of a provider.
#include <limits>

#include <gtest/gtest.h>

#include "logoffcheck/model.h"
#include "walk.h"

namespace logoffcheck {
namespace {

using testing::state_after;

// Wraps environment(action) so the test reads like the contract.
constexpr Step inbound_begins = environment(Action::InboundBegins);
constexpr Step other_process_opens = environment(Action::OtherProcessOpens);

// --- Caller rules -----------------------------------------------------------------

TEST(CallerMay, NothingAfterTheFinalRelease) {
  for (Profile profile : kProfiles) {
    const State destroyed = state_after(profile, {release()});
    ASSERT_TRUE(destroyed.destroyed);
    for (const Step& next : {add_ref(), release(), store_logoff(LOGOFF_ABORT), inbound_begins}) {
      EXPECT_FALSE(caller_may(destroyed, next)) << describe_step(next);
    }
  }
}

TEST(CallerMay, EagerAfterLogoffCompleteOnlyReleaseAndEnvironmentEvents) {
  const State complete = state_after(Profile::eager, {add_ref(), store_logoff(LOGOFF_NO_WAIT)});
  ASSERT_TRUE(complete.complete_returned);
  EXPECT_TRUE(caller_may(complete, release()));
  EXPECT_TRUE(caller_may(complete, inbound_begins));
  EXPECT_FALSE(caller_may(complete, add_ref()));
  EXPECT_FALSE(caller_may(complete, store_logoff(LOGOFF_NO_WAIT)));
  EXPECT_FALSE(caller_may(complete, store_logoff(0)));
}

TEST(CallerMay, EagerLogoffThatDidNotCompleteLeavesTheStoreOpen) {
  const State busy = state_after(Profile::eager, {inbound_begins, store_logoff(LOGOFF_QUIET)});
  ASSERT_FALSE(busy.complete_returned);
  EXPECT_TRUE(caller_may(busy, add_ref()));
  EXPECT_TRUE(caller_may(busy, store_logoff(LOGOFF_ORDERLY)));
}

TEST(CallerMay, DeferredLogoffLeavesEveryCallOpen) {
  const State saved = state_after(Profile::deferred, {store_logoff(LOGOFF_NO_WAIT)});
  for (const Step& next : {add_ref(), release(), store_logoff(LOGOFF_ABORT), store_logoff(0)}) {
    EXPECT_TRUE(caller_may(saved, next)) << describe_step(next);
  }
}

TEST(CallerMay, AddRefNeverOverflowsTheCount) {
  State full = initial_state(Profile::deferred);
  full.ref_count = std::numeric_limits<ULONG>::max();
  EXPECT_FALSE(caller_may(full, add_ref()));
  EXPECT_TRUE(caller_may(full, release()));
}

// --- Decision D3 ------------------------------------------------------------------

TEST(ExpectedStoreLogoffResult, ValidInputIsSOk) {
  for (ULONG flag : kInputFlags) {
    EXPECT_EQ(expected_store_logoff_result(store_logoff(flag)), S_OK) << describe_flags(flag);
    EXPECT_TRUE(is_valid_store_logoff(store_logoff(flag)));
  }
}

TEST(ExpectedStoreLogoffResult, NullZeroOrSeveralFlagsIsInvalidParameter) {
  EXPECT_EQ(expected_store_logoff_result(store_logoff_null()), MAPI_E_INVALID_PARAMETER);
  EXPECT_EQ(expected_store_logoff_result(store_logoff(0)), MAPI_E_INVALID_PARAMETER);
  EXPECT_EQ(expected_store_logoff_result(store_logoff(LOGOFF_NO_WAIT | LOGOFF_ORDERLY)),
            MAPI_E_INVALID_PARAMETER);
  EXPECT_EQ(expected_store_logoff_result(store_logoff(kInputFlagMask)), MAPI_E_INVALID_PARAMETER);
  // A NULL pointer has no value to read: stray bits in the step do not count.
  const Step null_with_bits{Action::StoreLogoff, true, 0, LOGOFF_COMPLETE};
  EXPECT_EQ(expected_store_logoff_result(null_with_bits), MAPI_E_INVALID_PARAMETER);
}

TEST(ExpectedStoreLogoffResult, AnyBitOutsideTheInputFlagsIsUnknownFlags) {
  // Output-only bits on input are unknown flags too (a project refinement of D3).
  for (ULONG stray : {LOGOFF_COMPLETE, LOGOFF_INBOUND, LOGOFF_OUTBOUND, LOGOFF_OUTBOUND_QUEUE,
                      ULONG{0x20}, ULONG{0x80000000}}) {
    EXPECT_EQ(expected_store_logoff_result(store_logoff(stray)), MAPI_E_UNKNOWN_FLAGS)
        << describe_flags(stray);
    for (ULONG flag : kInputFlags) {
      EXPECT_EQ(expected_store_logoff_result(store_logoff(flag | stray)), MAPI_E_UNKNOWN_FLAGS)
          << describe_flags(flag | stray);
    }
  }
  EXPECT_EQ(expected_store_logoff_result(store_logoff(LOGOFF_NO_WAIT | LOGOFF_ORDERLY | 0x20)),
            MAPI_E_UNKNOWN_FLAGS);
}

// --- Both profiles: reference counting and invalid input ---------------------

class BothProfiles : public ::testing::TestWithParam<Profile> {};

INSTANTIATE_TEST_SUITE_P(Model, BothProfiles, ::testing::ValuesIn(kProfiles),
                         [](const auto& info) { return std::string(profile_name(info.param)); });

TEST_P(BothProfiles, AddRefAndNonFinalReleaseCountAndCallNothing) {
  const State start = initial_state(GetParam());
  const Transition up = step(start, add_ref());
  EXPECT_EQ(up.next.ref_count, 2u);
  EXPECT_EQ(up.expected.count_returned, 2u);
  EXPECT_FALSE(up.expected.transport_call_due);
  EXPECT_EQ(up.expected.support_after, SupportReference::held);

  const Transition down = step(up.next, release());
  EXPECT_EQ(down.next, start);
  EXPECT_EQ(down.expected.count_returned, 1u);
  EXPECT_FALSE(down.expected.final_release);
  EXPECT_FALSE(down.expected.transport_call_due);
  EXPECT_EQ(down.expected.support_after, SupportReference::held);
}

TEST_P(BothProfiles, InvalidStoreLogoffChangesNothingAndCallsNothing) {
  const State open = state_after(GetParam(), {add_ref(), inbound_begins});
  for (const Step& invalid : {store_logoff_null(), store_logoff(0), store_logoff(LOGOFF_COMPLETE),
                              store_logoff(LOGOFF_PURGE | LOGOFF_QUIET)}) {
    const Transition transition = step(open, invalid);
    EXPECT_EQ(transition.next, open) << describe_step(invalid);
    EXPECT_FALSE(transition.expected.valid_input);
    EXPECT_EQ(transition.expected.result, expected_store_logoff_result(invalid));
    EXPECT_EQ(transition.expected.output, OutputRule::not_judged);
    EXPECT_FALSE(transition.expected.transport_call_due);
    EXPECT_EQ(transition.expected.support_after, SupportReference::held);
  }
}

TEST_P(BothProfiles, EnvironmentEventsChangeOnlyTheEnvironment) {
  const State open = initial_state(GetParam());
  const Transition transition = step(open, inbound_begins);
  State expected_next = open;
  expected_next.environment = apply_environment_event(open.environment, Action::InboundBegins);
  EXPECT_EQ(transition.next, expected_next);
  EXPECT_FALSE(transition.expected.transport_call_due);
  EXPECT_EQ(transition.expected.support_after, SupportReference::held);
}

TEST_P(BothProfiles, FinalReleaseWithoutStoreLogoffCallsWithAbort) {
  const State open = state_after(GetParam(), {inbound_begins});
  const Transition last = step(open, release());
  EXPECT_TRUE(last.expected.final_release);
  EXPECT_EQ(last.expected.count_returned, 0u);
  EXPECT_TRUE(last.expected.transport_call_due);
  EXPECT_EQ(last.expected.transport_flag, LOGOFF_ABORT);
  EXPECT_EQ(last.expected.spooler, spooler_store_logoff_transports(open.environment, LOGOFF_ABORT));
  EXPECT_EQ(last.expected.support_after, SupportReference::released);
  EXPECT_EQ(last.next.environment, last.expected.spooler.after);
  EXPECT_TRUE(last.next.transports_called);
  EXPECT_TRUE(last.next.destroyed);
  EXPECT_EQ(last.next.ref_count, 0u);
}

// --- Deferred profile -------------------------------------------------------------

TEST(Deferred, ValidStoreLogoffSavesTheFlagAndCallsNothing) {
  const State open = initial_state(Profile::deferred);
  const Transition transition = step(open, store_logoff(LOGOFF_ORDERLY));
  EXPECT_TRUE(transition.expected.valid_input);
  EXPECT_EQ(transition.expected.result, S_OK);
  EXPECT_EQ(transition.expected.output, OutputRule::input_activity_or_complete);
  EXPECT_EQ(transition.expected.output_flags, LOGOFF_ORDERLY);
  EXPECT_FALSE(transition.expected.transport_call_due);
  EXPECT_EQ(transition.expected.support_after, SupportReference::held);
  EXPECT_EQ(transition.next.saved_flag, LOGOFF_ORDERLY);
  EXPECT_FALSE(transition.next.transports_called);
}

TEST(Deferred, D2_TheLastValidFlagWinsAndInvalidInputKeepsIt) {
  const State saved = state_after(Profile::deferred, {store_logoff(LOGOFF_NO_WAIT),
                                                      store_logoff(LOGOFF_PURGE), store_logoff(0)});
  EXPECT_EQ(saved.saved_flag, LOGOFF_PURGE);
}

TEST(Deferred, FinalReleasePassesTheSavedFlag) {
  const State saved =
      state_after(Profile::deferred, {add_ref(), store_logoff(LOGOFF_ORDERLY), release()});
  ASSERT_EQ(saved.ref_count, 1u);
  const Transition last = step(saved, release());
  EXPECT_TRUE(last.expected.final_release);
  EXPECT_TRUE(last.expected.transport_call_due);
  EXPECT_EQ(last.expected.transport_flag, LOGOFF_ORDERLY);
  EXPECT_EQ(last.expected.spooler.decided_by, SpoolerCase::orderly);
  EXPECT_TRUE(last.next.destroyed);
}

// --- Eager profile ----------------------------------------------------------------

TEST(Eager, ValidStoreLogoffCallsNowAndReturnsTheSpoolersAnswer) {
  const State open = initial_state(Profile::eager);
  const Transition transition = step(open, store_logoff(LOGOFF_NO_WAIT));
  EXPECT_TRUE(transition.expected.valid_input);
  EXPECT_TRUE(transition.expected.transport_call_due);
  EXPECT_EQ(transition.expected.transport_flag, LOGOFF_NO_WAIT);
  EXPECT_EQ(transition.expected.output, OutputRule::exactly);
  EXPECT_EQ(transition.expected.output_flags, LOGOFF_COMPLETE);
  EXPECT_EQ(transition.expected.output_flags, transition.expected.spooler.flags_out);
  EXPECT_TRUE(transition.next.transports_called);
  EXPECT_TRUE(transition.next.complete_returned);
  EXPECT_TRUE(transition.next.environment.logged_off);
  // The store will not call the support object again.
  EXPECT_EQ(transition.expected.support_after, SupportReference::unconstrained);
}

TEST(Eager, LogoffBlockedByActivityReturnsTheActivityAndKeepsTheStoreOpen) {
  const State busy = state_after(Profile::eager, {inbound_begins});
  const Transition transition = step(busy, store_logoff(LOGOFF_ABORT));
  EXPECT_TRUE(transition.expected.transport_call_due);
  EXPECT_EQ(transition.expected.output_flags, LOGOFF_INBOUND);
  EXPECT_TRUE(transition.next.transports_called);
  EXPECT_FALSE(transition.next.complete_returned);
  EXPECT_EQ(transition.expected.support_after, SupportReference::held);
}

TEST(Eager, FinalReleaseCallsNothingOnceStoreLogoffCalled) {
  // Called, but blocked by activity: the final Release still owes nothing.
  const State called = state_after(Profile::eager, {inbound_begins, store_logoff(LOGOFF_QUIET)});
  const Transition last = step(called, release());
  EXPECT_TRUE(last.expected.final_release);
  EXPECT_FALSE(last.expected.transport_call_due);
  EXPECT_EQ(last.expected.support_after, SupportReference::released);
  EXPECT_TRUE(last.next.destroyed);
}

TEST(Eager, OpenElsewhereCompletesWithoutLoggingOff) {
  const State shared = state_after(Profile::eager, {other_process_opens});
  const Transition transition = step(shared, store_logoff(LOGOFF_ORDERLY));
  EXPECT_EQ(transition.expected.spooler.decided_by, SpoolerCase::open_elsewhere);
  EXPECT_EQ(transition.expected.output_flags, LOGOFF_COMPLETE);
  EXPECT_TRUE(transition.next.complete_returned);
  EXPECT_FALSE(transition.next.environment.logged_off);
}

TEST(Eager, AfterCompleteNonFinalReleaseLeavesTheSupportReferenceUnconstrained) {
  const State complete = state_after(Profile::eager, {add_ref(), store_logoff(LOGOFF_NO_WAIT)});
  const Transition transition = step(complete, release());
  EXPECT_FALSE(transition.expected.final_release);
  EXPECT_EQ(transition.expected.support_after, SupportReference::unconstrained);
  EXPECT_TRUE(transition.next.complete_returned);
}

}  // namespace
}  // namespace logoffcheck
