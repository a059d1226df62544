// A provider library that is not deterministic: the first valid StoreLogoff
// in the process fails (SL-1), every later one succeeds. A failure that does
// not happen again cannot be shrunk, yet it is the store's: `certify
// --no-isolate` must end with exit status 1 and the counterexample as found,
// marked with how many replays failed (0 of 10), not with exit status 3
// (the verifier's own faults) and not with a crash.
#include <logoffcheck/provider.h>

namespace {

using namespace logoffcheck;

bool first_logoff_done = false;

// Otherwise a careful deferred-profile store.
class FlakyStore final : public IMsgStore {
 public:
  explicit FlakyStore(IMAPISupport* support) : support_(support) { support_->AddRef(); }

  ULONG AddRef() override { return ++references_; }

  ULONG Release() override {
    const ULONG left = --references_;
    if (left == 0) {
      ULONG flags = saved_flag_ != 0 ? saved_flag_ : LOGOFF_ABORT;
      support_->StoreLogoffTransports(&flags);
      support_->Release();
      delete this;
    }
    return left;
  }

  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if ((*lpulFlags & ~kInputFlagMask) != 0) return MAPI_E_UNKNOWN_FLAGS;
    if (!is_single_input_flag(*lpulFlags)) return MAPI_E_INVALID_PARAMETER;
    if (!first_logoff_done) {
      first_logoff_done = true;
      return MAPI_E_CALL_FAILED;
    }
    saved_flag_ = *lpulFlags;
    return S_OK;
  }

 private:
  IMAPISupport* support_;
  ULONG references_ = 1;
  ULONG saved_flag_ = 0;
};

IMsgStore* open_flaky_store(IMAPISupport* support) { return new FlakyStore(support); }

}  // namespace

LOGOFFCHECK_EXPORT_PROVIDER(open_flaky_store)
