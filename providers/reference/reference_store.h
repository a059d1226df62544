// The reference stores: careful implementations of both profiles of the
// StoreLogoff contract, written the way docs/provider-guide.md recommends.
// The mutants in providers/mutants/ are these stores with one realistic bug.
#pragma once

#include <atomic>

#include "logoffcheck/provider.h"

namespace logoffcheck::providers {

// The deferred profile (the seeds' notes to implementers): StoreLogoff
// validates and saves its flag; the Release that takes the count to zero
// passes the last saved flag, or LOGOFF_ABORT, to StoreLogoffTransports.
class ReferenceStore : public IMsgStore {
 public:
  // Takes a reference to `support`, which the final Release gives back (RC-2).
  explicit ReferenceStore(IMAPISupport* support) noexcept : support_(support) {
    support_->AddRef();
  }
  virtual ~ReferenceStore() = default;

  ULONG AddRef() override { return ++references_; }  // RC-1: the new count

  ULONG Release() override {
    const ULONG remaining = --references_;
    if (remaining == 0) {
      final_release();  // LT-3: exactly here, never earlier (LT-2)
      delete this;
    }
    return remaining;
  }

  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;  // SL-2: nothing saved
    saved_flag_ = *lpulFlags;         // D2: the last valid call wins
    return S_OK;                      // SL-4: *lpulFlags left as it came
  }

  // SL-3 (decision D3): the HRESULT for StoreLogoff input, S_OK when valid.
  static HRESULT validate(const ULONG* lpulFlags) noexcept {
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if ((*lpulFlags & ~kInputFlagMask) != 0) return MAPI_E_UNKNOWN_FLAGS;
    if (!is_single_input_flag(*lpulFlags)) return MAPI_E_INVALID_PARAMETER;
    return S_OK;
  }

 protected:
  // The final Release's work: log the transports off with the saved flag
  // (LT-1) or LOGOFF_ABORT (LT-3), then give the support reference back.
  virtual void final_release() {
    ULONG flags = final_logoff_flag();
    support_->StoreLogoffTransports(&flags);
    support_->Release();
  }

  // The flag the final Release passes: the last saved one (LT-1), or
  // LOGOFF_ABORT when StoreLogoff never came (LT-3).
  virtual ULONG final_logoff_flag() const noexcept {
    const ULONG saved = saved_flag_;
    return saved != 0 ? saved : LOGOFF_ABORT;
  }

  IMAPISupport* support() const noexcept { return support_; }

  std::atomic<ULONG> references_{1};
  std::atomic<ULONG> saved_flag_{0};

 private:
  IMAPISupport* support_;
};

// The eager profile (the IMAPISupport::StoreLogoffTransports page): a valid
// StoreLogoff asks the spooler at once and returns its answer; the final
// Release calls with LOGOFF_ABORT only if StoreLogoff never did.
class ReferenceEagerStore : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    transports_called_ = true;
    return support()->StoreLogoffTransports(lpulFlags);  // SL-5: the answer, in place
  }

 protected:
  void final_release() override {
    if (!transports_called_) {
      ULONG flags = LOGOFF_ABORT;
      support()->StoreLogoffTransports(&flags);
    }
    support()->Release();
  }

  std::atomic<bool> transports_called_{false};
};

IMsgStore* open_reference_store(IMAPISupport* support);
IMsgStore* open_reference_eager_store(IMAPISupport* support);

}  // namespace logoffcheck::providers
