// Room harness/adapter (docs/architecture.md): the provider ABI (provider.h),
// the loader that turns "a provider" into a way to open stores (adapter.h),
// and the errors every room raises (errors.h). Nothing here plays a case.
//
// logoffcheck/adapter.h — the provider adapter: the only way the verifier
// reaches a store provider.
//
// A Provider is a named way to open stores. It comes either from a function
// linked into the binary (the bundled providers, a provider author's own test
// binary) or from a provider shared library loaded by path.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "logoffcheck/errors.h"
#include "logoffcheck/provider.h"

namespace logoffcheck {

class Provider {
 public:
  // A provider linked into this binary.
  Provider(std::string name, OpenStoreFunction open_store);

  // Loads a provider shared library by path: dlopen, then checks the ABI
  // version and looks up logoffcheck_open_store. Throws ConfigurationError
  // naming the problem: no such file, not a loadable shared library, a
  // missing symbol, or an ABI version other than kProviderAbiVersion.
  static Provider load_library(const std::string& path);

  // The name reports use: "builtin:reference" or the library path.
  const std::string& name() const noexcept { return name_; }

  // Opens a new store on `support`; nullptr when the provider declined.
  IMsgStore* open_store(IMAPISupport& support) const { return open_store_(&support); }

  OpenStoreFunction open_store_function() const noexcept { return open_store_; }

 private:
  std::string name_;
  OpenStoreFunction open_store_;
  std::shared_ptr<void> library_;  // keeps a loaded library mapped
};

}  // namespace logoffcheck
