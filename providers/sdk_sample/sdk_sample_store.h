// The SDK sample store: a re-implementation, from the description in issue 19
// and docs/provider-guide.md, of how Microsoft's MAPI SDK Sample Message Store
// (MSPMS.C, MSPLOGON.C, 1992-95) logs off. No code of the sample is copied.
//
// What it does, and what the verifier makes of it (docs/contract.md, D3, D4):
// - the saved flag is LOGOFF_ABORT from the store's creation;
// - StoreLogoff checks only the pointer (NULL: MAPI_E_INVALID_PARAMETER),
//   saves *lpulFlags as given, without checking that it is one input flag,
//   and writes LOGOFF_COMPLETE back: accepting invalid input is SL-3, a
//   SHOULD (a warning; fails under --strict), and LOGOFF_COMPLETE on output
//   is allowed by SL-4;
// - the reference count is a plain integer under the store's lock;
// - the teardown calls StoreLogoffTransports with the saved flag, ignores
//   its result, and releases the support object last.
// Conformant under the deferred profile's MUST clauses.
#pragma once

#include "logoffcheck/provider.h"

namespace logoffcheck::providers {

IMsgStore* open_sdk_sample_store(IMAPISupport* support);

}  // namespace logoffcheck::providers
