// A shared library that exports neither provider symbol: the loader must
// say which symbol is missing.
#include <logoffcheck/provider.h>

namespace {

[[maybe_unused]] logoffcheck::IMsgStore* open_nothing(logoffcheck::IMAPISupport*) {
  return nullptr;
}

}  // namespace
