// The bundled Windows message-store providers: DLLs exporting MSProviderInit,
// written against mingw-w64's mapidefs.h/mapispi.h, certified under Wine
// through the Windows agent (docs/windows-providers.md).
//
// One source, one DLL per store, and no second copy of the stores: each DLL
// is a bundled native provider (providers/reference, providers/mutants),
// compiled for Windows with it, behind the SDK's COM vtables.
// LOGOFFCHECK_WINDOWS_TWIN names the bundled provider ("reference",
// "saves-first-flag", ...) whose store the DLL's IMSProvider::Logon opens;
// its IMsgStore passes AddRef, Release and StoreLogoff to that store, and the
// store's calls on its support object go to the Windows IMAPISupport. So
// certifying the DLL must give its twin's verdict, clause and minimal
// counterexample length (tests/windows/ holds them to it).
//
// LOGOFFCHECK_WINDOWS_LOGON chooses what Logon does first: 0 nothing more;
// 1 the SDK sample's calls (sample_logon.h); 2 those, then OpenAddressBook,
// fatal; 3 GetMemAllocRoutines and OpenAddressBook, coping with the answers.

// The native provider ABI first: its constants are named as the Windows
// macros below, which must come after it (logoffcheck/mapi.h).
#include "logoffcheck/builtin.h"
#include "logoffcheck/provider.h"
#include "mapi_no_support.h"
#include "sample_logon.h"

#ifndef LOGOFFCHECK_WINDOWS_TWIN
#error "define LOGOFFCHECK_WINDOWS_TWIN to the bundled provider whose store this DLL opens"
#endif
#ifndef LOGOFFCHECK_WINDOWS_LOGON
#define LOGOFFCHECK_WINDOWS_LOGON 0
#endif

// Outside namespace logoffcheck: ULONG and HRESULT here are Windows'.
namespace windows_store {

using windows_providers::Counted;
using windows_providers::MsgStoreBase;
using windows_providers::MsLogonBase;
using windows_providers::MsProviderBase;
using windows_providers::SampleLogonState;

const IID kIidUnknown = {0x00000000, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID kIidMsgStore = {0x00020306, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};

// The native store's support object: the Windows one, call for call.
class SupportBridge final : public logoffcheck::IMAPISupport {
 public:
  explicit SupportBridge(LPMAPISUP support) : support_(support) {}
  logoffcheck::ULONG AddRef() override { return support_->AddRef(); }
  logoffcheck::ULONG Release() override { return support_->Release(); }
  logoffcheck::HRESULT StoreLogoffTransports(logoffcheck::ULONG* lpulFlags) override {
    if (lpulFlags == nullptr) return support_->StoreLogoffTransports(nullptr);
    ULONG flags = *lpulFlags;
    const HRESULT result = support_->StoreLogoffTransports(&flags);
    *lpulFlags = static_cast<logoffcheck::ULONG>(flags);
    return result;
  }

 private:
  LPMAPISUP support_;
};

// The SDK's IMsgStore over a bundled native store: every other method
// answers MAPI_E_NO_SUPPORT (mapi_no_support.h).
class ComStore final : public MsgStoreBase {
 public:
  ComStore(LPMAPISUP support, logoffcheck::OpenStoreFunction open)
      : bridge_(support), store_(open(&bridge_)) {}

  bool opened() const noexcept { return store_ != nullptr; }

  STDMETHODIMP QueryInterface(REFIID iid, LPVOID* object) override {
    if (object == nullptr) return E_INVALIDARG;
    *object = nullptr;
    if (!IsEqualIID(iid, kIidUnknown) && !IsEqualIID(iid, kIidMsgStore)) return E_NOINTERFACE;
    AddRef();
    *object = static_cast<IMsgStore*>(this);
    return S_OK;
  }
  STDMETHODIMP_(ULONG) AddRef() override { return store_->AddRef(); }
  // The native store deletes itself when its count reaches zero; its COM
  // face goes with it.
  STDMETHODIMP_(ULONG) Release() override {
    const logoffcheck::ULONG remaining = store_->Release();
    if (remaining == 0) delete this;
    return remaining;
  }
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags == nullptr) return store_->StoreLogoff(nullptr);
    logoffcheck::ULONG flags = static_cast<logoffcheck::ULONG>(*lpulFlags);
    const HRESULT result = store_->StoreLogoff(&flags);
    *lpulFlags = flags;
    return result;
  }

 private:
  SupportBridge bridge_;
  logoffcheck::IMsgStore* store_;
};

// The logon object; after the SDK sample's Logon it holds the subscriptions.
class Logon final : public Counted<MsLogonBase> {
 public:
  ~Logon() override { state.unsubscribe(); }
  SampleLogonState state;
};

// Before the store, what LOGOFFCHECK_WINDOWS_LOGON asks of the support object.
HRESULT log_on(LPMAPISUP support, Logon& logon) {
  switch (LOGOFFCHECK_WINDOWS_LOGON) {
    case 1:
    case 2:
      return windows_providers::sample_logon(support, logon.state, LOGOFFCHECK_WINDOWS_LOGON == 2);
    case 3: {
      LPALLOCATEBUFFER allocate = nullptr;
      LPALLOCATEMORE allocate_more = nullptr;
      LPFREEBUFFER free_buffer = nullptr;
      support->GetMemAllocRoutines(&allocate, &allocate_more, &free_buffer);
      LPADRBOOK book = nullptr;
      if (SUCCEEDED(support->OpenAddressBook(nullptr, 0, &book))) {
        reinterpret_cast<LPUNKNOWN>(book)->Release();
      }
      return S_OK;
    }
    default:
      return S_OK;
  }
}

class Provider final : public Counted<MsProviderBase> {
 public:
  explicit Provider(logoffcheck::OpenStoreFunction open) : open_(open) {}

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
    auto* logon = new windows_store::Logon;
    const HRESULT logged_on = log_on(lpMAPISup, *logon);
    if (FAILED(logged_on)) {
      logon->Release();
      return logged_on;
    }
    auto* store = new ComStore(lpMAPISup, open_);
    if (!store->opened()) {
      delete store;
      logon->Release();
      return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    *lppMSLogon = logon;
    *lppMDB = store;
    return S_OK;
  }

 private:
  logoffcheck::OpenStoreFunction open_;
};

}  // namespace windows_store

extern "C" __declspec(dllexport) HRESULT
    __cdecl MSProviderInit(HINSTANCE, LPMALLOC, LPALLOCATEBUFFER lpAllocateBuffer, LPALLOCATEMORE,
                           LPFREEBUFFER lpFreeBuffer, ULONG, ULONG ulMAPIVer,
                           ULONG* lpulProviderVer, LPMSPROVIDER* lppMSProvider) {
  if (lpulProviderVer == nullptr || lppMSProvider == nullptr) return MAPI_E_INVALID_PARAMETER;
  if (ulMAPIVer < CURRENT_SPI_VERSION) return MAPI_E_VERSION;
  const logoffcheck::BuiltinProvider* twin =
      logoffcheck::find_builtin_provider(LOGOFFCHECK_WINDOWS_TWIN);
  if (twin == nullptr) return MAPI_E_CALL_FAILED;
  windows_providers::provider_allocate = lpAllocateBuffer;
  windows_providers::provider_free = lpFreeBuffer;
  *lpulProviderVer = CURRENT_SPI_VERSION;
  *lppMSProvider = new windows_store::Provider(twin->open_store);
  return S_OK;
}
