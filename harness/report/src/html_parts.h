// Pieces of the HTML page (html.cpp) kept in files of their own. Internal to
// harness/report.
#pragma once

#include <string>

#include "logoffcheck/document.h"

namespace logoffcheck {

// The sequence diagram of a concurrent counterexample (html_history.cpp):
// one lane for the client, one per thread and one for the store; a row per
// call of the failing play in the order the calls began, the call as a solid
// arrow to the store and what it gave back as a dashed one; the call no
// order explains framed and labelled with the violation. Requires
// document.concurrent(). Uses the page's style classes (lane, call, return,
// breaking, breaking-label).
std::string write_history_diagram(const CounterexampleDocument& document);

}  // namespace logoffcheck
