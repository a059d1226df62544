// Private to harness/run: the processes the isolating runner forks — the
// fork server and the workers it keeps ready (docs/isolation.md). No
// provider code ever runs in the server; it runs only in workers.
#pragma once

#include <sys/types.h>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "shared_case.h"

namespace logoffcheck::isolation {

// The body of the fork server, forked by the verifier `verifier`: keeps
// workers forked, each waiting on `channel` for a Command and playing the
// case in `shared` against a fresh store of `provider`, and reports on
// `channel` how each worker ended. Exits once the verifier closes its end of
// the channel, after ending every process it or its workers started.
[[noreturn]] void serve(int channel, pid_t verifier, const Provider& provider,
                        const CaseOptions& options, const SharedCase& shared,
                        const WorkerSettings& settings);

}  // namespace logoffcheck::isolation
