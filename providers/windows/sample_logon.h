// The Logon of Microsoft's SDK Sample Message Store (MSP_Logon), as its
// calls on the support object go (docs/mapi-environment.md): the sample's
// order and fatal checks, written against mingw-w64's headers, for the
// Windows store DLLs built with LOGOFFCHECK_WINDOWS_LOGON=1 (or 2). Its
// store is the bundled provider LOGOFFCHECK_WINDOWS_TWIN names.
//
//   1. OpenProfileSection(NULL, MAPI_MODIFY) on the provider's section: fatal.
//   2. GetProps of its configuration: the display name, the store's path and
//      record key (0x6600 string8, 0x6601 binary); a new store when no path.
//   3. A new store: NewUID for its record key (fatal), SetProps of path and
//      key, SaveChanges and ModifyProfile(0) (failures ignored).
//   4. SetProviderUID of the record key: fatal.
//   5. Two Subscribe(fnevExtended) on the record key, each with its own
//      advise sink: fatal. The logon object unsubscribes when it is released.
//   6. The store's entry identifier allocated through MSProviderInit's
//      MAPIAllocateBuffer and freed through its MAPIFreeBuffer.
// Then `needs` extra support methods a test asks for (needs_address_book:
// OpenAddressBook, fatal, which logoffcheck does not offer).
#pragma once

#include <mapicode.h>
#include <mapidefs.h>
#include <mapispi.h>
#include <windows.h>

#include <cstring>

#include "counted.h"

namespace windows_providers {

// MSProviderInit's memory routines (set there).
inline LPALLOCATEBUFFER provider_allocate = nullptr;
inline LPFREEBUFFER provider_free = nullptr;

constexpr ULONG kStorePathTag = PROP_TAG(PT_STRING8, 0x6600);
constexpr ULONG kStoreKeyTag = PROP_TAG(PT_BINARY, 0x6601);

// An advise sink that only counts what it is told.
class SampleSink final : public Counted<IMAPIAdviseSink> {
 public:
  STDMETHODIMP_(ULONG) OnNotify(ULONG count, LPNOTIFICATION) override {
    notified_ += count;
    return 0;
  }

 private:
  ULONG notified_ = 0;
};

// What the logon keeps: its subscriptions, given back when it is released.
struct SampleLogonState {
  LPMAPISUP support = nullptr;
  ULONG connections[2] = {0, 0};

  void unsubscribe() {
    for (ULONG& connection : connections) {
      if (connection != 0 && support != nullptr) support->Unsubscribe(connection);
      connection = 0;
    }
  }
};

inline HRESULT sample_logon(LPMAPISUP support, SampleLogonState& state, bool needs_address_book) {
  LPPROFSECT section = nullptr;
  HRESULT hr = support->OpenProfileSection(nullptr, MAPI_MODIFY, &section);
  if (FAILED(hr)) return hr;
  SizedSPropTagArray(3, wanted) = {3, {PR_DISPLAY_NAME_A, kStorePathTag, kStoreKeyTag}};
  ULONG count = 0;
  LPSPropValue values = nullptr;
  hr = section->GetProps(reinterpret_cast<LPSPropTagArray>(&wanted), 0, &count, &values);
  if (FAILED(hr)) {
    section->Release();
    return hr;
  }
  MAPIUID key{};
  const bool existing = count == 3 && values[1].ulPropTag == kStorePathTag &&
                        values[2].ulPropTag == kStoreKeyTag &&
                        values[2].Value.bin.cb == sizeof key.ab;
  if (existing) std::memcpy(key.ab, values[2].Value.bin.lpb, sizeof key.ab);
  provider_free(values);
  if (!existing) {
    hr = support->NewUID(&key);
    if (FAILED(hr)) {
      section->Release();
      return hr;
    }
    SPropValue config[2];
    config[0].ulPropTag = kStorePathTag;
    char path[] = "C:\\logoffcheck\\sample.sms";
    config[0].Value.lpszA = path;
    config[1].ulPropTag = kStoreKeyTag;
    config[1].Value.bin.cb = sizeof key.ab;
    config[1].Value.bin.lpb = key.ab;
    section->SetProps(2, config, nullptr);
    section->SaveChanges(0);    // failure ignored, as the sample does
    support->ModifyProfile(0);  // likewise
  }
  section->Release();
  hr = support->SetProviderUID(&key, 0);
  if (FAILED(hr)) return hr;
  // NOTIFKEY: a count and the key's bytes.
  struct {
    ULONG cb;
    BYTE ab[sizeof key.ab];
  } notify_key;
  notify_key.cb = sizeof key.ab;
  std::memcpy(notify_key.ab, key.ab, sizeof key.ab);
  state.support = support;
  for (ULONG& connection : state.connections) {
    SampleSink* sink = new SampleSink;
    hr = support->Subscribe(reinterpret_cast<LPNOTIFKEY>(&notify_key), fnevExtended, 0, sink,
                            &connection);
    sink->Release();  // MAPI holds it now
    if (FAILED(hr)) {
      state.unsubscribe();
      return hr;
    }
  }
  LPVOID entry = nullptr;
  hr = provider_allocate(sizeof(ENTRYID) + sizeof key.ab, &entry);
  if (FAILED(hr)) return hr;
  provider_free(entry);
  if (needs_address_book) {
    LPADRBOOK book = nullptr;
    hr = support->OpenAddressBook(nullptr, 0, &book);
    if (FAILED(hr)) {
      state.unsubscribe();
      return hr;
    }
    reinterpret_cast<LPUNKNOWN>(book)->Release();
  }
  return S_OK;
}

}  // namespace windows_providers
