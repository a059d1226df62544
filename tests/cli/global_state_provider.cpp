// Provider libraries that are careful deferred-profile stores but for state
// that outlives one store, built once per macro (tests/cli/CMakeLists.txt):
//   FLAKY_FIRST_LOGOFF: not deterministic: the first valid StoreLogoff in
//     the process fails (SL-1), every later one succeeds. A failure that
//     does not happen again cannot be shrunk, yet it is the store's:
//     `certify --no-isolate` must end with exit status 1 and the
//     counterexample as found, marked with how many replays failed (0 of
//     10), not with exit status 3 (the verifier's own faults) nor a crash.
//   GLOBAL_SAVED_FLAG: the saved StoreLogoff flag is a process-wide
//     variable, never reset, as provider DLLs that keep state in globals do
//     (issue 23): a store never given a flag passes an earlier store's flag
//     in its final Release. Each case alone in a fresh process conforms; a
//     case after one that saved a flag fails (LT-3), and the counterexample
//     must hold that earlier case rather than call the store flaky.
//   GLOBAL_COUNT: the reference count is a global the constructor sets to
//     1: with one store alive at a time it behaves; cases of several stores
//     (certify --stores 3) catch it (tests/cli/stores_scenarios.sh).
#include <logoffcheck/provider.h>

namespace {

using namespace logoffcheck;

#if defined(FLAKY_FIRST_LOGOFF)
bool first_logoff_done = false;
#elif defined(GLOBAL_SAVED_FLAG)
ULONG saved_flag_everywhere = 0;
#else
ULONG references_everywhere = 0;
#endif

class CarefulStoreButItsState final : public IMsgStore {
 public:
  explicit CarefulStoreButItsState(IMAPISupport* support) : support_(support) {
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
#if defined(FLAKY_FIRST_LOGOFF)
    if (!first_logoff_done) {
      first_logoff_done = true;
      return MAPI_E_CALL_FAILED;
    }
#endif
    saved_flag() = *lpulFlags;
    return S_OK;
  }

 private:
#if defined(GLOBAL_SAVED_FLAG)
  ULONG& saved_flag() { return saved_flag_everywhere; }
#else
  ULONG& saved_flag() { return saved_flag_; }
#endif
#if defined(GLOBAL_COUNT)
  ULONG& count() { return references_everywhere; }
#else
  ULONG& count() { return references_; }
#endif

  IMAPISupport* support_;
  ULONG references_ = 1;
  ULONG saved_flag_ = 0;
};

IMsgStore* open_store(IMAPISupport* support) { return new CarefulStoreButItsState(support); }

}  // namespace

LOGOFFCHECK_EXPORT_PROVIDER(open_store)
