// The Windows twin of builtin:sdk-sample (providers/sdk_sample/): the logoff
// of Microsoft's MAPI SDK Sample Message Store (MSPMS.C, MSPLOGON.C),
// re-implemented from its description in docs/contract.md section 9 (no code
// of the sample is copied). The store logic is all here, in one class, so
// that a realistic Logon (issue 20) can open it without touching it.
//
// - the saved flag is LOGOFF_ABORT from creation;
// - StoreLogoff checks only the pointer, saves *lpulFlags as given and
//   writes LOGOFF_COMPLETE back (SL-3 warns: invalid input is accepted);
// - the count is a plain integer under the store's critical section;
// - the teardown calls StoreLogoffTransports with the saved flag, ignores its
//   result, and releases the support object last.
// Included by windows_store.cpp after the IIDs it uses.
#pragma once

namespace logoffcheck::windows_providers {

class SdkSampleStore final : public MsgStoreBase {
 public:
  explicit SdkSampleStore(LPMAPISUP support) : support_(support) {
    InitializeCriticalSection(&lock_);
    support_->AddRef();
  }

  STDMETHODIMP QueryInterface(REFIID iid, LPVOID* object) override {
    if (object == nullptr) return E_INVALIDARG;
    *object = nullptr;
    if (!IsEqualIID(iid, kIidUnknown) && !IsEqualIID(iid, kIidMsgStore)) return E_NOINTERFACE;
    AddRef();
    *object = static_cast<IMsgStore*>(this);
    return S_OK;
  }

  STDMETHODIMP_(ULONG) AddRef() override {
    EnterCriticalSection(&lock_);
    const ULONG count = ++references_;
    LeaveCriticalSection(&lock_);
    return count;
  }

  STDMETHODIMP_(ULONG) Release() override {
    EnterCriticalSection(&lock_);
    const ULONG count = --references_;
    LeaveCriticalSection(&lock_);
    if (count == 0) tear_down();
    return count;
  }

  // Only the pointer is checked; the flags are saved as given.
  STDMETHODIMP StoreLogoff(ULONG* lpulFlags) override {
    if (lpulFlags == nullptr || IsBadWritePtr(lpulFlags, sizeof *lpulFlags)) {
      return MAPI_E_INVALID_PARAMETER;
    }
    EnterCriticalSection(&lock_);
    saved_flags_ = *lpulFlags;
    LeaveCriticalSection(&lock_);
    *lpulFlags = LOGOFF_COMPLETE;
    return S_OK;
  }

 private:
  ~SdkSampleStore() override { DeleteCriticalSection(&lock_); }

  // The last Release: the transports are handed back with the saved flag,
  // whatever the spooler answers; the support object goes last.
  void tear_down() {
    ULONG flags = saved_flags_;
    (void)support_->StoreLogoffTransports(&flags);
    const LPMAPISUP support = support_;
    delete this;
    support->Release();
  }

  CRITICAL_SECTION lock_;
  ULONG references_ = 1;
  ULONG saved_flags_ = LOGOFF_ABORT;
  LPMAPISUP support_;
};

}  // namespace logoffcheck::windows_providers
