// logoffcheck/html.h — the certification report as one self-contained HTML
// page for people (docs/report.md, "HTML report"): the verdict, who was
// certified (path, SHA-256, ABI version), how to reproduce it, every clause,
// the model coverage, and the counterexample drawn as a sequence diagram in
// inline SVG. The page loads nothing: no script, no font, no image, no style
// sheet from anywhere, so it can be archived and opened offline.
#pragma once

#include <string>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/document.h"

namespace logoffcheck {

struct HtmlContext {
  // What produced the report: "certify", "explore", "merge".
  std::string command_name = "certify";
  // The command line that reproduces the run, as a shell reads it.
  std::string reproduce;
  // The counterexample's executed steps with what was observed, when the run
  // has them (certify, explore). Without them (merge) the diagram shows what
  // the model expected, and what was observed only at the breaking step.
  std::vector<StepRecord> records;
  // Extra lines for the run table, e.g. {"Profile detection", "follows deferred"}.
  std::vector<std::pair<std::string, std::string>> notes;
};

// The page for `report`. A provider that is a library path (not
// "builtin:NAME") is identified by the SHA-256 of the file as it is now.
std::string write_html_report(const Report& report, const HtmlContext& context);

}  // namespace logoffcheck
