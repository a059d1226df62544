// The functional mutants: reference stores with one realistic bug each, made
// with the smallest override. Every comment states the bug, the clause the
// verifier reports for it, and its minimal counterexample: the executed
// steps, the final Releases the verifier appends included, and their count.
// The same facts are in the BuiltinProvider entry at the bottom, and
// tests/engine/ holds the verifier to them for 20 seeds.
//
// Every mutant fails deterministically at its first divergence from the
// contract, and the verifier never calls a store after the step that
// violated a MUST clause, so no mutant is used after it deleted itself.
#include <array>

#include "../reference/reference_store.h"
#include "mutants.h"

namespace logoffcheck::providers {

namespace {

// --- Deferred profile -----------------------------------------------------------

// Saves the first StoreLogoff flag and ignores later ones, reading "the
// flags passed to StoreLogoff" as "the first flags".
// LT-1. Minimal counterexample: StoreLogoff(LOGOFF_ORDERLY),
// StoreLogoff(LOGOFF_NO_WAIT), final Release — 3 steps.
class SavesFirstFlag : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    ULONG none = 0;
    saved_flag_.compare_exchange_strong(none, *lpulFlags);
    return S_OK;
  }
};

// Keeps the flags of every StoreLogoff by OR-ing them into the saved mask,
// so the final Release passes several input flags at once.
// LT-4. Minimal counterexample: StoreLogoff(LOGOFF_ORDERLY),
// StoreLogoff(LOGOFF_NO_WAIT), final Release (StoreLogoffTransports(0x3)) — 3 steps.
class AccumulatesFlags final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    saved_flag_ |= *lpulFlags;
    return S_OK;
  }
};

// Forgets a pending logoff when a later StoreLogoff fails ("a failed call
// resets the request"), so invalid input changes the saved state (D3) and
// the final Release falls back to LOGOFF_ABORT.
// LT-1. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT), StoreLogoff(NULL),
// final Release (StoreLogoffTransports(LOGOFF_ABORT)) — 3 steps.
class ClearsFlagOnInvalidInput final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT result = ReferenceStore::StoreLogoff(lpulFlags);
    if (failed(result)) saved_flag_ = 0;
    return result;
  }
};

// Passes LOGOFF_ABORT in the final Release whatever StoreLogoff saved,
// reading the seeds' default as the rule.
// LT-1. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT), final Release
// (StoreLogoffTransports(LOGOFF_ABORT)) — 2 steps.
class AlwaysAbortsInFinalRelease final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  ULONG final_logoff_flag() const noexcept override { return LOGOFF_ABORT; }
};

// Reads LOGOFF_NO_WAIT as "log off right now" and calls
// StoreLogoffTransports from StoreLogoff for it, while the client still
// holds its reference (D1).
// LT-2. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT) — 1 step.
class NoWaitLogsOffAtOnce final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (validate(lpulFlags) == S_OK && *lpulFlags == LOGOFF_NO_WAIT) {
      ULONG flags = LOGOFF_NO_WAIT;
      support()->StoreLogoffTransports(&flags);
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Tests the count against 1 after decrementing it (an off-by-one from a
// count that started at 0), so the store logs off and destroys itself one
// Release early, while the client still holds a reference.
// LT-2. Minimal counterexample: AddRef, Release (count 2 -> 1 logs off) — 2 steps.
class DestroysOneReleaseEarly final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG Release() override {
    const ULONG remaining = --references_;
    if (remaining <= 1) {
      final_release();
      delete this;
    }
    return remaining;
  }
};

// Calls StoreLogoffTransports in the final Release only when StoreLogoff
// saved a flag: the LOGOFF_ABORT default is forgotten.
// LT-3. Minimal counterexample: final Release (no call) — 1 step.
class ForgetsAbortDefault final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  void final_release() override {
    if (saved_flag_ != 0) return ReferenceStore::final_release();
    support()->Release();
  }
};

