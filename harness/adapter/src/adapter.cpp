#include "logoffcheck/adapter.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <utility>

#include "logoffcheck/windows_agent.h"

namespace logoffcheck {

Provider::Provider(std::string name, OpenStoreFunction open_store)
    : name_(std::move(name)), open_store_(open_store) {
  if (open_store_ == nullptr) {
    throw ConfigurationError("provider '" + name_ + "' has no open-store function");
  }
}

Provider Provider::load_library(const std::string& path) {
  // A Windows DLL is certified under Wine (docs/windows-providers.md).
  if (is_windows_provider_path(path)) return windows_dll(path);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw ConfigurationError("cannot load provider '" + path + "': no such file");
  }
  if (!S_ISREG(info.st_mode)) {
    throw ConfigurationError("cannot load provider '" + path + "': not a regular file");
  }
  // dlopen needs a slash to load by path rather than search the library path.
  const std::string load_path = path.find('/') == std::string::npos ? "./" + path : path;
  ::dlerror();
  void* handle = ::dlopen(load_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    throw ConfigurationError("cannot load provider '" + path +
                             "': not a loadable shared library (" +
                             (why != nullptr ? why : "dlopen failed") + ")");
  }
  std::shared_ptr<void> library(handle, [](void* h) { ::dlclose(h); });

  const auto symbol = [&](const char* name) {
    ::dlerror();
    void* address = ::dlsym(handle, name);
    if (address == nullptr) {
      throw ConfigurationError("cannot load provider '" + path + "': it does not export " + name +
                               " (is it built with LOGOFFCHECK_EXPORT_PROVIDER?)");
    }
    return address;
  };
  auto abi_version = reinterpret_cast<ProviderAbiVersionFunction>(symbol(kAbiVersionSymbol));
  auto open_store = reinterpret_cast<OpenStoreFunction>(symbol(kOpenStoreSymbol));
  const std::uint32_t version = abi_version();
  if (version != kProviderAbiVersion) {
    throw ConfigurationError("cannot load provider '" + path + "': it was built for provider ABI " +
                             std::to_string(version) + ", this logoffcheck speaks ABI " +
                             std::to_string(kProviderAbiVersion) +
                             "; rebuild it against this "
                             "logoffcheck's <logoffcheck/provider.h>");
  }
  Provider provider(path, open_store);
  provider.kind_ = ProviderKind::shared_library;
  provider.library_ = std::move(library);
  return provider;
}

}  // namespace logoffcheck
