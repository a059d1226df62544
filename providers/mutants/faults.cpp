// Fault mutants: reference stores with a bug that does not give a wrong
// answer but takes the calling process down or never answers. Certifying
// them needs process isolation (isolation.h); each is caught by RC-3 ("no
// call on the store crashes, hangs past the timeout, throws, or exits the
// process").
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "../reference/reference_store.h"
#include "mutants.h"

// The crash below must reach the process as the real SIGSEGV it is in a
// production build, not as UndefinedBehaviorSanitizer's report of it.
#if defined(__clang__) || defined(__GNUC__)
#define LOGOFFCHECK_NO_SANITIZE_NULL __attribute__((no_sanitize("null")))
#else
#define LOGOFFCHECK_NO_SANITIZE_NULL
#endif

namespace logoffcheck::providers {

namespace {

// Traces the requested flags before validating the pointer: StoreLogoff(NULL)
// dereferences NULL and dies by SIGSEGV.
// Minimal counterexample: StoreLogoff(NULL) — 1 step.
class SegfaultOnNullFlags final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  LOGOFFCHECK_NO_SANITIZE_NULL HRESULT StoreLogoff(ULONG* lpulFlags) override {
    traced_request_ = *lpulFlags;
    return ReferenceStore::StoreLogoff(lpulFlags);
  }

 private:
  volatile ULONG traced_request_ = 0;
};

// Asserts (in release builds too) that StoreLogoff comes through the last
// reference, as if a client logged off only just before its final Release:
// AddRef then StoreLogoff aborts (SIGABRT).
// Minimal counterexample: AddRef, StoreLogoff(LOGOFF_NO_WAIT) — 2 steps.
class AbortsUnlessLastReference final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (references_ != 1) std::abort();
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Checks the flags with a C++ helper that throws std::invalid_argument on
// bits it does not know, and lets the exception escape through the COM
// boundary instead of returning MAPI_E_UNKNOWN_FLAGS. An in-process run
// catches it too.
// Minimal counterexample: StoreLogoff with an unknown flag bit — 1 step.
class ThrowsOnUnknownFlags final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags != nullptr && (*lpulFlags & ~kInputFlagMask) != 0) {
      throw std::invalid_argument("unknown logoff flags");
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Shuts the whole process down when its last store closes, a habit from a
// single-store service: the final Release calls exit(3).
// Minimal counterexample: Release — 1 step.
class ExitsOnLastRelease final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  void final_release() override {
    ReferenceStore::final_release();
    std::exit(3);
  }
};

// Serialises logoffs: a second valid StoreLogoff waits until the first one's
// transport logoff is done. That logoff is deferred to the final Release,
// which the waiting client cannot reach, so the second call never returns.
// Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT), StoreLogoff(LOGOFF_NO_WAIT)
// — 2 steps.
class HangsOnSecondLogoff final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (validate(lpulFlags) == S_OK && saved_flag_ != 0) {
      std::unique_lock lock(mutex_);
      logoff_done_.wait(lock, [this] { return transports_logged_off_; });
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }

 protected:
  void final_release() override {
    ReferenceStore::final_release();
    const std::lock_guard lock(mutex_);
    transports_logged_off_ = true;
    logoff_done_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable logoff_done_;
  bool transports_logged_off_ = false;
};

}  // namespace

std::span<const BuiltinProvider> fault_mutants() noexcept {
  static const std::array gallery = {
      BuiltinProvider{"segfault-on-null-flags",
                      "reads *lpulFlags before checking the pointer: StoreLogoff(NULL) crashes",
                      &open_new<SegfaultOnNullFlags>, Profile::deferred, ClauseId::RC_3, 1, true},
      BuiltinProvider{"aborts-unless-last-reference",
                      "asserts that StoreLogoff comes through the last reference and aborts "
                      "otherwise",
                      &open_new<AbortsUnlessLastReference>, Profile::deferred, ClauseId::RC_3, 2,
                      true},
      BuiltinProvider{"throws-on-unknown-flags",
                      "lets a std::invalid_argument escape StoreLogoff on unknown flag bits "
                      "instead of returning MAPI_E_UNKNOWN_FLAGS",
                      &open_new<ThrowsOnUnknownFlags>, Profile::deferred, ClauseId::RC_3, 1, true},
      BuiltinProvider{"exits-on-last-release",
                      "calls exit(3) in its final Release, shutting the client's process down",
                      &open_new<ExitsOnLastRelease>, Profile::deferred, ClauseId::RC_3, 1, true},
      BuiltinProvider{"hangs-on-second-logoff",
                      "a second StoreLogoff waits forever for the first one's logoff, which "
                      "only the final Release performs",
                      &open_new<HangsOnSecondLogoff>, Profile::deferred, ClauseId::RC_3, 2, true},
  };
  return gallery;
}

}  // namespace logoffcheck::providers
