// mystore.cpp — a complete message-store provider, built as a shared library
// against logoffcheck's installed headers only and certified by it.
// docs/provider-guide.md walks through this file; the engine tests build it
// from the installed headers and certify it under the deferred profile.
#include <new>

#include <logoffcheck/provider.h>

namespace {

using namespace logoffcheck;

// The deferred profile: StoreLogoff only saves its flag; the Release that
// takes the count to zero hands it to the spooler.
class MyStore final : public IMsgStore {
 public:
  // RC-2: a store that calls the support object later holds a reference.
  explicit MyStore(IMAPISupport* support) : support_(support) { support_->AddRef(); }

  ULONG AddRef() override { return ++references_; }  // RC-1: the new count

  ULONG Release() override {
    const ULONG remaining = --references_;
    if (remaining == 0) {  // LT-2: never while the count is above zero
      // LT-1: the last saved flag; LT-3: LOGOFF_ABORT if StoreLogoff never came.
      // LT-4: either way, exactly one input flag.
      ULONG flags = saved_flag_ != 0 ? saved_flag_ : LOGOFF_ABORT;
      support_->StoreLogoffTransports(&flags);  // LT-3: exactly once
      support_->Release();                      // RC-2: given back at the end
      delete this;
    }
    return remaining;  // RC-1
  }

  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    // SL-2 and SL-3 (decision D3): reject invalid input, change nothing.
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if ((*lpulFlags & ~kInputFlagMask) != 0) return MAPI_E_UNKNOWN_FLAGS;
    if (!is_single_input_flag(*lpulFlags)) return MAPI_E_INVALID_PARAMETER;
    saved_flag_ = *lpulFlags;  // D2: the last valid call wins
    return S_OK;               // SL-1; SL-4: *lpulFlags left as it came
  }

 private:
  ~MyStore() = default;  // only Release destroys a store

  IMAPISupport* support_;
  ULONG references_ = 1;  // logoffcheck_open_store hands out the first reference
  ULONG saved_flag_ = 0;  // 0: StoreLogoff has not been called validly
};

IMsgStore* open_my_store(IMAPISupport* support) { return new (std::nothrow) MyStore(support); }

}  // namespace

// Exports logoffcheck_provider_abi_version and logoffcheck_open_store.
LOGOFFCHECK_EXPORT_PROVIDER(open_my_store)
