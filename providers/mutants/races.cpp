// The race mutants: reference stores whose reference counting is not
// thread-safe, the commonest real bug of reference-counted objects. Both
// behave exactly like the reference store when called one call at a time,
// so every sequential case passes; `certify --threads 2` catches them
// (clause RC-4, or RC-3 for the crash a race causes). Each widens its race
// window with a short sleep, as a page fault or a preemption would, so that the
// race shows on a loaded two-core machine too.
//
// Both may use their store after it deleted itself once the race is lost:
// they are certified in child processes only (needs_isolation).
#include <array>
#include <chrono>
#include <thread>

#include "../reference/reference_store.h"
#include "mutants.h"

namespace logoffcheck::providers {

namespace {

// Between reading shared state and acting on it: long enough for the other
// thread to get in between, as a preemption would.
void race_window() noexcept { std::this_thread::sleep_for(std::chrono::microseconds(20)); }

// Counts with a plain read-modify-write, as `++count_` on a non-atomic
// integer compiles: two threads read the same count and one update is lost.
// A lost AddRef makes a later Release final too early (LT-2, then a use
// after free); a lost Release leaves the count above zero at the last
// Release, which then never logs the transports off (LT-3).
class LostUpdateCount final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG AddRef() override {
    const ULONG count = references_.load();
    race_window();
    references_.store(count + 1);
    return count + 1;
  }
  ULONG Release() override {
    const ULONG count = references_.load();
    race_window();
    references_.store(count - 1);
    if (count - 1 == 0) {
      final_release();
      delete this;
    }
    return count - 1;
  }
};

// Decrements atomically, then reads the count again to decide whether it
// was the last Release (check-then-act). When the last two holders Release
// together, both can read zero: the transports are logged off twice (LT-3,
// RC-2: the second call comes after the support reference went back) and
// the store is deleted twice (RC-3).
class CheckThenActFinalRelease final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG Release() override {
    const ULONG remaining = references_.fetch_sub(1) - 1;
    race_window();
    if (references_.load() == 0) {  // reads the count again: check-then-act
      final_release();
      race_window();  // the logoff takes a while before the store is freed
      delete this;
    }
    return remaining;
  }
};

}  // namespace

std::span<const BuiltinProvider> race_mutants() noexcept {
  static const std::array gallery = {
      BuiltinProvider{"lost-update-count",
                      "counts references with a plain read-modify-write: concurrent AddRef and "
                      "Release lose updates",
                      &open_new<LostUpdateCount>, Profile::deferred, ClauseId::RC_4, 0, true, 2},
      BuiltinProvider{"check-then-act-release",
                      "decrements, then reads the count again to decide on the final Release: "
                      "two last Releases can both see zero",
                      &open_new<CheckThenActFinalRelease>, Profile::deferred, ClauseId::RC_4, 0,
                      true, 2},
  };
  return gallery;
}

}  // namespace logoffcheck::providers
