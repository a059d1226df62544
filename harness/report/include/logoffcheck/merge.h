// logoffcheck/merge.h — one verdict from the reports of a run's shards.
#pragma once

#include <vector>

#include "logoffcheck/document.h"

namespace logoffcheck {

// Combines the reports of the shards of one run into the report of the whole
// run (shards with the same seed and shard count partition the cases: case i
// belongs to shard i % count). Requires every shard exactly once, with the
// same provider, profile, strictness, seed, cases, max_steps and stores; throws
// InputError naming the mismatch otherwise.
//
// For a conformant provider the merged case count is the sum. For a failing
// one the merged counterexample is the one with the lowest case index f, and
// the merged case count is f + 1: the cases an unsharded run executes. Steps,
// seconds and clause counts are sums over what the shards executed.
Report merge_reports(const std::vector<Report>& shards);

}  // namespace logoffcheck
