// The bundled Windows message-store providers: DLLs exporting MSProviderInit,
// written against mingw-w64's mapidefs.h/mapispi.h, certified under Wine
// through the Windows agent (docs/windows-providers.md).
//
// One source, one DLL per store: LOGOFFCHECK_WINDOWS_STORE names the store
// class the DLL's IMSProvider::Logon opens. Each is the Windows twin of a
// bundled native provider (providers/reference, providers/mutants) with the
// same behaviour, so certifying it must give the same verdict, clause and
// minimal counterexample length (tests/windows/ holds them to it).
#include <cstdlib>
#include <stdexcept>

#include "mapi_no_support.h"

#ifndef LOGOFFCHECK_WINDOWS_STORE
#error "define LOGOFFCHECK_WINDOWS_STORE to the store class this DLL opens"
#endif

namespace logoffcheck::windows_providers {

namespace {

constexpr ULONG kInputFlags =
    LOGOFF_NO_WAIT | LOGOFF_ORDERLY | LOGOFF_PURGE | LOGOFF_ABORT | LOGOFF_QUIET;

const IID kIidUnknown = {0x00000000, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID kIidMsgStore = {0x00020306, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};

// --- The reference stores ----------------------------------------------------------

// The deferred profile: StoreLogoff validates and saves its flag; the Release
// that takes the count to zero passes the last saved flag, or LOGOFF_ABORT,
// to IMAPISupport::StoreLogoffTransports.
class ReferenceStore : public MsgStoreBase {
 public:
  explicit ReferenceStore(LPMAPISUP support) : support_(support) { support_->AddRef(); }

  STDMETHODIMP QueryInterface(REFIID iid, LPVOID* object) override {
    if (object == nullptr) return E_INVALIDARG;
    *object = nullptr;
    if (!IsEqualIID(iid, kIidUnknown) && !IsEqualIID(iid, kIidMsgStore)) return E_NOINTERFACE;
    AddRef();
    *object = static_cast<IMsgStore*>(this);
    return S_OK;
  }

  STDMETHODIMP_(ULONG) AddRef() override { return InterlockedIncrement(&references_); }

  STDMETHODIMP_(ULONG) Release() override {
    const LONG remaining = InterlockedDecrement(&references_);
    if (remaining == 0) {
      final_release();
      delete this;
    }
    return static_cast<ULONG>(remaining);
  }

  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    saved_flag_ = *lpulFlags;  // the last valid call wins
    return S_OK;
  }

  static HRESULT validate(const ULONG* lpulFlags) {
    if (lpulFlags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if ((*lpulFlags & ~kInputFlags) != 0) return MAPI_E_UNKNOWN_FLAGS;
    const ULONG flags = *lpulFlags;
    if (flags == 0 || (flags & (flags - 1)) != 0) return MAPI_E_INVALID_PARAMETER;
    return S_OK;
  }

 protected:
  virtual void final_release() {
    ULONG flags = saved_flag_ != 0 ? saved_flag_ : LOGOFF_ABORT;
    support_->StoreLogoffTransports(&flags);
    support_->Release();
  }

  LPMAPISUP support() const { return support_; }

  LONG references_ = 1;
  ULONG saved_flag_ = 0;

 private:
  LPMAPISUP support_;
};

// The eager profile: a valid StoreLogoff asks the spooler at once and returns
// its answer; the final Release sends LOGOFF_ABORT only if StoreLogoff never did.
class ReferenceEagerStore : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    transports_called_ = true;
    return support()->StoreLogoffTransports(lpulFlags);
  }

 protected:
  void final_release() override {
    if (!transports_called_) {
      ULONG flags = LOGOFF_ABORT;
      support()->StoreLogoffTransports(&flags);
    }
    support()->Release();
  }

  bool transports_called_ = false;
};

// A conformant store that, as many SDK-based stores do at logon, asks the
// support object for MAPI's memory routines, and copes with
// MAPI_E_NO_SUPPORT. (tests/windows/ checks that the call is recorded.)
class AsksForMemoryRoutines final : public ReferenceStore {
 public:
  explicit AsksForMemoryRoutines(LPMAPISUP support) : ReferenceStore(support) {
    LPALLOCATEBUFFER allocate = nullptr;
    LPALLOCATEMORE allocate_more = nullptr;
    LPFREEBUFFER free_buffer = nullptr;
    support->GetMemAllocRoutines(&allocate, &allocate_more, &free_buffer);
  }
};

// --- Mutants: one realistic bug each, as in providers/mutants/ -------------------

// Twin of saves-first-flag (LT-1, 3 steps): keeps the first flag, not the last.
class SavesFirstFlag final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    if (saved_flag_ == 0) saved_flag_ = *lpulFlags;
    return S_OK;
  }
};

// Twin of always-aborts-in-final-release (LT-1, 2 steps).
class AlwaysAbortsInFinalRelease final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  void final_release() override {
    ULONG flags = LOGOFF_ABORT;
    support()->StoreLogoffTransports(&flags);
    support()->Release();
  }
};

// Twin of destroys-one-release-early (LT-2, 2 steps): logs off at count 1.
class DestroysOneReleaseEarly final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  STDMETHODIMP_(ULONG) Release() override {
    const LONG remaining = InterlockedDecrement(&references_);
    if (remaining <= 1) {
      final_release();
      delete this;
    }
    return static_cast<ULONG>(remaining);
  }
};

