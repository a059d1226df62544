// logoffcheck/checks.h — the checks: one per clause, each judging what was
// observed during one step against what the model expected.
//
// A check is a plain function of (model state before, step, observation).
// The model's expectation for the step is part of the context, computed once
// by the caller, so that twenty checks do not step the model twenty
// times. Judging builds no text: the words of a violation are built only for
// the clause that is reported (check, check_step), never on the pass path.
#pragma once

#include <array>
#include <optional>
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

// The verdict of one clause, without words: allocates nothing, throws
// nothing. The same verdict as check(id, context).verdict.
Verdict judge(ClauseId id, const StepContext& context) noexcept;

// Judges one clause, and describes the violation when it fails. Spooler clauses (SP-) judge every
// transport call the step observed; provider clauses judge the store's part.
CheckResult check(ClauseId id, const StepContext& context);

// The same, computing the expectation from the model.
CheckResult check(ClauseId id, const State& before, const Step& step, const Observation& observed);

// The order in which clauses are reported when several fail on one step: the
// most basic failure first (a crash makes every other observation moot; a
// malformed flag explains a wrong one).
extern const std::array<ClauseId, kClauseCount> kReportingOrder;

// The verdict of every clause on one step, by ClauseId.
using StepVerdicts = std::array<Verdict, kClauseCount>;

// Runs every check that applies to the profile of `context.before`, fills
// `verdicts` (not_applicable for the clauses of the other profile), and
// returns the first failing clause in kReportingOrder that ends a case: a
// MUST clause, or any clause when `strict`; nullopt when none does. Builds no
// text: it is the per-step path of every runner.
std::optional<ClauseId> judge_step(const StepContext& context, bool strict,
                                   StepVerdicts& verdicts) noexcept;

// judge_step, with the violation of the clause it returns described (the
// result's verdict is fail); a result with verdict pass when none ends the
// case.
CheckResult check_step(const StepContext& context, bool strict, StepVerdicts& verdicts);

// True when a failure of this clause ends a case (MUST, or any under strict).
inline bool ends_case(ClauseId id, bool strict) noexcept {
  return strict || clause(id).level == Level::must;
}

}  // namespace logoffcheck
