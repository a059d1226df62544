#include "sdk_sample_store.h"

#include <mutex>

namespace logoffcheck::providers {

namespace {

class SdkSampleStore final : public IMsgStore {
 public:
  // The creating call takes the store's reference on the support object,
  // which the teardown gives back last (RC-2).
  explicit SdkSampleStore(IMAPISupport* support) noexcept : support_(support) {
    support_->AddRef();
  }

  ULONG AddRef() override {
    const std::lock_guard lock(lock_);
    return ++references_;
  }

  ULONG Release() override {
    ULONG remaining = 0;
    {
      const std::lock_guard lock(lock_);
      remaining = --references_;
    }
    if (remaining == 0) tear_down();
    return remaining;
  }

  // Only the pointer is checked; the value is saved as given (D3) and the
  // store answers that the logoff is complete (D4).
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    {
      const std::lock_guard lock(lock_);
      saved_flags_ = *lpulFlags;
    }
    *lpulFlags = LOGOFF_COMPLETE;
    return S_OK;
  }

 private:
  // The last Release: hand the transports back with the saved flag, whatever
  // the spooler answers, then let go of the support object and the store.
  void tear_down() {
    ULONG flags = saved_flags_;
    (void)support_->StoreLogoffTransports(&flags);
    IMAPISupport* const support = support_;
    delete this;
    support->Release();
  }

  std::mutex lock_;
  ULONG references_ = 1;
  ULONG saved_flags_ = LOGOFF_ABORT;  // the default when StoreLogoff never came
  IMAPISupport* support_;
};

}  // namespace

IMsgStore* open_sdk_sample_store(IMAPISupport* support) { return new SdkSampleStore(support); }

}  // namespace logoffcheck::providers
