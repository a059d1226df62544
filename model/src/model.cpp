#include "logoffcheck/model.h"

#include <limits>

namespace logoffcheck {

std::string_view profile_name(Profile profile) noexcept {
  return profile == Profile::eager ? "eager" : "deferred";
}

std::optional<Profile> parse_profile(std::string_view name) noexcept {
  for (Profile profile : kProfiles) {
    if (profile_name(profile) == name) return profile;
  }
  return std::nullopt;
}

// --- Environment and spooler (contract §6) -----------------------------------

ULONG activity(const Environment& environment) noexcept {
  ULONG bits = 0;
  if (environment.inbound_in_progress) bits |= LOGOFF_INBOUND;
  if (environment.outbound_in_progress) bits |= LOGOFF_OUTBOUND;
  if (environment.outbox_queued > 0) bits |= LOGOFF_OUTBOUND_QUEUE;
  return bits;
}

Environment apply_environment_event(const Environment& environment, Action action) noexcept {
  Environment next = environment;
  // After a completed logoff the spooler has let go of the store.
  if (environment.logged_off) return next;
  switch (action) {
    case Action::InboundBegins:
      if (environment.reception_enabled) next.inbound_in_progress = true;
      break;
    case Action::InboundEnds:
      next.inbound_in_progress = false;
      break;
    case Action::OutboundBegins:
      next.outbound_in_progress = true;
      if (next.outbox_queued > 0) --next.outbox_queued;
      break;
    case Action::OutboundEnds:
      next.outbound_in_progress = false;
      break;
    case Action::MessageQueued:
      if (next.outbox_queued < kMaxOutboxQueue) ++next.outbox_queued;
      break;
    case Action::OtherProcessOpens:
      next.open_in_other_process = true;
      break;
    case Action::OtherProcessCloses:
      next.open_in_other_process = false;
      break;
    case Action::AddRef:
    case Action::Release:
    case Action::StoreLogoff:
      break;
  }
  return next;
}

SpoolerAnswer spooler_store_logoff_transports(const Environment& environment,
                                              ULONG flags) noexcept {
  SpoolerAnswer answer;
  answer.after = environment;
  if (!is_single_input_flag(flags)) {  // SP-1
    answer.result = MAPI_E_INVALID_PARAMETER;
    answer.flags_out = flags;
    answer.decided_by = SpoolerCase::invalid_flags;
    return answer;
  }
  answer.result = S_OK;
  answer.flags_out = LOGOFF_COMPLETE;
  if (environment.open_in_other_process) {  // SP-2: the call is ignored
    answer.decided_by = SpoolerCase::open_elsewhere;
    return answer;
  }
  if (environment.logged_off) {  // a completed logoff is not repeated
    answer.decided_by = SpoolerCase::already_logged_off;
    return answer;
  }
  Environment& after = answer.after;
  switch (flags) {
    case LOGOFF_ABORT:
    case LOGOFF_QUIET:
      if (const ULONG active = activity(environment); active != 0) {  // SP-3
        answer.flags_out = active;
        answer.decided_by = SpoolerCase::activity_blocks;
        return answer;
      }
      answer.decided_by = SpoolerCase::idle_logoff;  // SP-4
      break;
    case LOGOFF_NO_WAIT:  // SP-5
    case LOGOFF_PURGE:    // SP-7: as NO_WAIT, and FlushQueues
      after.inbound_in_progress = false;
      after.outbound_in_progress = false;
      after.outbox_queued = 0;
      after.queues_flushed = flags == LOGOFF_PURGE;
      answer.decided_by = flags == LOGOFF_PURGE ? SpoolerCase::purge : SpoolerCase::no_wait;
      break;
    case LOGOFF_ORDERLY:  // SP-6: queued messages stay queued
      after.inbound_in_progress = false;
      after.outbound_in_progress = false;
      answer.decided_by = SpoolerCase::orderly;
      break;
    default:
      break;  // unreachable: flags is a single input flag
  }
  after.reception_enabled = false;
  after.logged_off = true;
  return answer;
}

// --- The store -------------------------------------------------------------------

bool caller_may(const State& state, const Step& step) noexcept {
  if (state.destroyed) return false;
  if (!is_client_call(step.action)) return true;
  if (state.profile == Profile::eager && state.complete_returned) {
    return step.action == Action::Release;
  }
  if (step.action == Action::AddRef) {
    return state.ref_count < std::numeric_limits<ULONG>::max();
  }
  return true;
}

HRESULT expected_store_logoff_result(const Step& step) noexcept {
  if (is_valid_store_logoff(step)) return S_OK;
  if (!step.null_flags_pointer && (step.flags & ~kInputFlagMask) != 0) {
    return MAPI_E_UNKNOWN_FLAGS;
  }
  return MAPI_E_INVALID_PARAMETER;
}

namespace {

// Whether the store will still call the support object (RC-2): a deferred
// store always does in its final Release; an eager store does until a
// StoreLogoff returned LOGOFF_COMPLETE, after which only Release may come and
// the final Release makes no call.
SupportReference support_needed(const State& state) noexcept {
  if (state.profile == Profile::eager && state.complete_returned) {
    return SupportReference::unconstrained;
  }
  return SupportReference::held;
}

void expect_transport_call(Transition& transition, ULONG flag) noexcept {
  Expectation& expected = transition.expected;
  expected.transport_call_due = true;
  expected.transport_flag = flag;
  expected.spooler = spooler_store_logoff_transports(transition.next.environment, flag);
  transition.next.environment = expected.spooler.after;
  transition.next.transports_called = true;
}

void step_release(Transition& transition) noexcept {
  State& next = transition.next;
  Expectation& expected = transition.expected;
  next.ref_count -= 1;
  expected.count_returned = next.ref_count;
  if (next.ref_count > 0) {  // LT-2: nothing is due yet
    expected.support_after = support_needed(next);
    return;
  }
  // The final Release (LT-3, D1).
  expected.final_release = true;
  expected.support_after = SupportReference::released;
  if (next.profile == Profile::deferred) {
    // LT-1: the last valid flag, or LOGOFF_ABORT if StoreLogoff never came.
    expect_transport_call(transition, next.saved_flag != 0 ? next.saved_flag : LOGOFF_ABORT);
  } else if (!next.transports_called) {
    expect_transport_call(transition, LOGOFF_ABORT);
  }
  next.destroyed = true;
}

void step_store_logoff(Transition& transition, const Step& step) noexcept {
  State& next = transition.next;
  Expectation& expected = transition.expected;
  expected.support_after = support_needed(next);
  expected.result = expected_store_logoff_result(step);
  expected.valid_input = expected.result == S_OK;
  // SL-2: a store that rejects invalid input changes nothing; one that
  // accepts it (D3) changes what answered() says.
  if (!expected.valid_input) return;
  if (next.profile == Profile::deferred) {
    next.saved_flag = step.flags;  // D2: the last valid call wins
    // ... over every invalid input accepted before it (D3).
    next.accepted_inputs = {};
    next.accepted_count = 0;
    next.accepted_flags_alone = 0;
    expected.output = OutputRule::input_activity_or_complete;  // SL-4, D4
    expected.output_flags = step.flags;
    return;
  }
  // Eager, SL-5: the call is made now and its answer returned.
  expect_transport_call(transition, step.flags);
  expected.output = OutputRule::exactly;
  expected.output_flags = expected.spooler.flags_out;
  next.complete_returned = (expected.spooler.flags_out & LOGOFF_COMPLETE) != 0;
  expected.support_after = support_needed(next);
}

}  // namespace

bool final_flag_allowed(const State& state, ULONG flag) noexcept {
  if (flag == (state.saved_flag != 0 ? state.saved_flag : LOGOFF_ABORT)) return true;
  for (std::size_t i = 0; i < state.accepted_count; ++i) {
    if (state.accepted_inputs[i] == flag) return true;
  }
  return is_single_input_flag(flag) && (state.accepted_flags_alone & flag) != 0;
}

State answered(const Transition& transition, const Step& step, HRESULT result) noexcept {
  State next = transition.next;
  const bool accepted_invalid =
      step.action == Action::StoreLogoff && !transition.expected.valid_input && !failed(result);
  // Nothing to remember: a NULL pointer holds no value, and the eager final
  // Release passes LOGOFF_ABORT or nothing whatever was saved.
  if (!accepted_invalid || step.null_flags_pointer || next.profile != Profile::deferred) {
    return next;
  }
  // Once, most recent last: the oldest gives way when the list is full.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < next.accepted_count; ++i) {
    if (next.accepted_inputs[i] != step.flags)
      next.accepted_inputs[kept++] = next.accepted_inputs[i];
  }
  if (kept == kMaxAcceptedInputs) {
    for (std::size_t i = 1; i < kept; ++i) next.accepted_inputs[i - 1] = next.accepted_inputs[i];
    --kept;
  }
  next.accepted_inputs[kept++] = step.flags;
  for (std::size_t i = kept; i < kMaxAcceptedInputs; ++i) next.accepted_inputs[i] = 0;
  next.accepted_count = static_cast<std::uint8_t>(kept);
  if (is_input_flag_with_output_bits(step.flags)) {
    next.accepted_flags_alone |= static_cast<std::uint8_t>(step.flags & kInputFlagMask);
  }
  return next;
}

Transition step(const State& state, const Step& step) noexcept {
  Transition transition{{}, state};
  switch (step.action) {
    case Action::AddRef:
      transition.next.ref_count += 1;
      transition.expected.count_returned = transition.next.ref_count;
      transition.expected.support_after = support_needed(state);
      break;
    case Action::Release:
      step_release(transition);
      break;
    case Action::StoreLogoff:
      step_store_logoff(transition, step);
      break;
    default:
      transition.next.environment = apply_environment_event(state.environment, step.action);
      transition.expected.support_after = support_needed(state);
      break;
  }
  return transition;
}

}  // namespace logoffcheck
