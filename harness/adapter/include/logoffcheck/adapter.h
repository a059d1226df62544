// Room harness/adapter (docs/architecture.md): the provider ABI (provider.h),
// the loader that turns "a provider" into a way to open stores (adapter.h),
// the Windows agent that opens a Windows DLL's stores under Wine
// (windows/, windows_agent.h), and the errors every room raises (errors.h).
// Nothing here plays a case.
//
// logoffcheck/adapter.h — the provider adapter: the only way the verifier
// reaches a store provider.
//
// A Provider is a named way to open stores. It comes either from a function
// linked into the binary (the bundled providers, a provider author's own test
// binary), from a provider shared library loaded by path, or from a Windows
// DLL, whose stores open only in a Windows agent under Wine (windows_agent.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "logoffcheck/errors.h"
#include "logoffcheck/provider.h"

namespace logoffcheck {

// Where a provider's stores come from; a runner is chosen by it (runner.h).
enum class ProviderKind : std::uint8_t {
  linked,          // a function linked into this binary
  shared_library,  // a native provider library, loaded with dlopen
  windows_dll,     // a Windows DLL exporting MSProviderInit, run under Wine
};

class Provider {
 public:
  // A provider linked into this binary.
  Provider(std::string name, OpenStoreFunction open_store);

  // Loads a provider by path. A path ending in ".dll" (any case) is a
  // Windows DLL: see windows_dll. Anything else is a provider shared
  // library: dlopen, then checks the ABI version and looks up
  // logoffcheck_open_store. Throws ConfigurationError naming the problem:
  // no such file, not a loadable shared library, a missing symbol, or an ABI
  // version other than kProviderAbiVersion.
  static Provider load_library(const std::string& path);

  // The Provider for the Windows DLL at `path` (named `path`), checked to be
  // a Windows image but not loaded: it cannot run in this process, so
  // open_store throws ConfigurationError, and its cases run in a Windows
  // agent (make_runner picks one). Throws ConfigurationError when there is
  // no such file or it is not a Windows image (no MZ header). Defined in
  // windows/src/dll_provider.cpp.
  static Provider windows_dll(const std::string& path);

  // The name reports use: "builtin:reference" or the library path.
  const std::string& name() const noexcept { return name_; }

  ProviderKind kind() const noexcept { return kind_; }

  // Opens a new store on `support`; nullptr when the provider declined.
  IMsgStore* open_store(IMAPISupport& support) const { return open_store_(&support); }

  OpenStoreFunction open_store_function() const noexcept { return open_store_; }

 private:
  std::string name_;
  OpenStoreFunction open_store_;
  ProviderKind kind_ = ProviderKind::linked;
  std::shared_ptr<void> library_;  // keeps a loaded library mapped
};

}  // namespace logoffcheck