// When the spooler answers that transports are still busy, retries with
// LOGOFF_ABORT: two StoreLogoffTransports calls in one final Release.
// LT-3. Minimal counterexample: InboundBegins, final Release
// (StoreLogoffTransports(LOGOFF_ABORT) twice) — 2 steps.
class RetriesLogoffWhenBusy final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  void final_release() override {
    ULONG flags = final_logoff_flag();
    support()->StoreLogoffTransports(&flags);
    if ((flags & LOGOFF_COMPLETE) == 0) {
      flags = LOGOFF_ABORT;
      support()->StoreLogoffTransports(&flags);
    }
    support()->Release();
  }
};

// Rejects LOGOFF_QUIET as unsupported: the author implemented the four
// flags the spooler acts on and not the one that only asks.
// SL-1. Minimal counterexample: StoreLogoff(LOGOFF_QUIET) — 1 step.
class RejectsQuiet final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags != nullptr && *lpulFlags == LOGOFF_QUIET) return MAPI_E_NO_SUPPORT;
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Validates only the input-flag bits, so one input flag with unknown or
// output-only bits beside it is accepted, and saves that flag alone (D3).
// Accepting is a SHOULD; but for undefined bits beside the flag, the flag
// alone is one the caller never passed: the final Release invents it.
// (Before D3 was revised: SL-2, 1 step.)
// LT-4 (an invented flag). Minimal counterexample:
// StoreLogoff(LOGOFF_ORDERLY|0x100), final Release
// (StoreLogoffTransports(LOGOFF_ORDERLY), not LOGOFF_ABORT or the input as
// given) — 2 steps.
class MasksUnknownBits final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    const ULONG input = *lpulFlags & kInputFlagMask;
    if (!is_single_input_flag(input)) return MAPI_E_INVALID_PARAMETER;
    saved_flag_ = input;
    return S_OK;
  }
};

// Aborts the transports when a caller passes a bad request ("garbage in,
// stop everything"), then rejects it: a rejected input must leave no trace,
// and here it logs the store off while the client still holds it (D3).
// SL-2. Minimal counterexample: StoreLogoff(NULL) — 1 step.
class AbortsTransportsOnInvalidInput final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) {
      ULONG flags = LOGOFF_ABORT;
      support()->StoreLogoffTransports(&flags);
      return valid;
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Marks the request as taken by OR-ing LOGOFF_COMPLETE into *lpulFlags: the
// input with LOGOFF_COMPLETE beside it is none of what D4 allows on output
// (the input, activity bits, or LOGOFF_COMPLETE alone).
// SL-4. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT) — 1 step.
class OrsCompleteIntoFlags final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT result = ReferenceStore::StoreLogoff(lpulFlags);
    if (result == S_OK) *lpulFlags |= LOGOFF_COMPLETE;
    return result;
  }
};

// Answers every invalid input with MAPI_E_INVALID_PARAMETER, never
// MAPI_E_UNKNOWN_FLAGS. A SHOULD: caught only in strict mode, a warning
// otherwise.
// SL-3. Minimal counterexample: StoreLogoff(unknown bits) — 1 step.
class UnknownFlagsAsInvalidParameter final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (validate(lpulFlags) != S_OK) return MAPI_E_INVALID_PARAMETER;
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Keeps the support reference when the final Release is done with the
// spooler: the store leaks its reference to the support object. A mixin, so
// that a store with another bug can leak as well.
// RC-2. Minimal counterexample: final Release (1 support reference still
// held) — 1 step.
template <typename Store>
class LeaksSupport final : public Store {
 public:
  using Store::Store;

 protected:
  void final_release() override {
    ULONG flags = this->final_logoff_flag();
    this->support()->StoreLogoffTransports(&flags);
  }
};
using LeaksSupportReference = LeaksSupport<ReferenceStore>;

