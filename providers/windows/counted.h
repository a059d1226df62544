// Reference counting for the Windows providers' own COM objects (the logon,
// the SDK sample's advise sinks): QueryInterface answers no interface,
// AddRef and Release count atomically and the last Release deletes.
#pragma once

#include <windows.h>

namespace windows_providers {

template <typename Base>
class Counted : public Base {
 public:
  virtual ~Counted() = default;
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

}  // namespace windows_providers
