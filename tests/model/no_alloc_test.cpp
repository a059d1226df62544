// The model never allocates per step (house style: "never allocates per
// step"), and check_step allocates nothing while every clause holds. A
// dedicated binary, because it replaces the global operator new to count.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "conformant_observation.h"
#include "logoffcheck/checks.h"
#include "logoffcheck/model.h"
#include "logoffcheck/sanitizers.h"

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

#ifndef LOGOFFCHECK_ASAN
// AddressSanitizer brings its own operator new; replacing it there would
// fight the sanitizer, so the counting is for the normal build only.
namespace {
void* counted_allocation(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
#endif

namespace logoffcheck {
namespace {

// Skips the test where the counter cannot see allocations.
#ifdef LOGOFFCHECK_ASAN
#define SKIP_UNLESS_COUNTING()                                                                 \
  GTEST_SKIP() << "AddressSanitizer owns operator new; allocations are counted in the normal " \
                  "build"
#else
#define SKIP_UNLESS_COUNTING() static_cast<void>(0)
#endif

// One lifetime of each profile that reaches every kind of step: reference
// counting, valid and invalid StoreLogoff, environment events, and the final
// Release with its transport call.
const std::vector<Step>& busy_lifetime() {
  static const std::vector<Step> steps = {
      add_ref(),
      environment(Action::MessageQueued),
      environment(Action::InboundBegins),
      store_logoff(LOGOFF_QUIET),
      store_logoff(LOGOFF_COMPLETE),
      store_logoff_null(),
      environment(Action::OutboundBegins),
      environment(Action::OtherProcessOpens),
      environment(Action::OtherProcessCloses),
      environment(Action::InboundEnds),
      store_logoff(LOGOFF_PURGE),
      release(),
      release(),
  };
  return steps;
}

TEST(NoAllocation, TheCounterSeesAnAllocation) {
  SKIP_UNLESS_COUNTING();
  const std::size_t before = allocations.load();
  void* memory = ::operator new(16);  // an explicit call cannot be elided
  ::operator delete(memory);
  EXPECT_EQ(allocations.load(), before + 1);
}

TEST(NoAllocation, ModelStepAllocatesNothing) {
  SKIP_UNLESS_COUNTING();
  const std::vector<Step>& steps = busy_lifetime();  // built before counting
  for (Profile profile : kProfiles) {
    const std::size_t before = allocations.load();
    State state = initial_state(profile);
    std::size_t steps_taken = 0;
    for (const Step& next : steps) {
      if (!caller_may(state, next)) continue;
      state = step(state, next).next;
      ++steps_taken;
    }
    EXPECT_EQ(allocations.load(), before) << profile_name(profile);
    EXPECT_TRUE(state.destroyed) << profile_name(profile);
    EXPECT_GE(steps_taken, 4u);
  }
}

TEST(NoAllocation, CheckStepAllocatesNothingWhileEveryClauseHolds) {
  SKIP_UNLESS_COUNTING();
  for (Profile profile : kProfiles) {
    State state = initial_state(profile);
    std::size_t allocated = 0;
    for (const Step& next : busy_lifetime()) {
      if (!caller_may(state, next)) continue;
      const Transition transition = step(state, next);
      const Observation observed =
          testing::conformant_observation(state, next, transition.expected);
      StepVerdicts verdicts{};
      const std::size_t before = allocations.load();
      const CheckResult result =
          check_step(StepContext{state, next, transition.expected, observed}, true, verdicts);
      allocated += allocations.load() - before;
      EXPECT_EQ(result.verdict, Verdict::pass) << describe_step(next);
      state = transition.next;
    }
    EXPECT_EQ(allocated, 0u) << profile_name(profile);
  }
}

}  // namespace
}  // namespace logoffcheck
