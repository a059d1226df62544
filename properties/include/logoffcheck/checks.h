// logoffcheck/checks.h — the checks: one per clause, each judging what was
// observed during one step against what the model expected.
//
// A check is a plain function of (model state before, step, observation).
// The model's expectation for the step is part of the context, computed once
// by the caller, so that twenty checks do not step the model twenty
// times. Checks allocate only when they report a violation.
#pragma once

#include <array>
#include <span>
#include <string>

#include "logoffcheck/clauses.h"
#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"

namespace logoffcheck {

struct StepContext {
  const State& before;
  const Step& step;
  const Expectation& expected;  // step(before, step).expected
  const Observation& observed;
};

enum class Verdict : std::uint8_t {
  not_applicable,  // the clause says nothing about this step
  pass,
  fail,
};

// A clause that did not hold, with what was expected and what was observed,
// each as a short phrase for people ("StoreLogoffTransports(LOGOFF_ORDERLY)").
struct Violation {
  ClauseId clause = ClauseId::RC_3;
  std::string expected;
  std::string observed;

  friend bool operator==(const Violation&, const Violation&) = default;
};

struct CheckResult {
  Verdict verdict = Verdict::not_applicable;
  Violation violation;  // meaningful only when verdict == fail
};

// Judges one clause. Spooler clauses (SP-) judge every transport call the
// step observed; provider clauses judge the store's part.
CheckResult check(ClauseId id, const StepContext& context);

// The same, computing the expectation from the model.
CheckResult check(ClauseId id, const State& before, const Step& step,
                  const Observation& observed);

// The order in which clauses are reported when several fail on one step: the
// most basic failure first (a crash makes every other observation moot; a
// malformed flag explains a wrong one).
extern const std::array<ClauseId, kClauseCount> kReportingOrder;

// The verdict of every clause on one step, by ClauseId.
using StepVerdicts = std::array<Verdict, kClauseCount>;

// Runs every check that applies to `profile`, fills `verdicts`, and returns
// the first violation in kReportingOrder that ends a case: a MUST clause, or
// any clause when `strict`. Returns a result with verdict pass when none does.
CheckResult check_step(const StepContext& context, bool strict, StepVerdicts& verdicts);

// True when a failure of this clause ends a case (MUST, or any under strict).
inline bool ends_case(ClauseId id, bool strict) noexcept {
  return strict || clause(id).level == Level::must;
}

}  // namespace logoffcheck
