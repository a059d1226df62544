// Bases for a MAPI message-store provider DLL that implements only what the
// StoreLogoff contract is about. Each class declares every method of its
// interface from mingw-w64's mapidefs.h/mapispi.h, through the headers' own
// method lists, answering MAPI_E_NO_SUPPORT; a store overrides what it
// implements (IUnknown always, IMsgStore::StoreLogoff here). The vtables are
// therefore exactly the SDK's: an MSVC-built store with the same interfaces
// is called the same way.
#pragma once

#include <windows.h>

#include <mapidefs.h>
#include <mapispi.h>

#define LOGOFFCHECK_NO_SUPPORT \
  override { return MAPI_E_NO_SUPPORT; }

namespace windows_providers {

// IMsgStore, and the IMAPIProp it derives from.
class MsgStoreBase : public IMsgStore {
 public:
  MAPI_IMAPIPROP_METHODS(LOGOFFCHECK_NO_SUPPORT)
  MAPI_IMSGSTORE_METHODS(LOGOFFCHECK_NO_SUPPORT)
  virtual ~MsgStoreBase() = default;
};

class MsLogonBase : public IMSLogon {
 public:
  MAPI_IMSLOGON_METHODS(LOGOFFCHECK_NO_SUPPORT)
  virtual ~MsLogonBase() = default;
};

class MsProviderBase : public IMSProvider {
 public:
  MAPI_IMSPROVIDER_METHODS(LOGOFFCHECK_NO_SUPPORT)
  virtual ~MsProviderBase() = default;
};

}  // namespace windows_providers

#undef LOGOFFCHECK_NO_SUPPORT
