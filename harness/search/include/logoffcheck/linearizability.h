// logoffcheck/linearizability.h — judging a concurrent history against the
// model (clause RC-4).
//
// A history is linearizable when its calls can be put in one order that
// keeps real time (a call that returned before another began comes first)
// and in which the model, stepped call by call, accepts every observation:
// every MUST clause holds at every step (every clause under strict). The
// search is Wing & Gong's, with Lowe's memoisation of (set of calls already
// ordered, model state): the model state is a small comparable value, so
// two orders of the same calls that reach the same state are explored once.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "logoffcheck/checks.h"
#include "logoffcheck/history.h"

namespace logoffcheck {

struct LinearizabilityResult {
  bool linearizable = false;
  // The longest order found, as indices into History::calls: the whole
  // history when linearizable, else the longest prefix of some order in
  // which every call was explained. The prefix of the history comes first.
  std::vector<std::size_t> order;
  // When not linearizable: the call no order could explain next (an index
  // into History::calls), the model state before it, and the violation.
  // The violation names RC-4, with the expectation and observation of the
  // clause that failed (`cause`) for that call after `order`; or, when the
  // history breaks a clause before any calls overlap or a call crashed,
  // threw, exited or hung, that clause itself (RC-3 for a crash).
  std::size_t unexplained = 0;
  State before_unexplained;
  Violation violation;
  ClauseId cause = ClauseId::RC_4;
  // Clause verdicts along `order` (and RC-4's own verdict for the history).
  ClauseTally tally;
  // (set, state) pairs the search visited.
  std::uint64_t states_explored = 0;
};

// Judges `history` under `options` (profile, strict). Requires at most
// kMaxHistoryCalls calls.
LinearizabilityResult check_linearizability(const History& history, const CaseOptions& options);

}  // namespace logoffcheck