// Two independent bugs in one store: the first StoreLogoff flag wins
// (saves-first-flag) and the final Release never gives the support
// reference back (leaks-support-reference). A first-failure run shows one;
// certify --keep-going shows both, each with its own minimal counterexample.
// RC-2 first. Minimal counterexamples: final Release — 1 step (RC-2);
// StoreLogoff(LOGOFF_ORDERLY), StoreLogoff(LOGOFF_NO_WAIT), final Release — 3
// steps (LT-1, judged before RC-2 at the final Release).
using SavesFirstFlagLeaksSupport = LeaksSupport<SavesFirstFlag>;

// AddRef returns the count before the increment (a post-increment). A
// SHOULD (D6): caught only in strict mode, a warning otherwise.
// RC-1. Minimal counterexample: AddRef (returns 1, not 2) — 1 step.
class AddRefReturnsOldCount final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG AddRef() override { return references_++; }
};

// --- Eager profile --------------------------------------------------------------

// Asks the spooler with a copy of the flag and leaves *lpulFlags as it
// came, instead of returning the spooler's answer.
// SL-5. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT) — 1 step.
class EagerReturnsInputFlags final : public ReferenceEagerStore {
 public:
  using ReferenceEagerStore::ReferenceEagerStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    transports_called_ = true;
    ULONG flags = *lpulFlags;
    return support()->StoreLogoffTransports(&flags);
  }
};

// Always asks the spooler with LOGOFF_ABORT ("the safe flag"), whatever
// flag the client gave.
// SL-5. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT) — 1 step.
class EagerPassesAbort final : public ReferenceEagerStore {
 public:
  using ReferenceEagerStore::ReferenceEagerStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    transports_called_ = true;
    *lpulFlags = LOGOFF_ABORT;
    return support()->StoreLogoffTransports(lpulFlags);
  }
};

// Calls StoreLogoffTransports(LOGOFF_ABORT) in every final Release, even
// when StoreLogoff already made the call.
// LT-3. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT), final Release
// (a second call) — 2 steps.
class EagerAlwaysAbortsInFinalRelease final : public ReferenceEagerStore {
 public:
  using ReferenceEagerStore::ReferenceEagerStore;

 protected:
  void final_release() override {
    ULONG flags = LOGOFF_ABORT;
    support()->StoreLogoffTransports(&flags);
    support()->Release();
  }
};

// Gives the support reference back as soon as the spooler answers
// LOGOFF_COMPLETE, and again in the final Release.
// RC-2. Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT), final Release
// (IMAPISupport::Release without a reference) — 2 steps.
class EagerReleasesSupportTwice final : public ReferenceEagerStore {
 public:
  using ReferenceEagerStore::ReferenceEagerStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT result = ReferenceEagerStore::StoreLogoff(lpulFlags);
    if (result == S_OK && (*lpulFlags & LOGOFF_COMPLETE) != 0) support()->Release();
    return result;
  }
};

// One gallery entry: the facts the comment above each mutant states.
constexpr BuiltinProvider mutant(std::string_view name, std::string_view description,
                                 OpenStoreFunction open_store, Profile profile, ClauseId caught_by,
                                 std::size_t minimal_length) {
  return BuiltinProvider{name, description, open_store, profile, caught_by, minimal_length, false};
}

}  // namespace

