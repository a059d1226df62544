// logoffcheck/step.h — one event of a test case: a client call on the store or
// a change in the transport environment around it.
//
// A test case is a plain `std::vector<Step>`. Steps are small values (8 bytes)
// so that sequences are cheap to generate, copy, shrink and store.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logoffcheck/mapi.h"

namespace logoffcheck {

// What happens in a step. The order is the shrinking order: a counterexample
// prefers actions that come earlier (AddRef is simpler than StoreLogoff).
enum class Action : std::uint8_t {
  // Client calls on IMsgStore.
  AddRef,
  Release,
  StoreLogoff,
  // Environment events (contract §6): the verifier changes the transport
  // state between client calls; the provider is not called.
  InboundBegins,
  InboundEnds,
  OutboundBegins,
  OutboundEnds,
  MessageQueued,
  OtherProcessOpens,
  OtherProcessCloses,
};

inline constexpr std::size_t kActionCount = 10;

// Names as they appear in counterexample files: "AddRef" is a {"call": ...},
// "InboundBegins" an {"env": ...}.
inline constexpr std::array<std::string_view, kActionCount> kActionNames = {
    "AddRef",         "Release",      "StoreLogoff",   "InboundBegins",     "InboundEnds",
    "OutboundBegins", "OutboundEnds", "MessageQueued", "OtherProcessOpens", "OtherProcessCloses",
};

constexpr std::string_view action_name(Action action) noexcept {
  return kActionNames[static_cast<std::size_t>(action)];
}

// The action with that name, if any (exact, case-sensitive match).
std::optional<Action> parse_action(std::string_view name) noexcept;

// True for AddRef, Release and StoreLogoff: steps that call the provider.
constexpr bool is_client_call(Action action) noexcept { return action <= Action::StoreLogoff; }

struct Step {
  Action action = Action::AddRef;
  // StoreLogoff only: pass a NULL lpulFlags pointer instead of &flags.
  bool null_flags_pointer = false;
  // Which of the case's stores the step is about (issue 23): a client call
  // on that store, or an event of that store's spooler environment. 0 in a
  // case of one store. It fits in the padding: a Step stays 8 bytes.
  std::uint8_t store = 0;
  // StoreLogoff only: the value *lpulFlags holds on input.
  ULONG flags = 0;

  friend constexpr bool operator==(const Step&, const Step&) = default;
};

static_assert(sizeof(Step) == 8, "a Step crosses process boundaries in shared memory");

// The most stores one case may open (certify --stores).
inline constexpr std::size_t kMaxStores = 8;

constexpr Step add_ref() noexcept { return {Action::AddRef, false, 0, 0}; }
constexpr Step release() noexcept { return {Action::Release, false, 0, 0}; }
constexpr Step store_logoff(ULONG flags) noexcept { return {Action::StoreLogoff, false, 0, flags}; }
constexpr Step store_logoff_null() noexcept { return {Action::StoreLogoff, true, 0, 0}; }
constexpr Step environment(Action action) noexcept { return {action, false, 0, 0}; }

// `step` made on store `store` of the case.
constexpr Step on_store(Step step, std::size_t store) noexcept {
  step.store = static_cast<std::uint8_t>(store);
  return step;
}

// "AddRef", "StoreLogoff(LOGOFF_ORDERLY)", "StoreLogoff(NULL)", "MessageQueued".
std::string describe_step(const Step& step);

// describe_step, preceded by "store N: " when `name_store` (a case of
// several stores names the store of each step).
std::string describe_step(const Step& step, bool name_store);

// The stores a case of these steps uses: one more than the highest store
// index, at least 1.
template <typename Steps>
constexpr std::size_t stores_used(const Steps& steps) noexcept {
  std::size_t stores = 1;
  for (const auto& step : steps) {
    if (std::size_t{step.store} + 1 > stores) stores = std::size_t{step.store} + 1;
  }
  return stores;
}

}  // namespace logoffcheck
