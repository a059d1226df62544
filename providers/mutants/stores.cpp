// Mutants whose bug is state shared by all the stores a provider opens in
// one process (issue 23): each store alone behaves exactly like the
// reference store, so every case of one store passes; `certify --stores 2`
// or more catches them.
#include <array>

#include "../reference/reference_store.h"
#include "mutants.h"

namespace logoffcheck::providers {

namespace {

// The reference count every store of the process shares: a member that was
// meant to be per store and was declared static.
ULONG count_of_every_store = 0;

// Keeps its reference count in a process-wide variable, which each new
// store's constructor sets to 1 (as `m_cRef = 1` does for a static member).
// One store alive at a time counts right. With two, opening the second
// resets the first one's count: the first store's last Release is no longer
// the one that takes the count to zero, so it never logs the transports off
// (LT-3), or an earlier one does (LT-2). Its minimal counterexample is an
// AddRef on store 1, then store 0's final Release (2 steps).
//
// Only the counting is shared: each store's memory follows its own
// references, so the client never calls a store that was freed, in any build.
// (Freed on the shared count, a store would be called after its delete, and
// AddressSanitizer, rightly, would stop the run there.)
class CountInGlobal final : public ReferenceStore {
 public:
  explicit CountInGlobal(IMAPISupport* support) noexcept : ReferenceStore(support) {
    count_of_every_store = 1;
  }

  ULONG AddRef() override {
    ++own_references_;
    return ++count_of_every_store;
  }

  ULONG Release() override {
    const ULONG remaining = --count_of_every_store;
    if (remaining == 0) final_release();
    if (--own_references_ == 0) delete this;
    return remaining;
  }

 private:
  ULONG own_references_ = 1;
};

}  // namespace

std::span<const BuiltinProvider> several_store_mutants() noexcept {
  static const std::array gallery = {
      BuiltinProvider{"count-in-global",
                      "keeps its reference count in a process-wide variable that every store "
                      "shares (caught with --stores 2 or more)",
                      &open_new<CountInGlobal>, Profile::deferred, ClauseId::LT_3, 2, false, 1, 3},
  };
  return gallery;
}

}  // namespace logoffcheck::providers
