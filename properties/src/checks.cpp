#include "logoffcheck/checks.h"

#include "spooler_rows.h"

#include <cstring>

namespace logoffcheck {

// --- The checks --------------------------------------------------------------------

namespace {

using detail::row_for;
using detail::row_holds;
using detail::SpoolerRow;
using detail::valid_call_flags;

constexpr Verdict not_applicable() noexcept { return Verdict::not_applicable; }
constexpr Verdict pass() noexcept { return Verdict::pass; }

// What a failing check says, built only when it is asked for.
struct Texts {
  std::string expected;
  std::string observed;
};

// A failure of clause `id`. The words are built by `texts` only when `why`
// asks for them: judging every step builds no strings, and only the clause
// that ends a case is described (check, check_step).
template <typename MakeTexts>
[[gnu::noinline, gnu::cold]] void describe(Violation& why, ClauseId id, MakeTexts& texts) {
  Texts made = texts();
  why = Violation{id, std::move(made.expected), std::move(made.observed)};
}

// Out of line and cold, so that a check's verdict path stays small enough
// to inline into judge_step.
template <typename MakeTexts>
Verdict fail(Violation* why, ClauseId id, MakeTexts&& texts) {
  if (why != nullptr) [[unlikely]]
    describe(*why, id, texts);
  return Verdict::fail;
}

bool returned(const StepContext& c) { return c.observed.outcome == CallOutcome::returned; }

std::string expected_call(ULONG flag) {
  return "one StoreLogoffTransports(" + describe_flags(flag) + ")";
}

// Deferred final Release: the call passes a flag the model allows (D2, D3).
bool allowed_final_call(const State& before, const TransportCall& call) {
  return !call.flags_pointer_null && final_flag_allowed(before, call.flags_in);
}

// ", or an invalid input it accepted as given" — what else the final Release
// may pass once the store accepted invalid input (D3).
std::string accepted_alternatives(const State& before) {
  return accepted_invalid_input(before)
             ? ", or an invalid input it accepted (as given, or its one input flag)"
             : std::string();
}

// SL-1: valid input returns S_OK.
Verdict check_sl1(const StepContext& c, Violation* why) {
  if (c.step.action != Action::StoreLogoff || !c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  if (c.observed.result == S_OK) return pass();
  return fail(why, ClauseId::SL_1, [&] {
    return Texts{"S_OK", describe_hresult(c.observed.result)};
  });
}

// SL-2: invalid input the store rejects (a failure HRESULT) makes no
// transport logoff; "changes no saved state" shows at the final Release
// (LT-1, LT-3, LT-4), where the model kept the state as it was. Input the
// store accepts (a success HRESULT) is SL-3's to warn about (D3).
Verdict check_sl2(const StepContext& c, Violation* why) {
  if (c.step.action != Action::StoreLogoff || c.expected.valid_input || !returned(c) ||
      !failed(c.observed.result)) {
    return not_applicable();
  }
  if (c.observed.transport_call_count != 0) {
    return fail(why, ClauseId::SL_2, [&] {
      return Texts{"no StoreLogoffTransports call for rejected invalid input",
                   describe_transport_calls(c.observed)};
    });
  }
  return pass();
}

// SL-3: invalid input is rejected, with the HRESULT decision D3 names;
// accepting it (as the SDK sample does) is a SHOULD violation, never a MUST.
Verdict check_sl3(const StepContext& c, Violation* why) {
  if (c.step.action != Action::StoreLogoff || c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  if (c.observed.result == c.expected.result) return pass();
  return fail(why, ClauseId::SL_3, [&] {
    const bool accepted = !failed(c.observed.result);
    return Texts{describe_hresult(c.expected.result) + " (invalid input rejected)",
                 describe_hresult(c.observed.result) +
                     (accepted ? std::string(" (invalid input accepted)") : std::string())};
  });
}

// SL-4 (deferred, D4): *lpulFlags is the input, a subset of the activity
// bits, or LOGOFF_COMPLETE (what the SDK sample writes back).
Verdict check_sl4(const StepContext& c, Violation* why) {
  if (c.expected.output != OutputRule::input_activity_or_complete || !returned(c)) {
    return not_applicable();
  }
  const ULONG out = c.observed.output_flags;
  if (out == c.expected.output_flags || (out & ~kActivityFlagMask) == 0 || out == LOGOFF_COMPLETE) {
    return pass();
  }
  return fail(why, ClauseId::SL_4, [&] {
    return Texts{"*lpulFlags = " + describe_flags(c.expected.output_flags) +
                     ", a subset of LOGOFF_INBOUND|LOGOFF_OUTBOUND|LOGOFF_OUTBOUND_QUEUE, or "
                     "LOGOFF_COMPLETE",
                 "*lpulFlags = " + describe_flags(out)};
  });
}

// SL-5 (eager): one call, with the given flag, and the spooler's answer returned.
Verdict check_sl5(const StepContext& c, Violation* why) {
  if (c.before.profile != Profile::eager || c.step.action != Action::StoreLogoff ||
      !c.expected.valid_input || !returned(c)) {
    return not_applicable();
  }
  const Observation& o = c.observed;
  if (o.transport_call_count != 1 || o.transport_calls[0].flags_pointer_null ||
      o.transport_calls[0].flags_in != c.expected.transport_flag) {
    return fail(why, ClauseId::SL_5, [&] {
      return Texts{expected_call(c.expected.transport_flag) + " during StoreLogoff",
                   describe_transport_calls(o)};
    });
  }
  if (o.output_flags != o.transport_calls[0].flags_out) {
    return fail(why, ClauseId::SL_5, [&] {
      return Texts{"*lpulFlags = " + describe_flags(o.transport_calls[0].flags_out) +
                       " (the spooler's answer)",
                   "*lpulFlags = " + describe_flags(o.output_flags)};
    });
  }
  return pass();
}

// LT-1 (deferred): the final Release passes the last valid flag.
Verdict check_lt1(const StepContext& c, Violation* why) {
  if (c.before.profile != Profile::deferred || !c.expected.final_release ||
      c.before.saved_flag == 0 || !returned(c) || c.observed.transport_call_count == 0) {
    return not_applicable();  // no call at all is LT-3's to report
  }
  const TransportCall& call = c.observed.transport_calls[0];
  // After accepted invalid input, a flag outside the allowed ones is one the
  // store invented: LT-4's to report, whichever came before (D3).
  if (allowed_final_call(c.before, call) || accepted_invalid_input(c.before)) return pass();
  return fail(why, ClauseId::LT_1, [&] {
    return Texts{"StoreLogoffTransports(" + describe_flags(c.before.saved_flag) +
                     "), the flag of the last valid StoreLogoff" + accepted_alternatives(c.before),
                 describe_transport_call(call)};
  });
}

// LT-2: no transport call while the count stays above zero (eager: besides
// the one StoreLogoff makes, which SL-5 and SL-2 judge).
Verdict check_lt2(const StepContext& c, Violation* why) {
  if (!is_client_call(c.step.action) || c.expected.final_release || !returned(c)) {
    return not_applicable();
  }
  if (c.before.profile == Profile::eager && c.step.action == Action::StoreLogoff &&
      c.expected.valid_input) {
    return not_applicable();
  }
  if (c.observed.transport_call_count == 0) return pass();
  return fail(why, ClauseId::LT_2, [&] {
    return Texts{"no StoreLogoffTransports call while the reference count is " +
                     std::to_string(c.expected.count_returned > 0 ? c.expected.count_returned
                                                                  : c.before.ref_count),
                 describe_transport_calls(c.observed)};
  });
}

// LT-3: the final Release makes the call that is due, exactly once.
Verdict check_lt3(const StepContext& c, Violation* why) {
  if (!c.expected.final_release || !returned(c)) return not_applicable();
  const Observation& o = c.observed;
  if (!c.expected.transport_call_due) {
    if (o.transport_call_count == 0) return pass();
    return fail(why, ClauseId::LT_3, [&] {
      return Texts{
          "no StoreLogoffTransports call in the final Release (StoreLogoff already made it)",
          describe_transport_calls(o)};
    });
  }
  if (o.transport_call_count != 1) {
    return fail(why, ClauseId::LT_3, [&] {
      return Texts{expected_call(c.expected.transport_flag) + " in the final Release",
                   describe_transport_calls(o)};
    });
  }
  // Deferred with a saved flag: which flag is LT-1's to judge.
  const bool default_flag = c.before.profile == Profile::eager || c.before.saved_flag == 0;
  const TransportCall& call = o.transport_calls[0];
  const bool allowed = c.before.profile == Profile::eager
                           ? !call.flags_pointer_null && call.flags_in == LOGOFF_ABORT
                           : allowed_final_call(c.before, call) || accepted_invalid_input(c.before);
  if (default_flag && !allowed) {
    return fail(why, ClauseId::LT_3, [&] {
      return Texts{
          "StoreLogoffTransports(LOGOFF_ABORT): StoreLogoff " +
              std::string(c.before.profile == Profile::eager ? "never called it"
                                                             : "was never called validly") +
              accepted_alternatives(c.before),
          describe_transport_call(call)};
    });
  }
  return pass();
}

// LT-4: every transport call passes a flag the store was given or
// LOGOFF_ABORT, never an invented one: one input flag, or (deferred final
// Release) an invalid input the store accepted, as given (D3). Which input
// flag is LT-1's, LT-3's or SL-5's to judge.
Verdict check_lt4(const StepContext& c, Violation* why) {
  const Observation& o = c.observed;
  if (o.transport_call_count == 0) return not_applicable();
  // After accepted invalid input the deferred final Release may pass only
  // what final_flag_allowed says; anything else is invented (D3).
  const bool accepted_may_pass = c.before.profile == Profile::deferred &&
                                 c.expected.final_release && accepted_invalid_input(c.before);
  for (std::size_t i = 0; i < recorded_transport_calls(o); ++i) {
    const TransportCall& call = o.transport_calls[i];
    if (accepted_may_pass ? allowed_final_call(c.before, call) : valid_call_flags(call)) continue;
    return fail(why, ClauseId::LT_4, [&] {
      return Texts{
          accepted_may_pass
              ? "StoreLogoffTransports(" +
                    describe_flags(c.before.saved_flag != 0 ? c.before.saved_flag : LOGOFF_ABORT) +
                    "), or an invalid input the store accepted (as given, or its one input flag "
                    "beside output bits), never an invented flag"
              : std::string("StoreLogoffTransports with exactly one input flag"),
          describe_transport_call(call)};
    });
  }
  return pass();
}

// RC-1: AddRef and Release return the new count.
Verdict check_rc1(const StepContext& c, Violation* why) {
  if ((c.step.action != Action::AddRef && c.step.action != Action::Release) || !returned(c)) {
    return not_applicable();
  }
  if (c.observed.count_returned == c.expected.count_returned) return pass();
  return fail(why, ClauseId::RC_1, [&] {
    return Texts{std::string(action_name(c.step.action)) + " returns " +
                     std::to_string(c.expected.count_returned),
                 std::string(action_name(c.step.action)) + " returned " +
                     std::to_string(c.observed.count_returned)};
  });
}

// RC-2: support references are held while needed and given back at the end.
Verdict check_rc2(const StepContext& c, Violation* why) {
  if (!is_client_call(c.step.action)) return not_applicable();
  const Observation& o = c.observed;
  if (o.unreferenced_support_calls > 0) {
    return fail(why, ClauseId::RC_2, [&] {
      return Texts{"no call on the support object without holding a reference",
                   std::string(support_method_name(o.first_unreferenced_call)) +
                       " called while holding no reference"};
    });
  }
  if (!returned(c)) return not_applicable();
  switch (c.expected.support_after) {
    case SupportReference::held:
      if (o.support_references_after > 0) return pass();
      return fail(why, ClauseId::RC_2, [&] {
        return Texts{"a support reference held after " + describe_step(c.step) +
                         " (the store must still call StoreLogoffTransports)",
                     "no support reference held"};
      });
    case SupportReference::released:
      if (o.support_references_after == 0) return pass();
      return fail(why, ClauseId::RC_2, [&] {
        return Texts{
            "every support reference given back by the final Release",
            std::to_string(o.support_references_after) + " support reference(s) still held"};
      });
    case SupportReference::unconstrained:
      break;
  }
  return pass();
}

// RC-3: the call returned.
Verdict check_rc3(const StepContext& c, Violation* why) {
  if (!is_client_call(c.step.action)) return not_applicable();
  if (returned(c)) return pass();
  return fail(why, ClauseId::RC_3, [&] {
    return Texts{std::string(action_name(c.step.action)) + " returns",
                 std::string(action_name(c.step.action)) + " " + describe_outcome(c.observed)};
  });
}

// --- Spooler clauses: an independent, declarative reading of contract §6,
// judged against every call the simulated support object served. ----------

SpoolerRow row_of(ClauseId id) noexcept {
  return static_cast<SpoolerRow>(static_cast<int>(id) - static_cast<int>(ClauseId::SP_1) + 1);
}

// One spooler clause: it passes when every call its row governs holds.
Verdict check_spooler(ClauseId id, const StepContext& c, Violation* violation) {
  const SpoolerRow wanted = row_of(id);
  const Observation& o = c.observed;
  Verdict verdict = not_applicable();
  for (std::size_t i = 0; i < recorded_transport_calls(o); ++i) {
    const TransportCall& call = o.transport_calls[i];
    if (row_for(call) != wanted) continue;
    std::string_view why;
    if (!row_holds(wanted, call, why)) {
      return fail(violation, id, [&] {
        std::string expected = describe_transport_call(call) + " answers " + std::string(why);
        if (wanted == SpoolerRow::sp3)
          expected += " (" + describe_flags(activity(call.before)) + ")";
        return Texts{std::move(expected),
                     describe_hresult(call.result) + " with " + describe_flags(call.flags_out)};
      });
    }
    verdict = pass();
  }
  return verdict;
}

// Every spooler clause at once, judging each call against its own row only:
// one pass over the calls instead of one per clause. Agrees with
// check_spooler clause by clause.
void judge_spooler(const Observation& o, StepVerdicts& verdicts) noexcept {
  for (std::size_t i = 0; i < recorded_transport_calls(o); ++i) {
    const TransportCall& call = o.transport_calls[i];
    const SpoolerRow row = row_for(call);
    if (row == SpoolerRow::none) continue;
    Verdict& verdict =
        verdicts[static_cast<std::size_t>(ClauseId::SP_1) + static_cast<std::size_t>(row) - 1];
    if (verdict == Verdict::fail) continue;
    std::string_view why;
    verdict = row_holds(row, call, why) ? Verdict::pass : Verdict::fail;
  }
}

// The check of clause `id`; describes a failure into `why` when given.
Verdict check_clause(ClauseId id, const StepContext& context, Violation* why) {
  switch (id) {
    case ClauseId::SL_1:
      return check_sl1(context, why);
    case ClauseId::SL_2:
      return check_sl2(context, why);
    case ClauseId::SL_3:
      return check_sl3(context, why);
    case ClauseId::SL_4:
      return check_sl4(context, why);
    case ClauseId::SL_5:
      return check_sl5(context, why);
    case ClauseId::LT_1:
      return check_lt1(context, why);
    case ClauseId::LT_2:
      return check_lt2(context, why);
    case ClauseId::LT_3:
      return check_lt3(context, why);
    case ClauseId::LT_4:
      return check_lt4(context, why);
    case ClauseId::RC_1:
      return check_rc1(context, why);
    case ClauseId::RC_2:
      return check_rc2(context, why);
    case ClauseId::RC_3:
      return check_rc3(context, why);
    // RC-4 judges histories of overlapping calls, not one step: the
    // linearizability checker in harness/search judges it.
    case ClauseId::RC_4:
      return not_applicable();
    case ClauseId::SP_1:
    case ClauseId::SP_2:
    case ClauseId::SP_3:
    case ClauseId::SP_4:
    case ClauseId::SP_5:
    case ClauseId::SP_6:
    case ClauseId::SP_7:
      return check_spooler(id, context, why);
  }
  return not_applicable();
}

// The verdicts of a step as machine words, eight clauses a word, so that
// masking and "did any fail" take a few word operations instead of a
// branch per clause.
constexpr std::size_t kVerdictWords = (kClauseCount + 7) / 8;
using VerdictWords = std::array<std::uint64_t, kVerdictWords>;
static_assert(static_cast<int>(Verdict::not_applicable) == 0 &&
              static_cast<int>(Verdict::fail) == 2);

VerdictWords load(const StepVerdicts& verdicts) noexcept {
  VerdictWords words{};
  std::memcpy(words.data(), verdicts.data(), sizeof(verdicts));
  return words;
}

// 0xff in the byte of every clause that judges `profile`, 0 elsewhere.
VerdictWords applying_clauses(Profile profile) noexcept {
  StepVerdicts bytes{};
  for (std::size_t i = 0; i < kClauseCount; ++i) {
    bytes[i] = static_cast<Verdict>(applies_to(static_cast<ClauseId>(i), profile) ? 0xff : 0);
  }
  return load(bytes);
}

}  // namespace

Verdict judge(ClauseId id, const StepContext& context) noexcept {
  // Without a Violation to fill, no check allocates or throws.
  return check_clause(id, context, nullptr);
}

CheckResult check(ClauseId id, const StepContext& context) {
  CheckResult result;
  result.verdict = check_clause(id, context, &result.violation);
  return result;
}

CheckResult check(ClauseId id, const State& before, const Step& step, const Observation& observed) {
  const Expectation expected = logoffcheck::step(before, step).expected;
  return check(id, StepContext{before, step, expected, observed});
}

const std::array<ClauseId, kClauseCount> kReportingOrder = {
    ClauseId::RC_3, ClauseId::LT_4, ClauseId::SL_2, ClauseId::SL_1, ClauseId::SL_5,
    ClauseId::LT_2, ClauseId::LT_3, ClauseId::LT_1, ClauseId::SL_4, ClauseId::RC_2,
    ClauseId::SL_3, ClauseId::RC_1, ClauseId::RC_4, ClauseId::SP_1, ClauseId::SP_2,
    ClauseId::SP_3, ClauseId::SP_4, ClauseId::SP_5, ClauseId::SP_6, ClauseId::SP_7,
};

std::optional<ClauseId> judge_step(const StepContext& context, bool strict,
                                   StepVerdicts& verdicts) noexcept {
  static const VerdictWords kApplies[] = {applying_clauses(Profile::deferred),
                                          applying_clauses(Profile::eager)};
  const VerdictWords& applies = kApplies[context.before.profile == Profile::eager ? 1 : 0];
  // Every provider clause by its own check (called directly, so that they
  // inline), the spooler clauses in one pass over the calls.
  constexpr auto at = [](ClauseId id) { return static_cast<std::size_t>(id); };
  verdicts[at(ClauseId::SL_1)] = check_sl1(context, nullptr);
  verdicts[at(ClauseId::SL_2)] = check_sl2(context, nullptr);
  verdicts[at(ClauseId::SL_3)] = check_sl3(context, nullptr);
  verdicts[at(ClauseId::SL_4)] = check_sl4(context, nullptr);
  verdicts[at(ClauseId::SL_5)] = check_sl5(context, nullptr);
  verdicts[at(ClauseId::LT_1)] = check_lt1(context, nullptr);
  verdicts[at(ClauseId::LT_2)] = check_lt2(context, nullptr);
  verdicts[at(ClauseId::LT_3)] = check_lt3(context, nullptr);
  verdicts[at(ClauseId::LT_4)] = check_lt4(context, nullptr);
  verdicts[at(ClauseId::RC_1)] = check_rc1(context, nullptr);
  verdicts[at(ClauseId::RC_2)] = check_rc2(context, nullptr);
  verdicts[at(ClauseId::RC_3)] = check_rc3(context, nullptr);
  // RC-4 judges histories of overlapping calls (harness/search), never a step.
  verdicts[at(ClauseId::RC_4)] = Verdict::not_applicable;
  for (std::size_t i = at(ClauseId::SP_1); i <= at(ClauseId::SP_7); ++i) {
    verdicts[i] = Verdict::not_applicable;
  }
  judge_spooler(context.observed, verdicts);
  // Clauses of the other profile say nothing, whatever their check said.
  VerdictWords words = load(verdicts);
  std::uint64_t fail_bits = 0;
  for (std::size_t word = 0; word < kVerdictWords; ++word) {
    words[word] &= applies[word];
    fail_bits |= words[word] & 0x0202020202020202ull;
  }
  std::memcpy(verdicts.data(), words.data(), sizeof(verdicts));
  const bool any_failed = fail_bits != 0;
  if (!any_failed) return std::nullopt;
  for (ClauseId id : kReportingOrder) {
    if (verdicts[at(id)] == Verdict::fail && ends_case(id, strict)) return id;
  }
  return std::nullopt;
}

CheckResult check_step(const StepContext& context, bool strict, StepVerdicts& verdicts) {
  CheckResult first;
  first.verdict = Verdict::pass;
  if (const std::optional<ClauseId> failed = judge_step(context, strict, verdicts)) {
    first = check(*failed, context);
  }
  return first;
}

}  // namespace logoffcheck
