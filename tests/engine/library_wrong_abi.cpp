// A provider library built for another provider ABI version: the loader
// must refuse it before calling anything else.
#include <logoffcheck/provider.h>

LOGOFFCHECK_PROVIDER_API std::uint32_t logoffcheck_provider_abi_version(void) { return 999; }

LOGOFFCHECK_PROVIDER_API logoffcheck::IMsgStore* logoffcheck_open_store(
    logoffcheck::IMAPISupport*) {
  return nullptr;
}
