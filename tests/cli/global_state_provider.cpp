// Provider libraries that keep per-store state in a process-wide variable,
// as provider DLLs that keep state in globals do (issue 23). Built twice:
//   GLOBAL_SAVED_FLAG: the saved StoreLogoff flag is a global, never reset,
//     so a store that was never given a flag passes an earlier store's flag
//     in its final Release. Each case alone in a fresh process conforms; a
//     case after one that saved a flag fails (LT-3 or LT-4), and the
//     counterexample must say that it depends on the cases before it rather
//     than call the store flaky.
//   GLOBAL_COUNT: the reference count is a global the constructor sets to
//     1: with one store alive at a time it behaves (several stores per case,
//     issue 23, are what would catch it).
// Otherwise careful deferred-profile stores.
#include <logoffcheck/provider.h>

namespace {

using namespace logoffcheck;

#if defined(GLOBAL_SAVED_FLAG)
ULONG saved_flag_everywhere = 0;
#else
ULONG references_everywhere = 0;
#endif

class GlobalStateStore final : public IMsgStore {
 public:
  explicit GlobalStateStore(IMAPISupport* support) : support_(support) {
    support_->AddRef();
    count() = 1;
  }

  ULONG AddRef() override { return ++count(); }

  ULONG Release() override {
    const ULONG left = --count();
    if (left == 0) {
      ULONG flags = saved_flag() != 0 ? saved_flag() : LOGOFF_ABORT;
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
    saved_flag() = *lpulFlags;
    return S_OK;
  }

 private:
#if defined(GLOBAL_SAVED_FLAG)
  ULONG& saved_flag() { return saved_flag_everywhere; }
  ULONG& count() { return references_; }
#else
  ULONG& saved_flag() { return saved_flag_; }
  ULONG& count() { return references_everywhere; }
#endif

  IMAPISupport* support_;
  ULONG references_ = 1;
  ULONG saved_flag_ = 0;
};

IMsgStore* open_global_state_store(IMAPISupport* support) { return new GlobalStateStore(support); }

}  // namespace

LOGOFFCHECK_EXPORT_PROVIDER(open_global_state_store)
