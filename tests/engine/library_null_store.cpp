// A provider library that loads but opens no store: running it must end in
// a ConfigurationError, not a crash.
#include <logoffcheck/provider.h>

namespace {

logoffcheck::IMsgStore* open_no_store(logoffcheck::IMAPISupport*) { return nullptr; }

}  // namespace

LOGOFFCHECK_EXPORT_PROVIDER(open_no_store)
