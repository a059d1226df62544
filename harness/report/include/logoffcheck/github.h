// logoffcheck/github.h — a report where GitHub Actions shows results
// (docs/ci.md): `::error` workflow commands, which become annotations, and
// the Markdown of the job's summary page ($GITHUB_STEP_SUMMARY). Pure
// functions of the report; the CLI decides when to write them
// (GITHUB_ACTIONS=true) and where.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logoffcheck/document.h"
#include "logoffcheck/sarif.h"

namespace logoffcheck {

// One `::error title=<clause>::<message>` line per failing clause, the
// message the clause, its statement and the violation's expected and
// observed (GitHub shows at most 10 annotations per step; a run has at most
// one per clause). With a location, the annotation points at it
// (`file=`, `line=`). Empty for a report that passed.
std::string github_annotations(const Report& report,
                               const std::optional<ResultLocation>& location = std::nullopt);

// The job summary in Markdown: the verdict, the clause table, the
// counterexample as a table (steps, or calls by thread for --threads) and
// `reproduce`, the command line that finds it again. Ends in "\n".
std::string github_step_summary(const Report& report, std::string_view reproduce);

}  // namespace logoffcheck
