// Private to harness/run: the sandbox the fork server's workers play cases
// in (docs/isolation.md#the-sandbox): the adapter's (logoffcheck/sandbox.h),
// and a PID namespace in which the verifier and the fork server do not exist.
#pragma once

#include <sys/types.h>

#include "logoffcheck/sandbox.h"

namespace logoffcheck::isolation {

// In the fork server, just forked and not yet serving: puts it and every
// process it forks from now on into the sandbox, in which `scratch` alone is
// writable (and is TMPDIR), and forks the PID namespace's first process,
// which only reaps. The server itself stays outside the PID namespace: its
// workers cannot name it, nor the verifier. /proc becomes the PID
// namespace's: the server's own /proc/self names nothing. Returns the
// keeper's pid, or -1 with `failed` and errno set.
pid_t enter_sandbox(const char* scratch, SandboxStep& failed) noexcept;

}  // namespace logoffcheck::isolation
