// logoffcheck/case_result.h — what playing one case gives: the executed
// steps, their records, the violation that ended the case, the clause tally,
// the coverage, and the store's captured output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "logoffcheck/checks.h"
#include "logoffcheck/coverage.h"
#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"
#include "logoffcheck/step.h"
#include "logoffcheck/tally.h"

namespace logoffcheck {

// One executed step with what the model expected and what was observed.
struct StepRecord {
  Step step;
  Expectation expected;
  Observation observed;
};

// The most of a store's output a CaseResult keeps: its end.
inline constexpr std::size_t kProviderOutputTail = 4096;

struct CaseResult {
  // Every executed step in order (steps a caller rule skipped are not listed),
  // including the Releases the case appended to end the store's life.
  std::vector<Step> executed;
  // With recording on: one record per executed step.
  std::vector<StepRecord> records;
  // The violation that ended the case, if any, and the 0-based index in
  // `executed` of the step where it was observed.
  std::optional<Violation> violation;
  std::size_t violation_step = 0;
  // The record of that step, recorded or not: what a failure that does not
  // recur is shown with (engine.h).
  std::optional<StepRecord> violation_record;
  ClauseTally tally;
  // The model transitions the executed steps took (coverage.h), marked as
  // they are played, so that coverage costs no second walk of the model.
  TransitionSet coverage;
  // With isolation and captured output (docs/isolation.md): the end of what
  // the store wrote to stdout and stderr during the case, at most
  // kProviderOutputTail bytes, unprintable bytes shown as '?'; and how many
  // bytes it wrote in all. Empty and 0 otherwise.
  std::string provider_output;
  std::uint64_t provider_output_bytes = 0;

  bool failed() const noexcept { return violation.has_value(); }
};

}  // namespace logoffcheck
