// The simulated spooler and its environment (contract §6): the rows SP-1..SP-7,
// the already-logged-off case, and the environment events.
#include <gtest/gtest.h>

#include "logoffcheck/model.h"

namespace logoffcheck {
namespace {

// A busy environment: one message arriving, one leaving, three queued.
Environment busy() {
  Environment environment;
  environment.inbound_in_progress = true;
  environment.outbound_in_progress = true;
  environment.outbox_queued = 3;
  return environment;
}

// What every completed logoff (SP-4..SP-7) leaves behind.
void expect_logged_off(const SpoolerAnswer& answer) {
  EXPECT_EQ(answer.result, S_OK);
  EXPECT_EQ(answer.flags_out, LOGOFF_COMPLETE);
  EXPECT_TRUE(answer.after.logged_off);
  EXPECT_FALSE(answer.after.reception_enabled);
  EXPECT_FALSE(answer.after.inbound_in_progress);
  EXPECT_FALSE(answer.after.outbound_in_progress);
}

TEST(Activity, NamesWhatIsGoingOn) {
  EXPECT_EQ(activity(Environment{}), 0u);
  EXPECT_EQ(activity(busy()), kActivityFlagMask);
  Environment queued_only;
  queued_only.outbox_queued = 1;
  EXPECT_EQ(activity(queued_only), LOGOFF_OUTBOUND_QUEUE);
}

TEST(Spooler, SP1_AnythingButOneInputFlagIsInvalidAndChangesNothing) {
  for (ULONG flags : {ULONG{0}, LOGOFF_NO_WAIT | LOGOFF_PURGE, LOGOFF_COMPLETE,
                      LOGOFF_ABORT | LOGOFF_INBOUND, ULONG{0x20}}) {
    const SpoolerAnswer answer = spooler_store_logoff_transports(busy(), flags);
    EXPECT_EQ(answer.result, MAPI_E_INVALID_PARAMETER) << describe_flags(flags);
    EXPECT_EQ(answer.flags_out, flags);
    EXPECT_EQ(answer.after, busy());
    EXPECT_EQ(answer.decided_by, SpoolerCase::invalid_flags);
  }
}

TEST(Spooler, SP2_OpenInAnotherProcessIgnoresEveryValidFlag) {
  Environment shared = busy();
  shared.open_in_other_process = true;
  for (ULONG flag : kInputFlags) {
    const SpoolerAnswer answer = spooler_store_logoff_transports(shared, flag);
    EXPECT_EQ(answer.result, S_OK) << describe_flags(flag);
    EXPECT_EQ(answer.flags_out, LOGOFF_COMPLETE);
    EXPECT_EQ(answer.after, shared);
    EXPECT_EQ(answer.decided_by, SpoolerCase::open_elsewhere);
  }
}

TEST(Spooler, SP3_AbortOrQuietWithActivityAnswersTheActivityAndStays) {
  Environment inbound_only;
  inbound_only.inbound_in_progress = true;
  for (const Environment& environment : {busy(), inbound_only}) {
    for (ULONG flag : {LOGOFF_ABORT, LOGOFF_QUIET}) {
      const SpoolerAnswer answer = spooler_store_logoff_transports(environment, flag);
      EXPECT_EQ(answer.result, S_OK);
      EXPECT_EQ(answer.flags_out, activity(environment)) << describe_flags(flag);
      EXPECT_EQ(answer.after, environment);
      EXPECT_EQ(answer.decided_by, SpoolerCase::activity_blocks);
    }
  }
}

TEST(Spooler, SP4_AbortOrQuietWhenIdleLogsOff) {
  for (ULONG flag : {LOGOFF_ABORT, LOGOFF_QUIET}) {
    const SpoolerAnswer answer = spooler_store_logoff_transports(Environment{}, flag);
    expect_logged_off(answer);
    EXPECT_EQ(answer.decided_by, SpoolerCase::idle_logoff);
    EXPECT_FALSE(answer.after.queues_flushed);
  }
}

TEST(Spooler, SP5_NoWaitFinishesSendsTheQueueAndLogsOff) {
  const SpoolerAnswer answer = spooler_store_logoff_transports(busy(), LOGOFF_NO_WAIT);
  expect_logged_off(answer);
  EXPECT_EQ(answer.after.outbox_queued, 0);
  EXPECT_FALSE(answer.after.queues_flushed);
  EXPECT_EQ(answer.decided_by, SpoolerCase::no_wait);
}

TEST(Spooler, SP6_OrderlyFinishesButLeavesTheQueue) {
  const SpoolerAnswer answer = spooler_store_logoff_transports(busy(), LOGOFF_ORDERLY);
  expect_logged_off(answer);
  EXPECT_EQ(answer.after.outbox_queued, busy().outbox_queued);
  EXPECT_FALSE(answer.after.queues_flushed);
  EXPECT_EQ(answer.decided_by, SpoolerCase::orderly);
}

TEST(Spooler, SP7_PurgeIsNoWaitWithFlushQueues) {
  const SpoolerAnswer answer = spooler_store_logoff_transports(busy(), LOGOFF_PURGE);
  expect_logged_off(answer);
  EXPECT_EQ(answer.after.outbox_queued, 0);
  EXPECT_TRUE(answer.after.queues_flushed);
  EXPECT_EQ(answer.decided_by, SpoolerCase::purge);
}

TEST(Spooler, AfterACompletedLogoffAValidCallAnswersCompleteAndChangesNothing) {
  const Environment logged_off = spooler_store_logoff_transports(busy(), LOGOFF_ORDERLY).after;
  for (ULONG flag : kInputFlags) {
    const SpoolerAnswer answer = spooler_store_logoff_transports(logged_off, flag);
    EXPECT_EQ(answer.result, S_OK) << describe_flags(flag);
    EXPECT_EQ(answer.flags_out, LOGOFF_COMPLETE);
    EXPECT_EQ(answer.after, logged_off);
    EXPECT_EQ(answer.decided_by, SpoolerCase::already_logged_off);
  }
  // SP-1 still comes first.
  EXPECT_EQ(spooler_store_logoff_transports(logged_off, 0).decided_by, SpoolerCase::invalid_flags);
}

// --- Environment events ----------------------------------------------------------

constexpr Action kEnvironmentEvents[] = {
    Action::InboundBegins,      Action::InboundEnds,   Action::OutboundBegins,
    Action::OutboundEnds,       Action::MessageQueued, Action::OtherProcessOpens,
    Action::OtherProcessCloses,
};

TEST(EnvironmentEvents, EachEventChangesWhatItNames) {
  Environment environment;
  environment = apply_environment_event(environment, Action::InboundBegins);
  EXPECT_TRUE(environment.inbound_in_progress);
  environment = apply_environment_event(environment, Action::MessageQueued);
  EXPECT_EQ(environment.outbox_queued, 1);
  environment = apply_environment_event(environment, Action::OtherProcessOpens);
  EXPECT_TRUE(environment.open_in_other_process);
  environment = apply_environment_event(environment, Action::InboundEnds);
  EXPECT_FALSE(environment.inbound_in_progress);
  environment = apply_environment_event(environment, Action::OtherProcessCloses);
  EXPECT_FALSE(environment.open_in_other_process);
}

TEST(EnvironmentEvents, IgnoredAfterACompletedLogoff) {
  const Environment logged_off = spooler_store_logoff_transports(busy(), LOGOFF_ORDERLY).after;
  ASSERT_TRUE(logged_off.logged_off);
  for (Action event : kEnvironmentEvents) {
    EXPECT_EQ(apply_environment_event(logged_off, event), logged_off) << action_name(event);
  }
}

TEST(EnvironmentEvents, InboundBeginsIsIgnoredWhileReceptionIsDisabled) {
  Environment no_reception;
  no_reception.reception_enabled = false;
  EXPECT_EQ(apply_environment_event(no_reception, Action::InboundBegins), no_reception);
}

TEST(EnvironmentEvents, OutboundBeginsTakesAQueuedMessage) {
  Environment queued;
  queued.outbox_queued = 2;
  const Environment sending = apply_environment_event(queued, Action::OutboundBegins);
  EXPECT_TRUE(sending.outbound_in_progress);
  EXPECT_EQ(sending.outbox_queued, 1);
  const Environment from_empty = apply_environment_event(Environment{}, Action::OutboundBegins);
  EXPECT_TRUE(from_empty.outbound_in_progress);
  EXPECT_EQ(from_empty.outbox_queued, 0);
  EXPECT_FALSE(apply_environment_event(sending, Action::OutboundEnds).outbound_in_progress);
}

TEST(EnvironmentEvents, TheQueueSaturates) {
  Environment full;
  full.outbox_queued = kMaxOutboxQueue - 1;
  full = apply_environment_event(full, Action::MessageQueued);
  EXPECT_EQ(full.outbox_queued, kMaxOutboxQueue);
  EXPECT_EQ(apply_environment_event(full, Action::MessageQueued), full);
}

TEST(EnvironmentEvents, ClientCallsLeaveTheEnvironmentAlone) {
  for (Action call : {Action::AddRef, Action::Release, Action::StoreLogoff}) {
    EXPECT_EQ(apply_environment_event(busy(), call), busy()) << action_name(call);
  }
}

}  // namespace
}  // namespace logoffcheck