std::span<const BuiltinProvider> functional_mutants() noexcept {
  using enum Profile;
  static const std::array gallery = {
      mutant("saves-first-flag", "keeps the first StoreLogoff flag instead of the last (D2)",
             &open_new<SavesFirstFlag>, deferred, ClauseId::LT_1, 3),
      mutant("accumulates-flags",
             "ORs every StoreLogoff flag into the saved mask and passes the union",
             &open_new<AccumulatesFlags>, deferred, ClauseId::LT_4, 3),
      mutant("clears-flag-on-invalid-input",
             "a failed StoreLogoff forgets the flag saved by an earlier valid one (D3)",
             &open_new<ClearsFlagOnInvalidInput>, deferred, ClauseId::LT_1, 3),
      mutant("always-aborts-in-final-release",
             "the final Release passes LOGOFF_ABORT whatever StoreLogoff saved",
             &open_new<AlwaysAbortsInFinalRelease>, deferred, ClauseId::LT_1, 2),
      mutant("no-wait-logs-off-at-once",
             "StoreLogoff(LOGOFF_NO_WAIT) calls StoreLogoffTransports at once (D1)",
             &open_new<NoWaitLogsOffAtOnce>, deferred, ClauseId::LT_2, 1),
      mutant("destroys-one-release-early",
             "off-by-one: logs off and destroys itself when the count drops to 1",
             &open_new<DestroysOneReleaseEarly>, deferred, ClauseId::LT_2, 2),
      mutant("forgets-abort-default",
             "no StoreLogoffTransports call in the final Release when StoreLogoff never came",
             &open_new<ForgetsAbortDefault>, deferred, ClauseId::LT_3, 1),
      mutant("retries-logoff-when-busy",
             "the final Release calls StoreLogoffTransports again with LOGOFF_ABORT when the "
             "spooler reports activity",
             &open_new<RetriesLogoffWhenBusy>, deferred, ClauseId::LT_3, 2),
      mutant("rejects-quiet", "answers StoreLogoff(LOGOFF_QUIET) with MAPI_E_NO_SUPPORT",
             &open_new<RejectsQuiet>, deferred, ClauseId::SL_1, 1),
      mutant("masks-unknown-bits",
             "validates only the input-flag bits, accepting an input flag with stray bits",
             &open_new<MasksUnknownBits>, deferred, ClauseId::LT_4, 2),
      mutant("unknown-flags-as-invalid-parameter",
             "answers unknown bits with MAPI_E_INVALID_PARAMETER, not MAPI_E_UNKNOWN_FLAGS "
             "(SHOULD: strict mode)",
             &open_new<UnknownFlagsAsInvalidParameter>, deferred, ClauseId::SL_3, 1),
      mutant("aborts-transports-on-invalid-input",
             "calls StoreLogoffTransports(LOGOFF_ABORT) before rejecting invalid input (D3)",
             &open_new<AbortsTransportsOnInvalidInput>, deferred, ClauseId::SL_2, 1),
      mutant("ors-complete-into-flags", "ORs LOGOFF_COMPLETE into *lpulFlags beside the input (D4)",
             &open_new<OrsCompleteIntoFlags>, deferred, ClauseId::SL_4, 1),
      mutant("leaks-support-reference", "the final Release never gives the support reference back",
             &open_new<LeaksSupportReference>, deferred, ClauseId::RC_2, 1),
      mutant("saves-first-flag-leaks-support",
             "two bugs: keeps the first StoreLogoff flag (LT-1) and never gives the support "
             "reference back (RC-2)",
             &open_new<SavesFirstFlagLeaksSupport>, deferred, ClauseId::RC_2, 1),
      mutant("addref-returns-old-count",
             "AddRef returns the count before the increment (SHOULD: strict mode)",
             &open_new<AddRefReturnsOldCount>, deferred, ClauseId::RC_1, 1),
      mutant("eager-returns-input-flags",
             "eager: leaves *lpulFlags as it came instead of returning the spooler's answer",
             &open_new<EagerReturnsInputFlags>, eager, ClauseId::SL_5, 1),
      mutant("eager-passes-abort",
             "eager: asks the spooler with LOGOFF_ABORT whatever flag the client gave",
             &open_new<EagerPassesAbort>, eager, ClauseId::SL_5, 1),
      mutant("eager-always-aborts-in-final-release",
             "eager: the final Release calls StoreLogoffTransports even after StoreLogoff did",
             &open_new<EagerAlwaysAbortsInFinalRelease>, eager, ClauseId::LT_3, 2),
      mutant("eager-releases-support-twice",
             "eager: gives the support reference back on LOGOFF_COMPLETE and again in the "
             "final Release",
             &open_new<EagerReleasesSupportTwice>, eager, ClauseId::RC_2, 2),
  };
  return gallery;
}

}  // namespace logoffcheck::providers
