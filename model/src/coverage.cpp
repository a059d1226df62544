#include "logoffcheck/coverage.h"

#include <deque>
#include <set>
#include <vector>

namespace logoffcheck {

namespace {

constexpr std::array<std::string_view, 4> kEnvironmentNames = {
    "env idle", "env active", "env open elsewhere", "env logged off"};

// The step kinds in index order; the valid StoreLogoff kinds follow
// kInputFlags, the environment events follow Action.
constexpr std::array<std::string_view, kStepKindCount> kStepKindNames = {
    "AddRef",
    "Release (not final)",
    "Release (final)",
    "StoreLogoff(LOGOFF_NO_WAIT)",
    "StoreLogoff(LOGOFF_ORDERLY)",
    "StoreLogoff(LOGOFF_PURGE)",
    "StoreLogoff(LOGOFF_ABORT)",
    "StoreLogoff(LOGOFF_QUIET)",
    "StoreLogoff(NULL)",
    "StoreLogoff(no flag)",
    "StoreLogoff(several flags)",
    "StoreLogoff(undefined bits)",
    "StoreLogoff(input flag with output bits)",
    "InboundBegins",
    "InboundEnds",
    "OutboundBegins",
    "OutboundEnds",
    "MessageQueued",
    "OtherProcessOpens",
    "OtherProcessCloses",
};

constexpr std::size_t kFirstValidLogoffKind = 3;
constexpr std::size_t kFirstInvalidLogoffKind = kFirstValidLogoffKind + kInputFlags.size();
constexpr std::size_t kFirstEnvironmentKind = kFirstInvalidLogoffKind + 5;
static_assert(kFirstEnvironmentKind + (kActionCount - 3) == kStepKindCount);

std::size_t environment_class(const Environment& environment) noexcept {
  if (environment.logged_off) return 3;
  if (environment.open_in_other_process) return 2;
  return activity(environment) != 0 ? 1 : 0;
}

// 0 for no saved flag, 1 + the flag's position in kInputFlags otherwise.
std::size_t saved_class(ULONG saved_flag) noexcept {
  for (std::size_t i = 0; i < kInputFlags.size(); ++i) {
    if (kInputFlags[i] == saved_flag) return i + 1;
  }
  return 0;
}

// The mixed-radix digits of an abstract state, most significant first.
struct AbstractState {
  std::size_t count, saved, environment, transports, complete, accepted;
};

AbstractState decode(std::size_t index) noexcept {
  AbstractState a{};
  a.accepted = index % 2;
  index /= 2;
  a.complete = index % 2;
  index /= 2;
  a.transports = index % 2;
  index /= 2;
  a.environment = index % 4;
  index /= 4;
  a.saved = index % 6;
  a.count = index / 6;
  return a;
}

// The search's bounds (see reachable_transitions in the header).
constexpr ULONG kSearchMaxCount = 3;
constexpr std::uint8_t kSearchMaxOutbox = 2;

// Every field of a state, for the search's set of states seen.
std::vector<std::uint32_t> key_of(const State& state) {
  const Environment& e = state.environment;
  std::vector<std::uint32_t> key = {state.ref_count,         state.saved_flag,
                                    state.accepted_count,    state.accepted_flags_alone,
                                    state.transports_called, state.complete_returned,
                                    state.destroyed,         e.inbound_in_progress,
                                    e.outbound_in_progress,  e.open_in_other_process,
                                    e.reception_enabled,     e.logged_off,
                                    e.queues_flushed,        e.outbox_queued};
  key.insert(key.end(), state.accepted_inputs.begin(), state.accepted_inputs.end());
  return key;
}

TransitionSet search_reachable(Profile profile) {
  TransitionSet reachable;
  const std::vector<Step> steps = step_representatives();
  std::set<std::vector<std::uint32_t>> seen = {key_of(initial_state(profile))};
  std::deque<State> frontier = {initial_state(profile)};
  while (!frontier.empty()) {
    const State state = frontier.front();
    frontier.pop_front();
    for (const Step& step : steps) {
      if (!caller_may(state, step)) continue;
      const Transition transition = logoffcheck::step(state, step);
      if (transition.next.ref_count > kSearchMaxCount ||
          transition.next.environment.outbox_queued > kSearchMaxOutbox) {
        continue;
      }
      reachable.mark(state, step);
      if (transition.next.destroyed) continue;
      // Invalid input rejected, as D3 recommends: what a store that accepts
      // it reaches beyond (the "accepted input" digit) is not counted, so that
      // 100% stays attainable by the recommended store.
      if (!seen.insert(key_of(transition.next)).second) continue;
      frontier.push_back(transition.next);
    }
  }
  return reachable;
}

}  // namespace

std::vector<Step> step_representatives() {
  std::vector<Step> steps = {add_ref(), release()};
  for (const ULONG flag : kInputFlags) steps.push_back(store_logoff(flag));
  steps.push_back(store_logoff_null());
  steps.push_back(store_logoff(0));
  steps.push_back(store_logoff(LOGOFF_NO_WAIT | LOGOFF_ORDERLY));
  steps.push_back(store_logoff(LOGOFF_ORDERLY | 0x00000100));       // an undefined bit
  steps.push_back(store_logoff(LOGOFF_COMPLETE));                   // an output-only flag
  steps.push_back(store_logoff(LOGOFF_NO_WAIT | LOGOFF_COMPLETE));  // a fed-back output (D3)
  for (std::size_t action = static_cast<std::size_t>(Action::InboundBegins); action < kActionCount;
       ++action) {
    steps.push_back(environment(static_cast<Action>(action)));
  }
  return steps;
}

std::size_t abstract_state(const State& state) noexcept {
  const std::size_t count = state.ref_count > 1 ? 1 : 0;
  std::size_t index = count;
  index = index * 6 + saved_class(state.saved_flag);
  index = index * 4 + environment_class(state.environment);
  index = index * 2 + (state.transports_called ? 1 : 0);
  index = index * 2 + (state.complete_returned ? 1 : 0);
  index = index * 2 + (accepted_invalid_input(state) ? 1 : 0);
  return index;
}

std::size_t step_kind(const State& state, const Step& step) noexcept {
  switch (step.action) {
    case Action::AddRef:
      return 0;
    case Action::Release:
      return state.ref_count <= 1 ? 2 : 1;
    case Action::StoreLogoff:
      if (is_valid_store_logoff(step)) return kFirstValidLogoffKind + saved_class(step.flags) - 1;
      if (step.null_flags_pointer) return kFirstInvalidLogoffKind;
      if (is_input_flag_with_output_bits(step.flags)) return kFirstInvalidLogoffKind + 4;
      if ((step.flags & ~kInputFlagMask) != 0) return kFirstInvalidLogoffKind + 3;
      return kFirstInvalidLogoffKind + (step.flags == 0 ? 1 : 2);
    default:
      return kFirstEnvironmentKind + static_cast<std::size_t>(step.action) -
             static_cast<std::size_t>(Action::InboundBegins);
  }
}

std::string describe_transition(std::size_t index) {
  const AbstractState a = decode(index / kStepKindCount);
  std::string text = a.count ? "count>1" : "count 1";
  text += ", saved ";
  text += a.saved == 0 ? std::string("none") : std::string(flag_name(kInputFlags[a.saved - 1]));
  text += ", ";
  text += kEnvironmentNames[a.environment];
  if (a.transports) text += ", transports called";
  if (a.complete) text += ", complete returned";
  if (a.accepted) text += ", invalid input accepted";
  text += " --";
  text += kStepKindNames[index % kStepKindCount];
  text += "-->";
  return text;
}

void TransitionSet::mark_case(Profile profile, std::span<const Step> executed) noexcept {
  State state = initial_state(profile);
  for (const Step& step : executed) {
    if (state.destroyed) break;
    if (!caller_may(state, step)) continue;
    mark(state, step);
    state = logoffcheck::step(state, step).next;
  }
}

const TransitionSet& reachable_transitions(Profile profile) {
  static const std::array<TransitionSet, 2> reachable = {search_reachable(Profile::deferred),
                                                         search_reachable(Profile::eager)};
  return reachable[profile == Profile::eager ? 1 : 0];
}

}  // namespace logoffcheck
