#include <array>

#include "../reference/reference_store.h"
#include "mutants.h"

namespace logoffcheck::providers {

namespace {

// Saves the first StoreLogoff flag and ignores later ones, reading "the
// flags passed to StoreLogoff" as "the first flags".
// Minimal counterexample: StoreLogoff(LOGOFF_NO_WAIT), StoreLogoff(LOGOFF_ORDERLY),
// final Release (LT-1) — 3 steps.
class SavesFirstFlag final : public ReferenceStore {
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

template <typename Store>
IMsgStore* open(IMAPISupport* support) {
  return new Store(support);
}

}  // namespace

std::span<const BuiltinProvider> functional_mutants() noexcept {
  static const std::array gallery = {
      BuiltinProvider{"saves-first-flag",
                      "keeps the first StoreLogoff flag instead of the last (D2)",
                      &open<SavesFirstFlag>, Profile::deferred, ClauseId::LT_1, 3, false},
  };
  return gallery;
}

}  // namespace logoffcheck::providers
