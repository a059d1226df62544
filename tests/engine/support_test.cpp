// SimulatedSupport: the support object a store under test receives. It
// counts the store's references, notices calls made without one (RC-2),
// plays the spooler exactly as the model does (SP-1..SP-7), and records
// every StoreLogoffTransports call into the step in progress.
#include <gtest/gtest.h>

#include "logoffcheck/support.h"

namespace logoffcheck {
namespace {

TEST(SimulatedSupport, CountsTheReferencesTheStoreHolds) {
  SimulatedSupport support;
  EXPECT_EQ(support.store_references(), 0u);
  EXPECT_EQ(support.AddRef(), 1u);
  support.end_creation();
  EXPECT_EQ(support.AddRef(), 2u);
  EXPECT_EQ(support.Release(), 1u);
  EXPECT_EQ(support.store_references(), 1u);
}

TEST(SimulatedSupport, CallsWithoutAReferenceAfterCreationAreCountedAsRc2) {
  SimulatedSupport support;
  Observation observed;
  support.end_creation();
  support.begin_step(observed);
  ULONG flags = LOGOFF_ABORT;
  support.StoreLogoffTransports(&flags);
  EXPECT_EQ(support.Release(), 0u);  // no underflow
  support.end_step();
  EXPECT_EQ(observed.unreferenced_support_calls, 2u);
  EXPECT_EQ(observed.first_unreferenced_call, SupportMethod::StoreLogoffTransports);
  EXPECT_EQ(support.store_references(), 0u);
}

TEST(SimulatedSupport, AReleaseAfterTheLastReferenceIsAnUnreferencedCall) {
  SimulatedSupport support;
  support.AddRef();
  support.end_creation();
  Observation observed;
  support.begin_step(observed);
  EXPECT_EQ(support.Release(), 0u);
  EXPECT_EQ(observed.unreferenced_support_calls, 0u);
  EXPECT_EQ(support.Release(), 0u);
  support.end_step();
  EXPECT_EQ(observed.unreferenced_support_calls, 1u);
  EXPECT_EQ(observed.first_unreferenced_call, SupportMethod::Release);
}

TEST(SimulatedSupport, CallsDuringTheCreatingCallNeedNoReference) {
  SimulatedSupport support;
  Observation observed;
  support.begin_step(observed);
  ULONG flags = LOGOFF_ABORT;
  support.StoreLogoffTransports(&flags);
  support.Release();
  support.end_step();
  EXPECT_EQ(observed.unreferenced_support_calls, 0u);
  EXPECT_EQ(observed.transport_call_count, 1u);
}

TEST(SimulatedSupport, RecordsEachTransportCallAsTheModelsSpoolerAnswersIt) {
  Environment environment;
  environment = apply_environment_event(environment, Action::InboundBegins);
  environment = apply_environment_event(environment, Action::MessageQueued);
  SimulatedSupport support(environment);
  support.AddRef();
  support.end_creation();

  Observation observed;
  support.begin_step(observed);
  ULONG quiet = LOGOFF_QUIET;
  EXPECT_EQ(support.StoreLogoffTransports(&quiet), S_OK);
  EXPECT_EQ(quiet, LOGOFF_INBOUND | LOGOFF_OUTBOUND_QUEUE);  // SP-3: the activity
  ULONG orderly = LOGOFF_ORDERLY;
  EXPECT_EQ(support.StoreLogoffTransports(&orderly), S_OK);
  EXPECT_EQ(orderly, LOGOFF_COMPLETE);  // SP-6
  support.end_step();

  ASSERT_EQ(observed.transport_call_count, 2u);
  const SpoolerAnswer first = spooler_store_logoff_transports(environment, LOGOFF_QUIET);
  const TransportCall& quiet_call = observed.transport_calls[0];
  EXPECT_EQ(quiet_call.flags_in, LOGOFF_QUIET);
  EXPECT_FALSE(quiet_call.flags_pointer_null);
  EXPECT_EQ(quiet_call.result, first.result);
  EXPECT_EQ(quiet_call.flags_out, first.flags_out);
  EXPECT_EQ(quiet_call.before, environment);
  EXPECT_EQ(quiet_call.after, first.after);
  EXPECT_EQ(quiet_call.support_references, 1u);

  const SpoolerAnswer second = spooler_store_logoff_transports(first.after, LOGOFF_ORDERLY);
  const TransportCall& orderly_call = observed.transport_calls[1];
  EXPECT_EQ(orderly_call.flags_in, LOGOFF_ORDERLY);
  EXPECT_EQ(orderly_call.flags_out, LOGOFF_COMPLETE);
  EXPECT_EQ(orderly_call.after, second.after);
  EXPECT_TRUE(orderly_call.after.logged_off);
  EXPECT_EQ(support.environment(), second.after);
  EXPECT_EQ(observed.support_references_after, 1u);
}

TEST(SimulatedSupport, KeepsTheFirstCallsAndCountsTheRest) {
  SimulatedSupport support;
  support.AddRef();
  support.end_creation();
  Observation observed;
  support.begin_step(observed);
  for (std::size_t i = 0; i < kRecordedTransportCalls + 2; ++i) {
    ULONG flags = kInputFlags[i % kInputFlags.size()];
    support.StoreLogoffTransports(&flags);
  }
  support.end_step();
  EXPECT_EQ(observed.transport_call_count, kRecordedTransportCalls + 2);
  EXPECT_EQ(recorded_transport_calls(observed), kRecordedTransportCalls);
  for (std::size_t i = 0; i < kRecordedTransportCalls; ++i) {
    EXPECT_EQ(observed.transport_calls[i].flags_in, kInputFlags[i % kInputFlags.size()]);
  }
}

TEST(SimulatedSupport, ANullFlagsPointerIsInvalidAndChangesNothing) {
  Environment environment;
  environment = apply_environment_event(environment, Action::OutboundBegins);
  SimulatedSupport support(environment);
  support.AddRef();
  support.end_creation();
  Observation observed;
  support.begin_step(observed);
  EXPECT_EQ(support.StoreLogoffTransports(nullptr), MAPI_E_INVALID_PARAMETER);  // SP-1
  support.end_step();
  ASSERT_EQ(observed.transport_call_count, 1u);
  EXPECT_TRUE(observed.transport_calls[0].flags_pointer_null);
  EXPECT_EQ(observed.transport_calls[0].result, MAPI_E_INVALID_PARAMETER);
  EXPECT_EQ(observed.transport_calls[0].after, environment);
  EXPECT_EQ(support.environment(), environment);
}

TEST(SimulatedSupport, RecordsOnlyBetweenBeginAndEndOfAStep) {
  SimulatedSupport support;
  support.AddRef();
  support.end_creation();
  Observation observed;
  support.begin_step(observed);
  support.AddRef();
  support.end_step();
  EXPECT_EQ(observed.support_references_after, 2u);
  ULONG flags = LOGOFF_NO_WAIT;
  support.StoreLogoffTransports(&flags);  // between steps: not recorded
  EXPECT_EQ(observed.transport_call_count, 0u);
  EXPECT_TRUE(support.environment().logged_off);
}

TEST(SimulatedSupport, AppliesEnvironmentEventsAsTheModelDoes) {
  SimulatedSupport support;
  Environment expected;
  for (Action event : {Action::InboundBegins, Action::MessageQueued, Action::OutboundBegins,
                       Action::OtherProcessOpens, Action::InboundEnds}) {
    support.apply_environment_event(event);
    expected = apply_environment_event(expected, event);
    EXPECT_EQ(support.environment(), expected) << action_name(event);
  }
}

}  // namespace
}  // namespace logoffcheck
