// logoffcheck/model.h — the executable reference model of the StoreLogoff
// contract (docs/contract.md, docs/model.md).
//
// The model is a pure value with one transition function, in the manner of
// Porcupine's Init/Step: `initial_state(profile)` gives the state of a freshly
// opened store, and `step(state, event)` says what a conformant provider may do
// in answer to the event and what the state becomes. It never calls a provider,
// never allocates, and states can be copied and compared, so the same model
// serves random testing, exhaustive exploration and linearizability checking.
//
// Clause IDs in the comments (SL-, LT-, RC-, SP-) refer to docs/contract.md;
// the clauses themselves, and the checks that judge observations against these
// expectations, live in properties/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "logoffcheck/mapi.h"
#include "logoffcheck/step.h"

namespace logoffcheck {

// Which reading of the contract a provider follows (contract decision D5).
enum class Profile : std::uint8_t {
  // The seed pages' notes to implementers: save the flag, call
  // StoreLogoffTransports once, in the Release that takes the count to zero.
  deferred,
  // The StoreLogoffTransports page: call it from StoreLogoff itself, and from
  // the final Release with LOGOFF_ABORT only if it was never called.
  eager,
};

inline constexpr std::array<Profile, 2> kProfiles = {Profile::deferred, Profile::eager};

std::string_view profile_name(Profile profile) noexcept;  // "deferred", "eager"
std::optional<Profile> parse_profile(std::string_view name) noexcept;

// ---------------------------------------------------------------------------
// The simulated spooler and transports (contract §6).

// The transport state around one store. Changed by environment events and by
// the spooler when a logoff completes.
struct Environment {
  bool inbound_in_progress = false;
  bool outbound_in_progress = false;
  bool open_in_other_process = false;
  bool reception_enabled = true;
  // A StoreLogoffTransports call completed the logoff (SP-4..SP-7); from then
  // on the spooler ignores transport events for this store.
  bool logged_off = false;
  // FlushQueues was invoked on the transports (SP-7).
  bool queues_flushed = false;
  // Messages waiting in the outbox. Saturates at kMaxOutboxQueue.
  std::uint8_t outbox_queued = 0;

  friend constexpr bool operator==(const Environment&, const Environment&) = default;
};

inline constexpr std::uint8_t kMaxOutboxQueue = 255;

// ACT: the activity bits LOGOFF_INBOUND / LOGOFF_OUTBOUND / LOGOFF_OUTBOUND_QUEUE
// that describe what is still going on.
ULONG activity(const Environment& environment) noexcept;

// The environment after an environment event (InboundBegins, ...). Events
// after a completed logoff are ignored; InboundBegins is ignored while
// reception is disabled; OutboundBegins takes the next queued message, if any.
// Client-call actions leave the environment unchanged.
Environment apply_environment_event(const Environment& environment, Action action) noexcept;

// Which row of the spooler table (contract §6) decided an answer.
enum class SpoolerCase : std::uint8_t {
  invalid_flags,       // SP-1
  open_elsewhere,      // SP-2
  activity_blocks,     // SP-3
  idle_logoff,         // SP-4
  no_wait,             // SP-5
  orderly,             // SP-6
  purge,               // SP-7
  already_logged_off,  // after SP-4..SP-7: the call is ignored, COMPLETE
};

// What IMAPISupport::StoreLogoffTransports answers.
struct SpoolerAnswer {
  HRESULT result = S_OK;
  ULONG flags_out = 0;  // *lpulFlags on return (unchanged input for SP-1)
  Environment after;    // the environment once the call has returned
  SpoolerCase decided_by = SpoolerCase::invalid_flags;

  friend constexpr bool operator==(const SpoolerAnswer&, const SpoolerAnswer&) = default;
};

// The spooler's answer to StoreLogoffTransports(&flags) in `environment`.
// The simulated support object in harness/ executes exactly this function.
SpoolerAnswer spooler_store_logoff_transports(const Environment& environment, ULONG flags) noexcept;

// ---------------------------------------------------------------------------
// The store, as the contract lets a client and the spooler see it.

// The invalid StoreLogoff inputs a state remembers as accepted (decision D3):
// the most recent ones since the last valid StoreLogoff. A store that passes
// an older one as given at its final Release would have to keep the first of
// several accepted inputs while ignoring the later ones; the bound is a
// documented limit of the model (docs/model.md), not of the contract.
inline constexpr std::size_t kMaxAcceptedInputs = 4;

struct State {
  Profile profile = Profile::deferred;
  // The store's reference count. A new store starts at 1.
  ULONG ref_count = 1;
  // Deferred: the flag of the last valid StoreLogoff (LT-1, D2); 0 while
  // StoreLogoff has not been called validly.
  ULONG saved_flag = 0;
  // Deferred, decision D3: the invalid StoreLogoff inputs the store accepted
  // (answered with a success HRESULT) since the last valid StoreLogoff, the
  // most recent last; unused entries are 0. The final Release may pass any
  // of them as given (the seeds' "save the flags passed").
  std::array<ULONG, kMaxAcceptedInputs> accepted_inputs{};
  std::uint8_t accepted_count = 0;
  // The input flags that stood alone beside output bits in an accepted input
  // (is_input_flag_with_output_bits): the final Release may pass that flag.
  std::uint8_t accepted_flags_alone = 0;
  // A StoreLogoffTransports call has been made for this store (eager: it
  // decides whether the final Release must call it, LT-3).
  bool transports_called = false;
  // Eager: a StoreLogoff returned LOGOFF_COMPLETE, so the caller may only
  // Release from now on.
  bool complete_returned = false;
  // The Release that took the count to zero has happened.
  bool destroyed = false;
  Environment environment;

