#include "logoffcheck/generate.h"

#include <algorithm>
#include <array>
#include <optional>

namespace logoffcheck {

namespace {

constexpr std::array<Action, 7> kEnvironmentEvents = {
    Action::InboundBegins,      Action::InboundEnds,   Action::OutboundBegins,
    Action::OutboundEnds,       Action::MessageQueued, Action::OtherProcessOpens,
    Action::OtherProcessCloses,
};

// Bits that are not an input flag: output-only flags and undefined bits.
constexpr std::array<ULONG, 8> kStrayBits = {
    LOGOFF_COMPLETE, LOGOFF_INBOUND, LOGOFF_OUTBOUND, LOGOFF_OUTBOUND_QUEUE,
    0x00000020,      0x00000100,     0x00100000,      0x80000000,
};

std::uint64_t below(rc::Random& random, std::uint64_t bound) { return random.next() % bound; }

// What a client that reuses its flags variable passes next (MFCMAPI sets it
// to LOGOFF_NO_WAIT once and reuses it for every store without resetting it):
// whatever the previous StoreLogoff wrote back — LOGOFF_COMPLETE (the SDK
// sample store), activity bits, or the input unchanged. `choice` is the draw
// that would have picked an undefined stray bit, so that the random stream,
// and every other step of a seed's cases, stays as it was (decision D3).
ULONG fed_back_output(std::uint64_t choice, ULONG previous_input) {
  switch (choice) {
    case 4:
      return LOGOFF_COMPLETE;
    case 5:
      return LOGOFF_INBOUND | LOGOFF_OUTBOUND;
    case 6:
      return kActivityFlagMask;
    default:
      return previous_input;
  }
}

// Invalid StoreLogoff input (D3): NULL, zero, two input flags, or stray bits
// (alone or beside a valid flag); after a StoreLogoff, some stray bits alone
// become what a client feeding back its output passes (fed_back_output).
Step invalid_store_logoff(rc::Random& random, std::optional<ULONG> previous_input) {
  switch (below(random, 5)) {
    case 0:
      return store_logoff_null();
    case 1:
      return store_logoff(0);
    case 2: {
      const auto first = below(random, kInputFlags.size());
      const auto second = (first + 1 + below(random, kInputFlags.size() - 1)) % kInputFlags.size();
      return store_logoff(kInputFlags[first] | kInputFlags[second]);
    }
    case 3: {
      const std::uint64_t stray = below(random, kStrayBits.size());
      if (previous_input && stray >= 4)
        return store_logoff(fed_back_output(stray, *previous_input));
      return store_logoff(kStrayBits[stray]);
    }
    default:
      return store_logoff(kInputFlags[below(random, kInputFlags.size())] |
                          kStrayBits[below(random, kStrayBits.size())]);
  }
}

// One step, with weights that find the gallery's bugs fast: valid logoffs
// and environment changes are common, reference counts climb above one, and
// invalid input is regular but not dominant. `ref_count` shapes Release: at
// one, a Release ends the store, which is worth trying but not often.
Step next_step(rc::Random& random, ULONG ref_count, std::optional<ULONG> previous_input) {
  const std::uint64_t release_weight = ref_count > 1 ? 16 : 3;
  const std::uint64_t add_ref_weight = 18, valid_weight = 26, invalid_weight = 9,
                      environment_weight = 28;
  std::uint64_t roll = below(
      random, add_ref_weight + release_weight + valid_weight + invalid_weight + environment_weight);
  if (roll < add_ref_weight) return add_ref();
  roll -= add_ref_weight;
  if (roll < release_weight) return release();
  roll -= release_weight;
  if (roll < valid_weight) return store_logoff(kInputFlags[below(random, kInputFlags.size())]);
  roll -= valid_weight;
  if (roll < invalid_weight) return invalid_store_logoff(random, previous_input);
  return environment(kEnvironmentEvents[below(random, kEnvironmentEvents.size())]);
}

}  // namespace

void generate_steps(const GenerationOptions& options, rc::Random random, int size,
                    std::vector<Step>& steps) {
  const auto bound = static_cast<std::uint64_t>(options.max_steps) *
                     static_cast<std::uint64_t>(std::clamp(size, 0, 100)) / 100;
  const auto length = below(random, bound + 1);
  steps.clear();
  steps.reserve(length);
  const std::size_t stores = std::clamp<std::size_t>(options.stores, 1, kMaxStores);
  StoreStates states = initial_states(options.profile);
  // The last StoreLogoff's *lpulFlags, of any store: a client reuses one
  // flags variable for every store (contract §8, MFCMAPI).
  std::optional<ULONG> previous_input;
  std::size_t destroyed = 0;
  while (steps.size() < length && destroyed < stores) {
    // One store: no draw for it, so that a case of one store is the same
    // sequence as before stores existed. Several: a store still alive.
    std::size_t store = 0;
    if (stores > 1) {
      store = below(random, stores);
      while (states[store].destroyed) store = (store + 1) % stores;
    }
    State& state = states[store];
    Step step = next_step(random, state.ref_count, previous_input);
    if (!caller_may(state, step)) {
      // Eager after LOGOFF_COMPLETE: only Release may come.
      if (!caller_may(state, release())) break;
      step = release();
    }
    step.store = static_cast<std::uint8_t>(store);
    state = logoffcheck::step(state, step).next;
    if (state.destroyed) ++destroyed;
    if (step.action == Action::StoreLogoff && !step.null_flags_pointer) previous_input = step.flags;
    steps.push_back(step);
  }
}

rc::Gen<std::vector<Step>> gen_steps(const GenerationOptions& options) {
  return rc::Gen<std::vector<Step>>([options](const rc::Random& seed_random, int size) {
    std::vector<Step> steps;
    generate_steps(options, seed_random, size, steps);
    return shrinkable_steps(std::move(steps));
  });
}

rc::Gen<Step> gen_step() {
  return rc::Gen<Step>([](const rc::Random& seed_random, int) {
    rc::Random random = seed_random;
    const Step step = next_step(random, 2, std::nullopt);
    return rc::shrinkable::shrinkRecur(step, &shrink_step);
  });
}

int step_rank(const Step& step) noexcept {
  switch (step.action) {
    case Action::AddRef:
      return 0;
    case Action::Release:
      return 1;
    case Action::StoreLogoff:
      if (is_valid_store_logoff(step)) {
        // LOGOFF_NO_WAIT (0x1) is the simplest flag, LOGOFF_QUIET the last.
        return 2 + static_cast<int>(std::find(kInputFlags.begin(), kInputFlags.end(), step.flags) -
                                    kInputFlags.begin());
      }
      return 2 + static_cast<int>(kInputFlags.size()) +
             static_cast<int>(kEnvironmentEvents.size()) + (step.null_flags_pointer ? 0 : 1);
    default:
      return 2 + static_cast<int>(kInputFlags.size()) + static_cast<int>(step.action) -
             static_cast<int>(Action::InboundBegins);
  }
}

rc::Seq<Step> shrink_step(const Step& step) {
  // Every simpler step, simplest first: AddRef, Release, the valid logoffs,
  // the environment events; an invalid StoreLogoff also tries NULL and zero.
  std::vector<Step> simpler = {add_ref(), release()};
  for (ULONG flag : kInputFlags) simpler.push_back(store_logoff(flag));
  for (Action event : kEnvironmentEvents) simpler.push_back(environment(event));
  simpler.push_back(store_logoff_null());
  simpler.push_back(store_logoff(0));
  // One input flag with stray bits beside it: the same stray bits beside a
  // smaller input flag (so that an input the final Release may pass as a
  // default, LOGOFF_ABORT|0x100, can shrink to one it may not, D3).
  const ULONG input = step.flags & kInputFlagMask;
  if (step.action == Action::StoreLogoff && !step.null_flags_pointer && step.flags != input &&
      is_single_input_flag(input)) {
    for (const ULONG flag : kInputFlags) {
      if (flag < input) simpler.push_back(store_logoff(flag | (step.flags & ~kInputFlagMask)));
    }
  }
  for (Step& candidate : simpler) candidate.store = step.store;
  const int rank = step_rank(step);
  std::erase_if(simpler, [&](const Step& candidate) {
    return step_rank(candidate) > rank || candidate == step ||
           (step_rank(candidate) == rank && candidate.flags >= step.flags);
  });
  return rc::seq::fromContainer(std::move(simpler));
}

std::vector<std::vector<Step>> fewer_stores(const std::vector<Step>& steps) {
  std::vector<std::vector<Step>> candidates;
  std::uint32_t used = 0;
  for (const Step& step : steps) used |= std::uint32_t{1} << step.store;
  if (stores_used(steps) < 2) return candidates;
  for (std::size_t store = 0; store < kMaxStores; ++store) {
    if ((used >> store & 1) == 0) continue;
    std::vector<Step> without;
    for (const Step& step : steps) {
      if (step.store != store) without.push_back(step);
    }
    candidates.push_back(std::move(without));
  }
  // The stores left renumbered 0, 1, ... in order; then, as store 0 is
  // opened by every case even without steps, renumbered 1, 2, ... after it.
  for (const std::uint8_t first : {std::uint8_t{0}, std::uint8_t{1}}) {
    std::array<std::uint8_t, kMaxStores> number{};
    std::uint8_t next = first;
    bool renumbered = false;
    for (std::size_t store = 0; store < kMaxStores; ++store) {
      if ((used >> store & 1) == 0) continue;
      number[store] = store == 0 ? 0 : next;
      if (store != 0 || first == 0) ++next;
      renumbered = renumbered || number[store] != store;
    }
    if (!renumbered) continue;
    std::vector<Step> compact = steps;
    for (Step& step : compact) step.store = number[step.store];
    if (std::find(candidates.begin(), candidates.end(), compact) == candidates.end())
      candidates.push_back(std::move(compact));
  }
  return candidates;
}

rc::Shrinkable<std::vector<Step>> shrinkable_steps(std::vector<Step> steps) {
  return rc::shrinkable::shrinkRecur(std::move(steps), [](const std::vector<Step>& value) {
    return rc::seq::concat(rc::seq::fromContainer(fewer_stores(value)),
                           rc::shrink::removeChunks(value),
                           rc::shrink::eachElement(value, &shrink_step));
  });
}

void showValue(const Step& step, std::ostream& os) { os << describe_step(step); }

}  // namespace logoffcheck
