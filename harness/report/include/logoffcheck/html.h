// logoffcheck/html.h — the certification report as one self-contained HTML
// page for people (docs/report.md, "HTML report"): the verdict, who was
// certified (path, SHA-256, ABI version), how to reproduce it, every clause,
// the model coverage, and the counterexample (of either kind) drawn as a
// sequence diagram in inline SVG. The page loads nothing: no script, no font, no image, no style
// sheet from anywhere, so it can be archived and opened offline.
#pragma once

#include <string>

#include "logoffcheck/document.h"

namespace logoffcheck {

// The page for `report`, from the report alone: what produced it, how to
// reproduce it and any extra lines of its run table come from report.run
// (RunContext), as do the observed steps of a sequential counterexample.
// Without them (a report read back, `merge`) the diagram shows what the model
// expected, and what was observed only at the breaking step. A concurrent
// counterexample is drawn with one lane per thread beside the client's and
// the store's, a row per call in the order the calls began. A provider that
// is a library path (not "builtin:NAME") is identified by the SHA-256 of the
// file as it is now.
std::string write_html_report(const Report& report);

}  // namespace logoffcheck
