// The SHOULD-only gallery: reference stores with one behaviour the contract
// tolerates but does not recommend (docs/contract.md, D3). Each is conformant
// under the MUST clauses, with warnings, and fails only in strict mode, by
// the SHOULD clause its entry names. They were bugs under the first reading
// of D3 (invalid input must fail); the stores that exist accept it (the MAPI
// SDK sample store, providers/sdk_sample), so accepting it is a SHOULD.
// tests/engine/gallery_test.cpp (ShouldMutantTest) pins each in lax and
// strict mode for 20 seeds.
#include <array>

#include "../reference/reference_store.h"
#include "mutants.h"

namespace logoffcheck::providers {

namespace {

// Answers every StoreLogoff with a non-NULL pointer S_OK, and keeps only
// valid flags: invalid input is accepted and ignored (the earlier saved flag
// stays, as D3 allows).
// SL-3 (SHOULD). Minimal counterexample in strict mode: StoreLogoff(0) — 1 step.
class IgnoresInvalidInput final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if (validate(lpulFlags) == S_OK) saved_flag_ = *lpulFlags;
    return S_OK;
  }
};

// Accepts an input flag with output bits beside it (what a client passes when
// it feeds back what the last StoreLogoff wrote, as MFCMAPI does) and saves
// that flag alone; other invalid input is rejected as D3 says.
// SL-3 (SHOULD). Minimal counterexample in strict mode:
// StoreLogoff(LOGOFF_NO_WAIT|LOGOFF_COMPLETE) — 1 step.
class KeepsInputFlagBesideOutputBits final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags != nullptr && is_input_flag_with_output_bits(*lpulFlags)) {
      saved_flag_ = *lpulFlags & kInputFlagMask;
      return S_OK;
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

}  // namespace

std::span<const BuiltinProvider> should_only_mutants() noexcept {
  static const std::array gallery = {
      BuiltinProvider{"ignores-invalid-input",
                      "answers invalid StoreLogoff input S_OK and keeps the earlier flag "
                      "(SHOULD: strict mode)",
                      &open_new<IgnoresInvalidInput>, Profile::deferred, ClauseId::SL_3, 1, false},
      BuiltinProvider{"keeps-input-flag-beside-output-bits",
                      "accepts an input flag with output bits beside it and saves the flag alone "
                      "(SHOULD: strict mode)",
                      &open_new<KeepsInputFlagBesideOutputBits>, Profile::deferred, ClauseId::SL_3,
                      1, false},
  };
  return gallery;
}

}  // namespace logoffcheck::providers
