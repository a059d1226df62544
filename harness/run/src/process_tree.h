// Private to harness/run: keeping the processes and threads of an untrusted
// store within its case (docs/isolation.md).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>

namespace logoffcheck::isolation {

// Dies with its parent (PR_SET_PDEATHSIG), so that no process of a runner
// outlives a verifier that was killed. Returns false when the parent is
// already gone.
bool die_with_parent(pid_t parent) noexcept;

// Makes this process the reaper of every orphan among its descendants
// (PR_SET_CHILD_SUBREAPER), so that a grandchild whose parent died, or one
// that left its session, stays within reach.
void adopt_orphans() noexcept;

// Kills (SIGKILL) and reaps every child of this process except `keep`, and
// the orphans that re-parent to it meanwhile, until only `keep` are left.
// Cheap when there is nothing to end: one waitid().
void end_children_except(std::span<const pid_t> keep = {}) noexcept;

// Threads of this process now (from /proc/self/stat), or 0 if unknown.
std::size_t thread_count() noexcept;

}  // namespace logoffcheck::isolation