  friend constexpr bool operator==(const State&, const State&) = default;
};

// The state of a store just returned by logoffcheck_open_store.
constexpr State initial_state(Profile profile) noexcept {
  State state;
  state.profile = profile;
  return state;
}

// A case of several stores (issue 23): one State per store. Stores share
// nothing: a step of store i changes states[i] alone (step.store says which).
using StoreStates = std::array<State, kMaxStores>;

constexpr StoreStates initial_states(Profile profile) noexcept {
  StoreStates states;
  for (State& state : states) state = initial_state(profile);
  return states;
}

// Caller-side rules (contract §5, last paragraph). These are not provider
// obligations: generators respect them and the engine skips steps that break
// them. Nothing may follow the final Release; under the eager profile, after a
// StoreLogoff that returned LOGOFF_COMPLETE, only Release; and AddRef never
// overflows the count.
bool caller_may(const State& state, const Step& step) noexcept;

// The HRESULT contract decision D3 names for StoreLogoff input that is not
// exactly one input flag: MAPI_E_INVALID_PARAMETER for a NULL pointer, no
// input flag, or several; MAPI_E_UNKNOWN_FLAGS when any bit outside the five
// input flags is set. S_OK for valid input.
HRESULT expected_store_logoff_result(const Step& step) noexcept;

// True when the store has accepted invalid StoreLogoff input since the last
// valid one (deferred, D3): the final Release may then pass more than one flag.
constexpr bool accepted_invalid_input(const State& state) noexcept {
  return state.accepted_count != 0 || state.accepted_flags_alone != 0;
}

// Deferred, LT-1/LT-3/LT-4 (decisions D2, D3): whether the final Release of a
// store in `state` may pass `flag` to StoreLogoffTransports. Always the last
// valid flag, or LOGOFF_ABORT when there was none; after accepted invalid
// input also each accepted input as given, and the input flag that stood
// alone beside output bits in one. Any other flag is one the store invented.
bool final_flag_allowed(const State& state, ULONG flag) noexcept;

// True when StoreLogoff's input is a non-NULL pointer to one input flag (SL-1).
constexpr bool is_valid_store_logoff(const Step& step) noexcept {
  return step.action == Action::StoreLogoff && !step.null_flags_pointer &&
         is_single_input_flag(step.flags);
}

// What StoreLogoff may leave in *lpulFlags on return.
enum class OutputRule : std::uint8_t {
  not_judged,  // no pointer, not a StoreLogoff, or invalid input
  // deferred, SL-4 (D4): the input, a subset of ACT bits, or LOGOFF_COMPLETE
  input_activity_or_complete,
  exactly,  // eager, SL-5: the spooler's answer
};

// What the store must hold of the support object once the step has returned
// (RC-2).
enum class SupportReference : std::uint8_t {
  unconstrained,  // the store will not need the support object again
  held,           // it will still call it, so it must hold a reference
  released,       // the final Release returned: every reference given back
};

// What a conformant provider does in answer to one step.
struct Expectation {
  // AddRef and Release: the count they return (RC-1, D6).
  ULONG count_returned = 0;
  // This Release takes the count to zero (LT-3, RC-2).
  bool final_release = false;

  // StoreLogoff: the input is valid (SL-1) or not (SL-2, SL-3).
  bool valid_input = false;
  HRESULT result = S_OK;  // S_OK, or the D3 HRESULT for invalid input
  OutputRule output = OutputRule::not_judged;
  ULONG output_flags = 0;  // SL-4: the input value; SL-5: the spooler's flags

  // Exactly one StoreLogoffTransports call with `transport_flag` is due
  // during this step (SL-5, LT-1, LT-3); when false, none may be made
  // (SL-2, LT-2, LT-3).
  bool transport_call_due = false;
  ULONG transport_flag = 0;
  SpoolerAnswer spooler;  // the answer that call gets

  SupportReference support_after = SupportReference::unconstrained;

  friend constexpr bool operator==(const Expectation&, const Expectation&) = default;
};

struct Transition {
  Expectation expected;
  State next;

  friend constexpr bool operator==(const Transition&, const Transition&) = default;
};

// The model's transition function. Requires caller_may(state, step); for any
// other step the result is unspecified (but still defined behaviour).
// `next` is the state after a conformant answer; for invalid StoreLogoff input
// it is the state after the store rejected it (a failure HRESULT: nothing
// changes, SL-2). A store may also accept it (D3); answered() says what the
// state becomes then.
Transition step(const State& state, const Step& step) noexcept;

// The state after the store answered `step` with `result` (the HRESULT of a
// StoreLogoff; ignored for any other step), in the manner of Porcupine's
// Step(state, input, output). It is `transition.next` (= step(before, step))
// except for invalid StoreLogoff input the deferred store accepted (a success
// HRESULT), which the state remembers (accepted_inputs, D3). Under the eager
// profile an accepted invalid input changes nothing: the saved flag plays no
// part there, and a call it makes is LT-2's.
State answered(const Transition& transition, const Step& step, HRESULT result) noexcept;

}  // namespace logoffcheck
