// The deferred reference store as a provider shared library: what
// `logoffcheck certify --provider path/to/liblogoffcheck_reference.so` loads.
#include "reference_store.h"

LOGOFFCHECK_EXPORT_PROVIDER(logoffcheck::providers::open_reference_store)
