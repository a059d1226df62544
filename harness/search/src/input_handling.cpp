#include "logoffcheck/input_handling.h"

#include <array>

namespace logoffcheck {

namespace {

constexpr Step kFirst = store_logoff(LOGOFF_ORDERLY);
constexpr Step kFedBack = store_logoff(LOGOFF_NO_WAIT | LOGOFF_COMPLETE);

WriteBack classify_write_back(const StepRecord& record) {
  const Observation& o = record.observed;
  if (o.outcome != CallOutcome::returned || failed(o.result)) return WriteBack::not_determined;
  if (record.expected.output == OutputRule::exactly) {
    return o.transport_call_count == 1 && o.output_flags == o.transport_calls[0].flags_out
               ? WriteBack::spooler_answer
               : WriteBack::other;
  }
  if (o.output_flags == record.step.flags) return WriteBack::unchanged;
  if (o.output_flags == LOGOFF_COMPLETE) return WriteBack::complete;
  if ((o.output_flags & ~kActivityFlagMask) == 0) return WriteBack::activity;
  return WriteBack::other;
}

// What the final Release passed after the fed-back input was accepted.
InvalidInputHandling classify_accepted(const CaseResult& result, std::size_t fed_back,
                                       ULONG saved_before) {
  for (std::size_t r = fed_back + 1; r < result.records.size(); ++r) {
    const StepRecord& record = result.records[r];
    if (!record.expected.final_release) continue;
    const Observation& o = record.observed;
    if (o.transport_call_count == 0 || o.transport_calls[0].flags_pointer_null) break;
    const ULONG passed = o.transport_calls[0].flags_in;
    if (passed == kFedBack.flags) return InvalidInputHandling::accepts_as_given;
    if (passed == (kFedBack.flags & kInputFlagMask)) {
      return InvalidInputHandling::accepts_input_flag_alone;
    }
    if (passed == saved_before) return InvalidInputHandling::ignores;
    break;
  }
  return InvalidInputHandling::accepts;
}

}  // namespace

InputHandling probe_input_handling(CaseRunner& runner) {
  InputHandling handling;
  const bool eager = runner.options().profile == Profile::eager;
  // Eager: after the first StoreLogoff's LOGOFF_COMPLETE only Release may
  // come, so the fed-back input goes first and alone.
  const std::array<Step, 2> deferred_case = {kFirst, kFedBack};
  const std::span<const Step> steps =
      eager ? std::span<const Step>(&kFedBack, 1) : std::span<const Step>(deferred_case);
  const CaseResult result = runner.run(steps, true);
  const std::size_t fed_back = eager ? 0 : 1;
  if (!eager && !result.records.empty() && result.records[0].step == kFirst) {
    handling.write_back = classify_write_back(result.records[0]);
  }
  if (result.records.size() > fed_back && result.records[fed_back].step == kFedBack) {
    const Observation& o = result.records[fed_back].observed;
    if (o.outcome == CallOutcome::returned) {
      handling.invalid_input = failed(o.result)
                                   ? InvalidInputHandling::rejects
                                   : (eager ? InvalidInputHandling::accepts
                                            : classify_accepted(result, fed_back, kFirst.flags));
    }
  }
  if (eager) {
    const CaseResult valid = runner.run(std::span<const Step>(&kFirst, 1), true);
    if (!valid.records.empty()) handling.write_back = classify_write_back(valid.records[0]);
  }
  return handling;
}

std::string describe_input_handling(const InputHandling& handling) {
  std::string text = "invalid input: ";
  switch (handling.invalid_input) {
    case InvalidInputHandling::rejects:
      text += "rejected";
      break;
    case InvalidInputHandling::accepts_as_given:
      text += "accepted as given";
      break;
    case InvalidInputHandling::accepts_input_flag_alone:
      text += "accepted, its one input flag kept";
      break;
    case InvalidInputHandling::ignores:
      text += "accepted and ignored";
      break;
    case InvalidInputHandling::accepts:
      text += "accepted";
      break;
    case InvalidInputHandling::not_determined:
      text += "not determined";
      break;
  }
  text += "; writes back ";
  switch (handling.write_back) {
    case WriteBack::unchanged:
      text += "the input unchanged";
      break;
    case WriteBack::activity:
      text += "activity bits";
      break;
    case WriteBack::complete:
      text += "LOGOFF_COMPLETE";
      break;
    case WriteBack::spooler_answer:
      text += "the spooler's answer";
      break;
    case WriteBack::other:
      text += "something else";
      break;
    case WriteBack::not_determined:
      text += "not determined";
      break;
  }
  return text;
}

}  // namespace logoffcheck
