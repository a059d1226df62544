#include "logoffcheck/checks.h"

namespace logoffcheck {

// --- The checks --------------------------------------------------------------------

namespace {

CheckResult not_applicable() { return {}; }
CheckResult pass() { return {Verdict::pass, {}}; }
CheckResult fail(ClauseId id, std::string expected, std::string observed) {
  return {Verdict::fail, {id, std::move(expected), std::move(observed)}};
}

bool returned(const StepContext& c) { return c.observed.outcome == CallOutcome::returned; }

std::string expected_call(ULONG flag) {
  return "one StoreLogoffTransports(" + describe_flags(flag) + ")";
}

bool valid_call_flags(const TransportCall& call) {
  return !call.flags_pointer_null && is_single_input_flag(call.flags_in);
}

// SL-1: valid input returns S_OK.
CheckResult check_sl1(const StepContext& c) {
  if (c.step.action != Action::StoreLogoff || !c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  if (c.observed.result == S_OK) return pass();
  return fail(ClauseId::SL_1, "S_OK", describe_hresult(c.observed.result));
}

// SL-2: invalid input fails, and no transport logoff happens.
CheckResult check_sl2(const StepContext& c) {
  if (c.step.action != Action::StoreLogoff || c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  if (!failed(c.observed.result)) {
    return fail(ClauseId::SL_2, "a failure HRESULT for invalid input",
                describe_hresult(c.observed.result));
  }
  if (c.observed.transport_call_count != 0) {
    return fail(ClauseId::SL_2, "no StoreLogoffTransports call for invalid input",
                describe_transport_calls(c.observed));
  }
  return pass();
}

// SL-3: invalid input gets the HRESULT decision D3 names.
CheckResult check_sl3(const StepContext& c) {
  if (c.step.action != Action::StoreLogoff || c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  if (c.observed.result == c.expected.result) return pass();
  return fail(ClauseId::SL_3, describe_hresult(c.expected.result),
              describe_hresult(c.observed.result));
}

// SL-4 (deferred): *lpulFlags is the input or a subset of the activity bits.
CheckResult check_sl4(const StepContext& c) {
  if (c.expected.output != OutputRule::input_or_activity_subset || !returned(c)) {
    return not_applicable();
  }
  const ULONG out = c.observed.output_flags;
  if (out == c.expected.output_flags || (out & ~kActivityFlagMask) == 0) return pass();
  return fail(ClauseId::SL_4,
              "*lpulFlags = " + describe_flags(c.expected.output_flags) +
                  " or a subset of LOGOFF_INBOUND|LOGOFF_OUTBOUND|LOGOFF_OUTBOUND_QUEUE",
              "*lpulFlags = " + describe_flags(out));
}

// SL-5 (eager): one call, with the given flag, and the spooler's answer returned.
CheckResult check_sl5(const StepContext& c) {
  if (c.before.profile != Profile::eager || c.step.action != Action::StoreLogoff ||
      !c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  const Observation& o = c.observed;
  if (o.transport_call_count != 1 || o.transport_calls[0].flags_pointer_null ||
      o.transport_calls[0].flags_in != c.expected.transport_flag) {
    return fail(ClauseId::SL_5, expected_call(c.expected.transport_flag) + " during StoreLogoff",
                describe_transport_calls(o));
  }
  if (o.output_flags != o.transport_calls[0].flags_out) {
    return fail(ClauseId::SL_5,
                "*lpulFlags = " + describe_flags(o.transport_calls[0].flags_out) +
                    " (the spooler's answer)",
                "*lpulFlags = " + describe_flags(o.output_flags));
  }
  return pass();
}

// LT-1 (deferred): the final Release passes the last valid flag.
CheckResult check_lt1(const StepContext& c) {
  if (c.before.profile != Profile::deferred || !c.expected.final_release ||
      c.before.saved_flag == 0 || !returned(c) || c.observed.transport_call_count == 0) {
    return not_applicable();  // no call at all is LT-3's to report
  }
  const TransportCall& call = c.observed.transport_calls[0];
  if (!call.flags_pointer_null && call.flags_in == c.before.saved_flag) return pass();
  return fail(ClauseId::LT_1,
              "StoreLogoffTransports(" + describe_flags(c.before.saved_flag) +
                  "), the flag of the last valid StoreLogoff",
              describe_transport_call(call));
}

// LT-2: no transport call while the count stays above zero (eager: besides
// the one StoreLogoff makes, which SL-5 and SL-2 judge).
CheckResult check_lt2(const StepContext& c) {
  if (!is_client_call(c.step.action) || c.expected.final_release || !returned(c)) {
    return not_applicable();
  }
  if (c.before.profile == Profile::eager && c.step.action == Action::StoreLogoff) {
    return not_applicable();
  }
  if (c.observed.transport_call_count == 0) return pass();
  return fail(ClauseId::LT_2,
              "no StoreLogoffTransports call while the reference count is " +
                  std::to_string(c.expected.count_returned > 0 ? c.expected.count_returned
                                                               : c.before.ref_count),
              describe_transport_calls(c.observed));
}

// LT-3: the final Release makes the call that is due, exactly once.
CheckResult check_lt3(const StepContext& c) {
  if (!c.expected.final_release || !returned(c)) return not_applicable();
  const Observation& o = c.observed;
  if (!c.expected.transport_call_due) {
    if (o.transport_call_count == 0) return pass();
    return fail(ClauseId::LT_3,
                "no StoreLogoffTransports call in the final Release (StoreLogoff already made it)",
                describe_transport_calls(o));
  }
  if (o.transport_call_count != 1) {
    return fail(ClauseId::LT_3, expected_call(c.expected.transport_flag) + " in the final Release",
                describe_transport_calls(o));
  }
  // Deferred with a saved flag: which flag is LT-1's to judge.
  const bool default_flag = c.before.profile == Profile::eager || c.before.saved_flag == 0;
  const TransportCall& call = o.transport_calls[0];
  if (default_flag && (call.flags_pointer_null || call.flags_in != LOGOFF_ABORT)) {
    return fail(ClauseId::LT_3,
                "StoreLogoffTransports(LOGOFF_ABORT): StoreLogoff " +
                    std::string(c.before.profile == Profile::eager ? "never called it"
                                                                   : "was never called"),
                describe_transport_call(call));
  }
  return pass();
}

// LT-4: every transport call passes exactly one input flag.
CheckResult check_lt4(const StepContext& c) {
  const Observation& o = c.observed;
  if (o.transport_call_count == 0) return not_applicable();
  for (std::size_t i = 0; i < recorded_transport_calls(o); ++i) {
    if (!valid_call_flags(o.transport_calls[i])) {
      return fail(ClauseId::LT_4, "StoreLogoffTransports with exactly one input flag",
                  describe_transport_call(o.transport_calls[i]));
    }
  }
  return pass();
}

// RC-1: AddRef and Release return the new count.
CheckResult check_rc1(const StepContext& c) {
  if ((c.step.action != Action::AddRef && c.step.action != Action::Release) || !returned(c)) {
    return not_applicable();
  }
  if (c.observed.count_returned == c.expected.count_returned) return pass();
  return fail(ClauseId::RC_1,
              std::string(action_name(c.step.action)) + " returns " +
                  std::to_string(c.expected.count_returned),
              std::string(action_name(c.step.action)) + " returned " +
                  std::to_string(c.observed.count_returned));
}

// RC-2: support references are held while needed and given back at the end.
CheckResult check_rc2(const StepContext& c) {
  if (!is_client_call(c.step.action)) return not_applicable();
  const Observation& o = c.observed;
  if (o.unreferenced_support_calls > 0) {
    return fail(ClauseId::RC_2, "no call on the support object without holding a reference",
                std::string(support_method_name(o.first_unreferenced_call)) +
                    " called while holding no reference");
  }
  if (!returned(c)) return not_applicable();
  switch (c.expected.support_after) {
    case SupportReference::held:
      if (o.support_references_after > 0) return pass();
      return fail(ClauseId::RC_2,
                  "a support reference held after " + describe_step(c.step) +
                      " (the store must still call StoreLogoffTransports)",
                  "no support reference held");
    case SupportReference::released:
      if (o.support_references_after == 0) return pass();
      return fail(ClauseId::RC_2, "every support reference given back by the final Release",
                  std::to_string(o.support_references_after) + " support reference(s) still held");
    case SupportReference::unconstrained:
      break;
  }
  return pass();
}

// RC-3: the call returned.
CheckResult check_rc3(const StepContext& c) {
  if (!is_client_call(c.step.action)) return not_applicable();
  if (returned(c)) return pass();
  return fail(ClauseId::RC_3, std::string(action_name(c.step.action)) + " returns",
              std::string(action_name(c.step.action)) + " " + describe_outcome(c.observed));
}

// --- Spooler clauses: an independent, declarative reading of contract §6,
// judged against every call the simulated support object served. ----------

enum class SpoolerRow : std::uint8_t { none, sp1, sp2, sp3, sp4, sp5, sp6, sp7 };

SpoolerRow row_for(const TransportCall& call) {
  if (!valid_call_flags(call)) return SpoolerRow::sp1;
  if (call.before.open_in_other_process) return SpoolerRow::sp2;
  if (call.before.logged_off) return SpoolerRow::none;  // already released: no row
  switch (call.flags_in) {
    case LOGOFF_ABORT:
    case LOGOFF_QUIET:
      return activity(call.before) != 0 ? SpoolerRow::sp3 : SpoolerRow::sp4;
    case LOGOFF_NO_WAIT: return SpoolerRow::sp5;
    case LOGOFF_ORDERLY: return SpoolerRow::sp6;
    case LOGOFF_PURGE: return SpoolerRow::sp7;
    default: return SpoolerRow::none;
  }
}

// Whether `call` satisfies the row that applies to it; `why` names the first
// part that does not hold. A view of fixed text, so that a passing row
// allocates nothing (checks allocate only to report a violation).
bool row_holds(SpoolerRow row, const TransportCall& call, std::string_view& why) {
  const Environment& before = call.before;
  const Environment& after = call.after;
  const auto completes = [&](bool queue_sent) {
    if (call.result != S_OK || call.flags_out != LOGOFF_COMPLETE) {
      why = "S_OK with LOGOFF_COMPLETE";
      return false;
    }
    if (after.inbound_in_progress || after.outbound_in_progress) {
      why = "in-progress messages finished";
      return false;
    }
    if (queue_sent ? after.outbox_queued != 0 : after.outbox_queued != before.outbox_queued) {
      why = queue_sent ? "the outbox queue sent" : "the outbox queue left as it was";
      return false;
    }
    if (after.reception_enabled || !after.logged_off) {
      why = "reception disabled and the store logged off";
      return false;
    }
    return true;
  };
  switch (row) {
    case SpoolerRow::sp1:
      why = "MAPI_E_INVALID_PARAMETER and nothing changed";
      return call.result == MAPI_E_INVALID_PARAMETER && after == before;
    case SpoolerRow::sp2:
      why = "S_OK with LOGOFF_COMPLETE and nothing changed";
      return call.result == S_OK && call.flags_out == LOGOFF_COMPLETE && after == before;
    case SpoolerRow::sp3:
      why = "S_OK with the activity bits and no logoff";
      return call.result == S_OK && call.flags_out == activity(before) && after == before;
    case SpoolerRow::sp4:
      why = "S_OK with LOGOFF_COMPLETE and the store logged off";
      return call.result == S_OK && call.flags_out == LOGOFF_COMPLETE && after.logged_off &&
             !after.reception_enabled;
    case SpoolerRow::sp5:
      return completes(true);
    case SpoolerRow::sp6:
      return completes(false);
    case SpoolerRow::sp7:
      if (!completes(true)) return false;
      why = "FlushQueues invoked";
      return after.queues_flushed;
    case SpoolerRow::none:
      break;
  }
  return true;
}

CheckResult check_spooler(ClauseId id, const StepContext& c) {
  const auto wanted =
      static_cast<SpoolerRow>(static_cast<int>(id) - static_cast<int>(ClauseId::SP_1) + 1);
  const Observation& o = c.observed;
  CheckResult result;
  for (std::size_t i = 0; i < recorded_transport_calls(o); ++i) {
    const TransportCall& call = o.transport_calls[i];
    if (row_for(call) != wanted) continue;
    std::string_view why;
    if (!row_holds(wanted, call, why)) {
      std::string expected = describe_transport_call(call) + " answers " + std::string(why);
      if (wanted == SpoolerRow::sp3) expected += " (" + describe_flags(activity(call.before)) + ")";
      return fail(id, std::move(expected),
                  describe_hresult(call.result) + " with " + describe_flags(call.flags_out));
    }
    result.verdict = Verdict::pass;
  }
  return result;
}

}  // namespace

CheckResult check(ClauseId id, const StepContext& context) {
  switch (id) {
    case ClauseId::SL_1: return check_sl1(context);
    case ClauseId::SL_2: return check_sl2(context);
    case ClauseId::SL_3: return check_sl3(context);
    case ClauseId::SL_4: return check_sl4(context);
    case ClauseId::SL_5: return check_sl5(context);
    case ClauseId::LT_1: return check_lt1(context);
    case ClauseId::LT_2: return check_lt2(context);
    case ClauseId::LT_3: return check_lt3(context);
    case ClauseId::LT_4: return check_lt4(context);
    case ClauseId::RC_1: return check_rc1(context);
    case ClauseId::RC_2: return check_rc2(context);
    case ClauseId::RC_3: return check_rc3(context);
    // RC-4 judges histories of overlapping calls, not one step: the
    // linearizability checker in harness/search judges it.
    case ClauseId::RC_4: return not_applicable();
    case ClauseId::SP_1:
    case ClauseId::SP_2:
    case ClauseId::SP_3:
    case ClauseId::SP_4:
    case ClauseId::SP_5:
    case ClauseId::SP_6:
    case ClauseId::SP_7: return check_spooler(id, context);
  }
  return not_applicable();
}

CheckResult check(ClauseId id, const State& before, const Step& step, const Observation& observed) {
  const Expectation expected = logoffcheck::step(before, step).expected;
  return check(id, StepContext{before, step, expected, observed});
}

const std::array<ClauseId, kClauseCount> kReportingOrder = {
    ClauseId::RC_3, ClauseId::LT_4, ClauseId::SL_2, ClauseId::SL_1, ClauseId::SL_5,
    ClauseId::LT_2, ClauseId::LT_3, ClauseId::LT_1, ClauseId::SL_4, ClauseId::RC_2,
    ClauseId::SL_3, ClauseId::RC_1, ClauseId::RC_4,
    ClauseId::SP_1, ClauseId::SP_2, ClauseId::SP_3,
    ClauseId::SP_4, ClauseId::SP_5, ClauseId::SP_6, ClauseId::SP_7,
};

CheckResult check_step(const StepContext& context, bool strict, StepVerdicts& verdicts) {
  CheckResult first;
  first.verdict = Verdict::pass;
  for (ClauseId id : kReportingOrder) {
    if (!applies_to(id, context.before.profile)) {
      verdicts[static_cast<std::size_t>(id)] = Verdict::not_applicable;
      continue;
    }
    CheckResult result = check(id, context);
    verdicts[static_cast<std::size_t>(id)] = result.verdict;
    if (result.verdict == Verdict::fail && first.verdict != Verdict::fail && ends_case(id, strict)) {
      first = std::move(result);
    }
  }
  return first;
}

}  // namespace logoffcheck
