// walk.h — driving the model through steps, for tests and properties.
#pragma once

#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace logoffcheck::testing {

// The state after `steps` from a fresh store of `profile`. Every step must
// be one the caller may make; a test that breaks that rule fails here.
inline State state_after(Profile profile, const std::vector<Step>& steps) {
  State state = initial_state(profile);
  for (const Step& next : steps) {
    EXPECT_TRUE(caller_may(state, next))
        << "test setup breaks a caller rule at " << describe_step(next);
    state = step(state, next).next;
  }
  return state;
}

// One step of a walk, with the state it started from.
struct WalkedStep {
  State before;
  Step step;
  Transition transition;
};

// One whole store lifetime as a client following the caller rules plays it:
// the steps caller_may refuses are skipped, then Releases are appended until
// the store is destroyed (as the case runner does).
inline std::vector<WalkedStep> walk_lifetime(Profile profile, std::span<const Step> steps) {
  std::vector<WalkedStep> walk;
  State state = initial_state(profile);
  const auto play = [&](const Step& next) {
    const Transition transition = step(state, next);
    walk.push_back({state, next, transition});
    state = transition.next;
  };
  for (const Step& next : steps) {
    if (caller_may(state, next)) play(next);
  }
  while (!state.destroyed) play(release());
  return walk;
}

}  // namespace logoffcheck::testing
