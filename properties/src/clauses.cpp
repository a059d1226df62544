#include "logoffcheck/clauses.h"

namespace logoffcheck {

namespace {
constexpr auto kMust = Level::must;
constexpr auto kShould = Level::should;
constexpr auto kBoth = ProfileScope::both;
constexpr auto kDeferred = ProfileScope::deferred_only;
constexpr auto kEager = ProfileScope::eager_only;
constexpr auto kProvider = Party::provider;
constexpr auto kSpooler = Party::spooler;
}  // namespace

// The wording here is the project's (docs/contract.md explains each clause at
// length); the sources name the seed passage and the decision behind it.
const std::array<Clause, kClauseCount> kClauses = {{
    {ClauseId::SL_1, "SL-1", kMust, kBoth, kProvider,
     "A StoreLogoff with a non-NULL pointer to exactly one of the five input flags returns S_OK.",
     "Parameters (input flags are mutually exclusive); Return value (S_OK)"},
    {ClauseId::SL_2, "SL-2", kMust, kBoth, kProvider,
     "StoreLogoff with invalid input (NULL, no input flag, several, or unknown bits) that the "
     "store rejects with a failure HRESULT changes no saved state and calls no transport logoff.",
     "Notes to implementers (save the flags passed to StoreLogoff: a rejected call passed none); "
     "decision D3"},
    {ClauseId::SL_3, "SL-3", kShould, kBoth, kProvider,
     "Invalid StoreLogoff input is rejected, with MAPI_E_UNKNOWN_FLAGS for bits outside the input "
     "flags, otherwise MAPI_E_INVALID_PARAMETER; accepting it, as the SDK sample store does, "
     "warns.",
     "MAPI convention, the project's (the seeds oblige only the caller); decision D3"},
    {ClauseId::SL_4, "SL-4", kMust, kDeferred, kProvider,
     "On return from a valid StoreLogoff, *lpulFlags holds the input unchanged, a subset of "
     "LOGOFF_INBOUND, LOGOFF_OUTBOUND and LOGOFF_OUTBOUND_QUEUE, or LOGOFF_COMPLETE.",
     "Parameters (flags valid on output); the SDK sample store's LOGOFF_COMPLETE; decision D4"},
    {ClauseId::SL_5, "SL-5", kMust, kEager, kProvider,
     "A valid StoreLogoff calls StoreLogoffTransports exactly once, during the call, with the "
     "given flag, and returns the spooler's output flags in *lpulFlags.",
     "IMAPISupport::StoreLogoffTransports (companion page); decision D5"},
    {ClauseId::LT_1, "LT-1", kMust, kDeferred, kProvider,
     "The final Release passes StoreLogoffTransports the flag of the last valid StoreLogoff.",
     "Notes to implementers (save the flags; repeated calls overwrite them); decision D2"},
    {ClauseId::LT_2, "LT-2", kMust, kBoth, kProvider,
     "No StoreLogoffTransports call while the reference count is above zero, except, under the "
     "eager profile, the one a valid StoreLogoff makes.",
     "Notes to implementers (not before the count reaches zero); decisions D1, D5"},
    {ClauseId::LT_3, "LT-3", kMust, kBoth, kProvider,
     "The Release that takes the count to zero calls StoreLogoffTransports exactly once when one "
     "is due: deferred, always, with LOGOFF_ABORT if StoreLogoff never came; eager, with "
     "LOGOFF_ABORT, only if it was never called before.",
     "Notes to implementers (LOGOFF_ABORT when StoreLogoff was not called); decisions D1, D5"},
    {ClauseId::LT_4, "LT-4", kMust, kBoth, kProvider,
     "Every StoreLogoffTransports call passes a non-NULL pointer to a flag the store was given "
     "or LOGOFF_ABORT, never an invented one: exactly one input flag, or an invalid input the "
     "store accepted.",
     "Notes to implementers (save the flags passed to StoreLogoff and pass them); Parameters "
     "(input flags are mutually exclusive); decision D3"},
    {ClauseId::RC_1, "RC-1", kShould, kBoth, kProvider,
     "AddRef and Release return the new reference count.", "COM reference counting; decision D6"},
    {ClauseId::RC_2, "RC-2", kMust, kBoth, kProvider,
     "The store holds a reference to the support object while it may still call it, never calls "
     "it while holding none, and has given every reference back when the final Release returns.",
     "COM reference counting of IMAPISupport; decision D1"},
    {ClauseId::RC_3, "RC-3", kMust, kBoth, kProvider,
     "No call on the store crashes, hangs past the timeout, throws, or exits the process.",
     "Any COM method; the verifier's robustness rule"},
    {ClauseId::RC_4, "RC-4", kMust, kBoth, kProvider,
     "Calls made on one store from several threads at once are linearizable: what they "
     "observed matches some order of the calls that keeps every call that returned before "
     "another began first, and in which every MUST clause holds step by step.",
     "MAPI objects are called from several threads; COM reference counting; decision D1"},
    {ClauseId::SP_1, "SP-1", kMust, kBoth, kSpooler,
     "StoreLogoffTransports with anything but exactly one input flag returns "
     "MAPI_E_INVALID_PARAMETER and changes nothing.",
     "Parameters (input flags are mutually exclusive)"},
    {ClauseId::SP_2, "SP-2", kMust, kBoth, kSpooler,
     "While the store is open in another process, a valid call returns S_OK with "
     "LOGOFF_COMPLETE and changes nothing.",
     "Remarks (a store used by two clients is released at once)"},
    {ClauseId::SP_3, "SP-3", kMust, kBoth, kSpooler,
     "LOGOFF_ABORT or LOGOFF_QUIET with transport activity returns S_OK with the activity bits "
     "and does not log off.",
     "LOGOFF_ABORT, LOGOFF_QUIET; flags valid on output"},
    {ClauseId::SP_4, "SP-4", kMust, kBoth, kSpooler,
     "LOGOFF_ABORT or LOGOFF_QUIET with no transport activity logs off and returns S_OK with "
     "LOGOFF_COMPLETE.",
     "LOGOFF_ABORT (if transport activity is idle, the spooler releases the store)"},
    {ClauseId::SP_5, "SP-5", kMust, kBoth, kSpooler,
     "LOGOFF_NO_WAIT finishes in-progress messages, sends the queued ones, disables reception, "
     "logs off and returns LOGOFF_COMPLETE.",
     "LOGOFF_NO_WAIT"},
    {ClauseId::SP_6, "SP-6", kMust, kBoth, kSpooler,
     "LOGOFF_ORDERLY finishes in-progress messages, starts no queued ones, disables reception, "
     "logs off and returns LOGOFF_COMPLETE.",
     "LOGOFF_ORDERLY"},
    {ClauseId::SP_7, "SP-7", kMust, kBoth, kSpooler,
     "LOGOFF_PURGE acts as LOGOFF_NO_WAIT and also has the transports' FlushQueues invoked.",
     "LOGOFF_PURGE (IXPLogon::FlushQueues, IMAPIStatus::FlushQueues)"},
}};

std::optional<ClauseId> parse_clause(std::string_view code) noexcept {
  for (const Clause& entry : kClauses) {
    if (entry.code == code) return entry.id;
  }
  return std::nullopt;
}

std::string_view level_name(Level level) noexcept {
  return level == Level::must ? "MUST" : "SHOULD";
}

std::string_view scope_name(ProfileScope scope) noexcept {
  switch (scope) {
    case ProfileScope::deferred_only:
      return "deferred";
    case ProfileScope::eager_only:
      return "eager";
    case ProfileScope::both:
      break;
  }
  return "both";
}

}  // namespace logoffcheck
