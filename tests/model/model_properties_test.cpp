// Properties of the model itself, over generated caller-valid sequences of
// both profiles (RapidCheck; ctest fixes the seed through RC_PARAMS).
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "conformant_observation.h"
#include "logoffcheck/checks.h"
#include "logoffcheck/generate.h"
#include "walk.h"

namespace logoffcheck {
namespace {

using testing::conformant_observation;
using testing::walk_lifetime;
using testing::WalkedStep;

// Inside a property: a generated sequence for `profile`, played as one
// whole store lifetime.
std::vector<WalkedStep> generated_lifetime(Profile profile) {
  const std::vector<Step> steps = *gen_steps(GenerationOptions{profile, 64});
  return walk_lifetime(profile, steps);
}

RC_GTEST_PROP(ModelProperties, CountNeverUnderflowsAndReachesZeroOnceAtTheEnd, ()) {
  for (Profile profile : kProfiles) {
    const std::vector<WalkedStep> walk = generated_lifetime(profile);
    for (std::size_t i = 0; i < walk.size(); ++i) {
      const WalkedStep& walked = walk[i];
      const bool last = i + 1 == walk.size();
      RC_ASSERT(walked.before.ref_count > 0u);
      RC_ASSERT(!walked.before.destroyed);
      RC_ASSERT(walked.transition.expected.final_release == last);
      RC_ASSERT((walked.transition.next.ref_count == 0u) == last);
      RC_ASSERT(walked.transition.next.destroyed == last);
      if (walked.step.action == Action::AddRef || walked.step.action == Action::Release) {
        RC_ASSERT(walked.transition.expected.count_returned == walked.transition.next.ref_count);
      }
    }
  }
}

RC_GTEST_PROP(ModelProperties, DeferredMakesOneCallInTheFinalReleaseWithTheLastValidFlag, ()) {
  const std::vector<WalkedStep> walk = generated_lifetime(Profile::deferred);
  ULONG last_valid_flag = 0;
  int calls_due = 0;
  for (const WalkedStep& walked : walk) {
    const Expectation& expected = walked.transition.expected;
    if (expected.transport_call_due) {
      ++calls_due;
      RC_ASSERT(expected.final_release);
      RC_ASSERT(expected.transport_flag == (last_valid_flag != 0 ? last_valid_flag : LOGOFF_ABORT));
    }
    if (is_valid_store_logoff(walked.step)) last_valid_flag = walked.step.flags;
  }
  RC_ASSERT(calls_due == 1);
  RC_ASSERT(walk.back().transition.expected.transport_call_due);
}

RC_GTEST_PROP(ModelProperties, EagerFinalReleaseCallsOnlyIfStoreLogoffNeverDid, ()) {
  const std::vector<WalkedStep> walk = generated_lifetime(Profile::eager);
  bool store_logoff_called = false;
  for (const WalkedStep& walked : walk) {
    const Expectation& expected = walked.transition.expected;
    if (is_valid_store_logoff(walked.step)) {
      RC_ASSERT(expected.transport_call_due);
      RC_ASSERT(expected.transport_flag == walked.step.flags);
      store_logoff_called = true;
    } else if (expected.final_release) {
      RC_ASSERT(expected.transport_call_due == !store_logoff_called);
      if (expected.transport_call_due) RC_ASSERT(expected.transport_flag == LOGOFF_ABORT);
    } else {
      RC_ASSERT(!expected.transport_call_due);
    }
  }
}

RC_GTEST_PROP(ModelProperties, InvalidStoreLogoffNeverChangesTheState, ()) {
  for (Profile profile : kProfiles) {
    for (const WalkedStep& walked : generated_lifetime(profile)) {
      if (walked.step.action != Action::StoreLogoff || is_valid_store_logoff(walked.step)) continue;
      RC_ASSERT(walked.transition.next == walked.before);
      RC_ASSERT(!walked.transition.expected.transport_call_due);
      RC_ASSERT(walked.transition.expected.result == expected_store_logoff_result(walked.step));
    }
  }
}

RC_GTEST_PROP(ModelProperties, TheSameSequenceGivesTheSameExpectations, ()) {
  for (Profile profile : kProfiles) {
    const std::vector<Step> steps = *gen_steps(GenerationOptions{profile, 64});
    const std::vector<WalkedStep> first = walk_lifetime(profile, steps);
    const std::vector<WalkedStep> second = walk_lifetime(profile, steps);
    RC_ASSERT(first.size() == second.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
      RC_ASSERT(first[i].transition == second[i].transition);
    }
  }
}

RC_GTEST_PROP(ModelProperties, EqualStatesGiveEqualTransitions, (const Step& next)) {
  for (Profile profile : kProfiles) {
    const std::vector<WalkedStep> walk = generated_lifetime(profile);
    const auto index = *rc::gen::inRange<std::size_t>(0, walk.size());
    const State state = walk[index].before;
    const State copy = state;
    RC_PRE(caller_may(state, next));
    RC_ASSERT(step(state, next) == step(copy, next));
  }
}

RC_GTEST_PROP(ModelProperties, EveryExpectedTransportFlagIsASingleInputFlag, ()) {
  for (Profile profile : kProfiles) {
    for (const WalkedStep& walked : generated_lifetime(profile)) {
      const Expectation& expected = walked.transition.expected;
      if (!expected.transport_call_due) continue;
      RC_ASSERT(is_single_input_flag(expected.transport_flag));  // the model never breaks LT-4
      RC_ASSERT(expected.spooler.decided_by != SpoolerCase::invalid_flags);
    }
  }
}

RC_GTEST_PROP(ModelProperties, ConformantObservationsPassEveryCheck, ()) {
  for (Profile profile : kProfiles) {
    for (const WalkedStep& walked : generated_lifetime(profile)) {
      const Expectation& expected = walked.transition.expected;
      const Observation observed = conformant_observation(walked.before, walked.step, expected);
      StepVerdicts verdicts{};
      const CheckResult result =
          check_step(StepContext{walked.before, walked.step, expected, observed}, true, verdicts);
      if (result.verdict != Verdict::pass) {
        RC_FAIL(std::string(clause_code(result.violation.clause)) + " at " +
                describe_step(walked.step) + ": expected " + result.violation.expected +
                ", observed " + result.violation.observed);
      }
      for (Verdict verdict : verdicts) RC_ASSERT(verdict != Verdict::fail);
    }
  }
}

}  // namespace
}  // namespace logoffcheck