// Twin of leaks-support-reference (RC-2, 1 step).
class LeaksSupportReference final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  void final_release() override {
    ULONG flags = saved_flag_ != 0 ? saved_flag_ : LOGOFF_ABORT;
    support()->StoreLogoffTransports(&flags);
  }
};

// Twin of eager-passes-abort (SL-5, 1 step).
class EagerPassesAbort final : public ReferenceEagerStore {
 public:
  using ReferenceEagerStore::ReferenceEagerStore;
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    const HRESULT valid = validate(lpulFlags);
    if (valid != S_OK) return valid;
    transports_called_ = true;
    *lpulFlags = LOGOFF_ABORT;
    return support()->StoreLogoffTransports(lpulFlags);
  }
};

// Twin of segfault-on-null-flags (RC-3, 1 step): reads *lpulFlags before
// checking the pointer, an access violation on StoreLogoff(NULL).
class SegfaultOnNullFlags final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    traced_request_ = *static_cast<volatile ULONG*>(lpulFlags);
    return ReferenceStore::StoreLogoff(lpulFlags);
  }

 private:
  volatile ULONG traced_request_ = 0;
};

// Twin of throws-on-unknown-flags (RC-3, 1 step): a C++ exception escapes
// through the COM boundary.
class ThrowsOnUnknownFlags final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags != nullptr && (*lpulFlags & ~kInputFlags) != 0) {
      throw std::invalid_argument("unknown logoff flags");
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }
};

// Twin of exits-on-last-release (RC-3, 1 step): ExitProcess(3) in the final Release.
class ExitsOnLastRelease final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;

 protected:
  void final_release() override {
    ReferenceStore::final_release();
    ExitProcess(3);
  }
};

// Twin of hangs-on-second-logoff (RC-3, 2 steps): a second valid StoreLogoff
// waits for an event only the final Release sets.
class HangsOnSecondLogoff final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ~HangsOnSecondLogoff() override { CloseHandle(logoff_done_); }
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    if (validate(lpulFlags) == S_OK && saved_flag_ != 0) {
      WaitForSingleObject(logoff_done_, INFINITE);
    }
    return ReferenceStore::StoreLogoff(lpulFlags);
  }

 protected:
  void final_release() override {
    ReferenceStore::final_release();
    SetEvent(logoff_done_);
  }

 private:
  HANDLE logoff_done_ = CreateEventA(nullptr, TRUE, FALSE, nullptr);
};

}  // namespace

}  // namespace logoffcheck::windows_providers

// The SDK sample store's twin, in a file of its own (its store logic in one place).
#include "sdk_sample_store.h"

namespace logoffcheck::windows_providers {

namespace {

// --- The provider and logon objects ------------------------------------------------

// Reference counting shared by the provider's own objects.
template <typename Base>
class Counted : public Base {
 public:
  STDMETHODIMP QueryInterface(REFIID, LPVOID* object) override {
    if (object != nullptr) *object = nullptr;
    return E_NOINTERFACE;
  }
  STDMETHODIMP_(ULONG) AddRef() override { return InterlockedIncrement(&references_); }
  STDMETHODIMP_(ULONG) Release() override {
    const LONG remaining = InterlockedDecrement(&references_);
    if (remaining == 0) delete this;
    return static_cast<ULONG>(remaining);
  }

 private:
  LONG references_ = 1;
};

class Logon final : public Counted<MsLogonBase> {};

class Provider final : public Counted<MsProviderBase> {
 public:
  STDMETHODIMP Shutdown(ULONG*) override { return S_OK; }

  // Opens a new store, with reference count 1, on `lpMAPISup`.
  STDMETHODIMP Logon(LPMAPISUP lpMAPISup, ULONG, LPTSTR, ULONG, LPENTRYID, ULONG, LPCIID,
                     ULONG* lpcbSpoolSecurity, LPBYTE* lppbSpoolSecurity, LPMAPIERROR* lppMAPIError,
                     LPMSLOGON* lppMSLogon, LPMDB* lppMDB) override {
    if (lpMAPISup == nullptr || lppMSLogon == nullptr || lppMDB == nullptr) {
      return MAPI_E_INVALID_PARAMETER;
    }
    if (lpcbSpoolSecurity != nullptr) *lpcbSpoolSecurity = 0;
    if (lppbSpoolSecurity != nullptr) *lppbSpoolSecurity = nullptr;
    if (lppMAPIError != nullptr) *lppMAPIError = nullptr;
    *lppMSLogon = new windows_providers::Logon;
    *lppMDB = new LOGOFFCHECK_WINDOWS_STORE(lpMAPISup);
    return S_OK;
  }
};

}  // namespace

}  // namespace logoffcheck::windows_providers

extern "C" __declspec(dllexport) HRESULT
    __cdecl MSProviderInit(HINSTANCE, LPMALLOC, LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER,
                           ULONG, ULONG ulMAPIVer, ULONG* lpulProviderVer,
                           LPMSPROVIDER* lppMSProvider) {
  if (lpulProviderVer == nullptr || lppMSProvider == nullptr) return MAPI_E_INVALID_PARAMETER;
  if (ulMAPIVer < CURRENT_SPI_VERSION) return MAPI_E_VERSION;
  *lpulProviderVer = CURRENT_SPI_VERSION;
  *lppMSProvider = new logoffcheck::windows_providers::Provider;
  return S_OK;
}
