// logoffcheck/provider.h — the provider ABI: what a message-store provider
// implements to be certified by logoffcheck. (docs/provider-guide.md walks
// through writing, building and certifying one.)
//
// A provider is a shared library exporting two C functions:
//
//   extern "C" std::uint32_t logoffcheck_provider_abi_version(void);
//       returns kProviderAbiVersion of the header it was built against.
//   extern "C" logoffcheck::IMsgStore* logoffcheck_open_store(logoffcheck::IMAPISupport* support);
//       returns a new store with reference count 1, or nullptr on failure.
//
// LOGOFFCHECK_EXPORT_PROVIDER(open_function) defines both for you.
//
// The store is released the COM way: the verifier calls Release until the
// count reaches zero and never touches the store afterwards. `support` is
// valid during logoffcheck_open_store; a store that uses it later must AddRef
// it there (or before any later use) and Release it by the end of its final
// Release (clause RC-2).
//
// Method order is part of the ABI; so are the flag and HRESULT values in
// <logoffcheck/mapi.h>. Change either and kProviderAbiVersion changes.
#pragma once

#include <cstdint>

#include "logoffcheck/mapi.h"

namespace logoffcheck {

// What a store uses of MAPI's support object. The verifier supplies a
// simulated one whose StoreLogoffTransports plays the MAPI spooler (SP-1..SP-7).
struct IMAPISupport {
  virtual ULONG AddRef() = 0;
  virtual ULONG Release() = 0;
  virtual HRESULT StoreLogoffTransports(ULONG* lpulFlags) = 0;

 protected:
  ~IMAPISupport() = default;
};

// The part of the message store under test.
struct IMsgStore {
  virtual ULONG AddRef() = 0;
  virtual ULONG Release() = 0;
  virtual HRESULT StoreLogoff(ULONG* lpulFlags) = 0;

 protected:
  ~IMsgStore() = default;
};

inline constexpr std::uint32_t kProviderAbiVersion = 1;

// The signatures of the two exported functions.
using ProviderAbiVersionFunction = std::uint32_t (*)();
using OpenStoreFunction = IMsgStore* (*)(IMAPISupport* support);

inline constexpr const char* kAbiVersionSymbol = "logoffcheck_provider_abi_version";
inline constexpr const char* kOpenStoreSymbol = "logoffcheck_open_store";

}  // namespace logoffcheck

#if defined(_WIN32)
#define LOGOFFCHECK_PROVIDER_API extern "C" __declspec(dllexport)
#else
#define LOGOFFCHECK_PROVIDER_API extern "C" __attribute__((visibility("default")))
#endif

// Defines the two exported functions of a provider library, given a function
// `logoffcheck::IMsgStore* open_function(logoffcheck::IMAPISupport*)`.
#define LOGOFFCHECK_EXPORT_PROVIDER(open_function)                                \
  LOGOFFCHECK_PROVIDER_API std::uint32_t logoffcheck_provider_abi_version(void) { \
    return ::logoffcheck::kProviderAbiVersion;                                    \
  }                                                                               \
  LOGOFFCHECK_PROVIDER_API ::logoffcheck::IMsgStore* logoffcheck_open_store(      \
      ::logoffcheck::IMAPISupport* support) {                                     \
    return open_function(support);                                                \
  }
