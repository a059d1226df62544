// logoffcheck/coverage.h — model coverage: which transitions of the contract's
// state machine a run exercised (docs/report.md, "Model coverage").
//
// The model's concrete state space is unbounded (reference counts, queued
// messages), so coverage is measured over an abstraction of it, a pure
// function of the model state and the step:
//
//   abstract state = count (1 | more than 1)
//                  x saved flag (none | one of the five input flags)
//                  x environment (idle | active | open elsewhere | logged off)
//                  x transports called (no | yes)
//                  x complete returned (no | yes; eager: only Release may follow)
//                  x accepted input (no | yes; deferred: invalid input the store
//                    accepted since the last valid StoreLogoff, decision D3)
//   step kind      = AddRef | Release (not final) | Release (final)
//                  | StoreLogoff(F) for each valid input flag F
//                  | StoreLogoff with NULL | no flag | several flags | undefined bits
//                  | an input flag with output bits beside it
//                  | each of the seven environment events
//
// A transition is a pair (abstract state, step kind). Which pairs a profile
// can reach is computed from the model itself (reachable_transitions), so
// "exercised of reachable" is a fraction that 100% can attain.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace logoffcheck {

inline constexpr std::size_t kAbstractStateCount = 2 * 6 * 4 * 2 * 2 * 2;  // 384
inline constexpr std::size_t kStepKindCount = 20;
inline constexpr std::size_t kTransitionCount = kAbstractStateCount * kStepKindCount;

// One step of every kind the generator makes, in Action order: AddRef,
// Release, StoreLogoff with each input flag, with NULL, zero, two flags, an
// undefined bit, an output-only flag and an input flag with an output flag
// beside it (what a client feeding back the last output passes, D3), and
// each environment event (20).
// Every step kind has a representative among them; exploration uses them as
// its alphabet (explore.h).
std::vector<Step> step_representatives();

// The abstract state of `state` (0 .. kAbstractStateCount - 1). Requires a
// state that is not destroyed (nothing follows the final Release).
std::size_t abstract_state(const State& state) noexcept;

// The kind of `step` taken in `state` (0 .. kStepKindCount - 1): a Release is
// final when it takes the count to zero.
std::size_t step_kind(const State& state, const Step& step) noexcept;

// The transition index of taking `step` in `state`.
inline std::size_t transition_index(const State& state, const Step& step) noexcept {
  return abstract_state(state) * kStepKindCount + step_kind(state, step);
}

// "count>1, saved LOGOFF_ORDERLY, env idle --Release (final)-->": a transition
// for people, built from the same tables as the index.
std::string describe_transition(std::size_t index);

// A set of transitions. Marking is one bit operation: cheap enough for every
// executed step of a run.
struct TransitionSet {
  std::bitset<kTransitionCount> bits;

  void mark(const State& state, const Step& step) noexcept {
    bits.set(transition_index(state, step));
  }
  // Marks every transition of a case's executed steps, walking the model from
  // the initial state of `profile` (steps the caller rules refuse are skipped,
  // as the interpreter skips them).
  void mark_case(Profile profile, std::span<const Step> executed) noexcept;
  void add(const TransitionSet& other) noexcept { bits |= other.bits; }
  std::size_t count() const noexcept { return bits.count(); }

  friend bool operator==(const TransitionSet&, const TransitionSet&) = default;
};

// Every transition a store of `profile` can take, found by breadth-first
// search over concrete model states from initial_state(profile) with one
// representative of every step kind; invalid StoreLogoff input is followed
// rejected, as decision D3 recommends. The transitions of a store that
// accepts it (the "accepted input" digit, answered()) are outside this set:
// a report counts only the reachable ones, so 100% stays attainable. The search bounds the
// reference count at 3 and the outbox at 2: the abstraction only tells 1 from more than 1 and an
// empty outbox from a full one, so larger values reach no further abstract transition. Computed
// once per profile and cached.
const TransitionSet& reachable_transitions(Profile profile);

}  // namespace logoffcheck
