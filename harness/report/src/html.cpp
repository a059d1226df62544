// The HTML certification report (logoffcheck/html.h, docs/report.md): one
// page, its style inline, its diagram inline SVG, nothing loaded.
#include "logoffcheck/html.h"

#include <algorithm>
#include <regex>
#include <sstream>
#include <vector>

#include "html_parts.h"
#include "logoffcheck/provider.h"
#include "logoffcheck/text.h"
#include "markup.h"
#include "sha256.h"

namespace logoffcheck {

namespace {

std::string escape(std::string_view text) { return markup_escape(text); }

// Colours chosen for contrast on white (all above 7:1 except the lane grey,
// 4.6:1, used only for lines) and kept in print.
constexpr std::string_view kStyle = R"(
:root { color: #1a1a1a; background: #ffffff; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #767676; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #767676; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #eeeeee; }
th[scope="row"] { white-space: nowrap; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-size: 1.3rem; font-weight: bold; padding: 0.5rem 0.75rem; border: 3px solid; display: inline-block; }
.verdict.pass, .status-pass { color: #0b5a24; }
.verdict.fail, .status-fail { color: #9b0010; }
.status-warn { color: #6b4300; }
tr.failing { background: #fde8ea; }
code, pre { font-family: ui-monospace, monospace; }
pre { background: #f4f4f4; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
figure { margin: 1rem 0; }
svg text { font-family: ui-monospace, monospace; font-size: 13px; fill: #1a1a1a; }
svg .lane { stroke: #767676; stroke-dasharray: 4 4; }
svg .call { stroke: #1a1a1a; marker-end: url(#arrow); }
svg .return { stroke: #1a1a1a; stroke-dasharray: 6 3; marker-end: url(#arrow); }
svg .transport { stroke: #003f8c; marker-end: url(#arrow-blue); }
svg text.transport { fill: #003f8c; }
svg .breaking { fill: #fde8ea; stroke: #9b0010; stroke-width: 2; }
svg text.breaking-label { fill: #9b0010; font-weight: bold; }
svg .environment { fill: #f1f1f1; stroke: #767676; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  figure, table { break-inside: avoid; }
  tr.failing, .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)";

void run_row(std::ostringstream& out, std::string_view name, const std::string& value) {
  out << "<tr><th scope=\"row\">" << escape(name) << "</th><td>" << escape(value) << "</td></tr>\n";
}

void write_run_table(std::ostringstream& out, const Report& report) {
  out << "<table aria-label=\"Run\">\n";
  run_row(out, "Provider", report.provider);
  if (!report.provider.starts_with(kBuiltinProviderPrefix)) {
    const std::optional<std::string> digest = sha256_file(report.provider);
    run_row(out, "SHA-256 of the library", digest ? *digest : "(the file cannot be read now)");
  } else {
    run_row(out, "SHA-256 of the library", "(bundled provider, linked into logoffcheck)");
  }
  run_row(out, "Provider ABI version", std::to_string(kProviderAbiVersion));
  run_row(out, "logoffcheck version", report.version);
  run_row(out, "Profile", std::string(profile_name(report.profile)));
  run_row(out, "Strictness",
          report.strict ? "strict: SHOULD clauses fail too" : "MUST clauses fail; SHOULD warn");
  run_row(out, "Seed", std::to_string(report.seed));
  run_row(out, "Cases",
          std::to_string(report.cases_run) + " run of " + std::to_string(report.cases_requested) +
              " requested, " + std::to_string(report.steps_run) + " steps");
  run_row(out, "Shards",
          report.shard.count == 1 ? std::string("1 (not sharded)")
          : report.shard.index    ? "shard " + std::to_string(*report.shard.index) + " of " +
                                     std::to_string(report.shard.count)
                               : std::to_string(report.shard.count) + " merged");
  if (report.sandbox)
    run_row(out, "Sandbox",
            *report.sandbox ? "on" : "sandbox: off (the store ran with the user's rights)");
  for (const auto& [name, value] : report.run.notes) run_row(out, name, value);
  out << "</table>\n";
}

void write_clause_table(std::ostringstream& out, const Report& report) {
  out << "<table id=\"clauses\">\n<caption>Every clause of the contract, and how often this run "
         "judged it</caption>\n<thead><tr><th scope=\"col\">ID</th><th scope=\"col\">Level</th>"
         "<th scope=\"col\">Clause</th><th scope=\"col\">Status</th><th scope=\"col\">Judged</th>"
         "<th scope=\"col\">Passed</th><th scope=\"col\">Failed</th></tr></thead>\n<tbody>\n";
  for (const Clause& entry : kClauses) {
    const auto i = static_cast<std::size_t>(entry.id);
    const std::string_view status =
        clause_status_name(clause_status(entry.id, report.tally, report.profile, report.strict));
    const bool failing = report.failed_clause() == entry.id;
    out << "<tr id=\"clause-" << entry.code << "\"" << (failing ? " class=\"failing\"" : "")
        << "><th scope=\"row\">" << entry.code << "</th><td>" << level_name(entry.level)
        << "</td><td>" << escape(entry.statement) << "</td><td class=\"status-" << status << "\">"
        << status << "</td><td class=\"number\">" << report.tally.exercised(entry.id)
        << "</td><td class=\"number\">" << report.tally.passed[i] << "</td><td class=\"number\">"
        << report.tally.failed[i] << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

void write_coverage(std::ostringstream& out, const Report& report) {
  out << "<section aria-labelledby=\"coverage\">\n<h2 id=\"coverage\">Model coverage</h2>\n";
  if (!report.coverage) {
    out << "<p>This report predates coverage measurement.</p>\n</section>\n";
    return;
  }
  const CoverageFigures figures = coverage_figures(report);
  std::ostringstream percent;
  percent << figures.percent;
  out << "<p id=\"coverage-figure\">" << figures.exercised << " of " << figures.reachable
      << " reachable model transitions exercised (" << percent.str() << "%)";
  if (report.coverage->minimum_percent) {
    out << (figures.meets_minimum ? "; the minimum of " : "; <strong>below the minimum of ")
        << *report.coverage->minimum_percent << "%" << (figures.meets_minimum ? "" : "</strong>");
  }
  out << ".</p>\n<p>Spooler rows reached:";
  for (std::size_t row = 0; row < figures.spooler_rows.size(); ++row) {
    out << " SP-" << row + 1 << (figures.spooler_rows[row] ? " yes" : " no")
        << (row + 1 < figures.spooler_rows.size() ? "," : ".");
  }
  out << "</p>\n";
  if (!figures.unexercised.empty()) {
    out << "<h3>Transitions not exercised</h3>\n<ul class=\"unexercised\">\n";
    for (const std::size_t index : figures.unexercised) {
      out << "<li><code>" << escape(describe_transition(index)) << "</code></li>\n";
    }
    out << "</ul>\n";
  }
  out << "</section>\n";
}

// --- The sequence diagram -----------------------------------------------------

constexpr int kClientX = 110, kStoreX = 400, kSpoolerX = 690, kWidth = 1000;
constexpr int kRow = 26;

struct Diagram {
  std::ostringstream body;
  int y = 70;

  void arrow(int from, int to, std::string_view css, const std::string& label) {
    const int text_x = (from + to) / 2;
    body << "<text x=\"" << text_x << "\" y=\"" << y - 5 << "\" text-anchor=\"middle\""
         << (css == "transport" ? " class=\"transport\"" : "") << ">" << escape(label)
         << "</text>\n<line class=\"" << css << "\" x1=\"" << from << "\" y1=\"" << y << "\" x2=\""
         << to << "\" y2=\"" << y << "\"/>\n";
    y += kRow;
  }
};

// "AddRef()", "StoreLogoff(LOGOFF_QUIET)"; "store 1: AddRef()" in a case of
// several stores.
std::string call_label(const Step& step, bool name_store) {
  const std::string store = name_store ? "store " + std::to_string(step.store) + ": " : "";
  if (step.action != Action::StoreLogoff) {
    return store + std::string(action_name(step.action)) + "()";
  }
  return store + describe_step(step);
}

// The transport calls of one step: observed when the run recorded them,
// otherwise the one the model expected.
void draw_transport_calls(Diagram& diagram, const StepRecord& record, bool observed) {
  if (observed) {
    for (std::size_t i = 0; i < recorded_transport_calls(record.observed); ++i) {
      const TransportCall& call = record.observed.transport_calls[i];
      diagram.arrow(
          kStoreX, kSpoolerX, "transport",
          "StoreLogoffTransports(" +
              (call.flags_pointer_null ? std::string("NULL") : describe_flags(call.flags_in)) +
              ")");
      diagram.arrow(kSpoolerX, kStoreX, "return",
                    describe_hresult(call.result) + ", " + describe_flags(call.flags_out));
    }
    return;
  }
  if (!record.expected.transport_call_due) return;
  diagram.arrow(kStoreX, kSpoolerX, "transport",
                "StoreLogoffTransports(" + describe_flags(record.expected.transport_flag) + ")");
  diagram.arrow(kSpoolerX, kStoreX, "return",
                describe_hresult(record.expected.spooler.result) + ", " +
                    describe_flags(record.expected.spooler.flags_out));
}

void write_diagram(std::ostringstream& out, const CounterexampleDocument& found,
                   const std::vector<StepRecord>& records, bool observed) {
  const std::size_t violation_step = found.sequential()->violation_step;
  const bool name_store = stores_used(found.sequential()->steps) > 1;
  Diagram diagram;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const StepRecord& record = records[i];
    const bool breaking = i == violation_step;
    const int top = diagram.y - 18;
    std::ostringstream step_body;
    std::swap(step_body, diagram.body);
    diagram.body << "<text x=\"8\" y=\"" << diagram.y - 5 << "\">" << i + 1 << "</text>\n";
    if (!is_client_call(record.step.action)) {
      diagram.body << "<rect class=\"environment\" x=\"" << kSpoolerX - 130 << "\" y=\""
                   << diagram.y - 18 << "\" width=\"260\" height=\"22\" rx=\"4\"/>\n<text x=\""
                   << kSpoolerX << "\" y=\"" << diagram.y - 3 << "\" text-anchor=\"middle\">"
                   << (name_store ? "store " + std::to_string(record.step.store) + " " : "")
                   << "environment: " << action_name(record.step.action) << "</text>\n";
      diagram.y += kRow;
    } else {
      diagram.arrow(kClientX, kStoreX, "call", call_label(record.step, name_store));
      if (!breaking || observed) draw_transport_calls(diagram, record, observed || breaking);
      diagram.arrow(kStoreX, kClientX, "return",
                    observed ? summarize_observed(record) : summarize_expected(record));
    }
    std::string drawn = diagram.body.str();
    std::swap(step_body, diagram.body);
    if (breaking) {
      const int bottom = diagram.y + 2 * kRow;
      diagram.body << "<g id=\"breaking-step\"><title>Step " << i + 1 << " breaks "
                   << clause_code(found.violation.clause)
                   << "</title>\n<rect class=\"breaking\" x=\"2\" y=\"" << top << "\" width=\""
                   << kWidth - 4 << "\" height=\"" << bottom - top << "\" rx=\"6\"/>\n"
                   << drawn << "<text class=\"breaking-label\" x=\"12\" y=\"" << diagram.y << "\">"
                   << escape(std::string("✗ ") + std::string(clause_code(found.violation.clause)) +
                             " expected: " + found.violation.expected)
                   << "</text>\n<text class=\"breaking-label\" x=\"12\" y=\""
                   << diagram.y + kRow - 4 << "\">"
                   << escape("  observed: " + found.violation.observed) << "</text>\n</g>\n";
      diagram.y = bottom + 10;
    } else {
      diagram.body << drawn;
    }
  }
  const int height = diagram.y + 10;
  out << "<figure>\n<svg id=\"sequence-diagram\" role=\"img\" aria-labelledby=\"diagram-title "
         "diagram-desc\" viewBox=\"0 0 "
      << kWidth << " " << height << "\" width=\"100%\">\n<title id=\"diagram-title\">Sequence "
      << "diagram of the counterexample</title>\n<desc id=\"diagram-desc\">The client's calls on "
         "the store, the store's StoreLogoffTransports calls on the spooler and their returns, "
         "one step after another; step "
      << violation_step + 1 << " breaks " << clause_code(found.violation.clause)
      << ".</desc>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 "
         "L0,10 z\" fill=\"#1a1a1a\"/></marker><marker id=\"arrow-blue\" viewBox=\"0 0 10 10\" "
         "refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
         "orient=\"auto-start-reverse\">"
         "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#003f8c\"/></marker></defs>\n";
  for (const auto& [x, name] : {std::pair{kClientX, "Client"}, std::pair{kStoreX, "Store"},
                                std::pair{kSpoolerX, "Spooler"}}) {
    out << "<text x=\"" << x << "\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\">" << name
        << "</text>\n<line class=\"lane\" x1=\"" << x << "\" y1=\"34\" x2=\"" << x << "\" y2=\""
        << height - 5 << "\"/>\n";
  }
  out << diagram.body.str()
      << "</svg>\n<figcaption>Solid arrows are calls, dashed arrows "
         "returns; blue arrows are the store's StoreLogoffTransports calls. "
      << (observed ? "Returns show what the store answered."
                   : "Returns show what the model expected; the report holds no observations "
                     "but at the breaking step.")
      << "</figcaption>\n</figure>\n";
}

// `html` with every id it defines, and every id an aria-labelledby names,
// ending in `suffix`: a page's later counterexamples must not repeat the
// first one's ids. (The stylesheet's url(#arrow) markers are the first
// diagram's, the same in every diagram.)
std::string suffix_ids(const std::string& html, const std::string& suffix) {
  static const std::regex defined(R"re(( id=")([^"]+)("))re");
  std::string out = std::regex_replace(html, defined, "$1$2" + suffix + "$3");
  static const std::regex labelled(R"re(aria-labelledby="([^"]+)")re");
  std::string named;
  std::size_t copied = 0;
  for (auto match = std::sregex_iterator(out.begin(), out.end(), labelled);
       match != std::sregex_iterator(); ++match) {
    named.append(out, copied, static_cast<std::size_t>(match->position(1)) - copied);
    std::istringstream ids(match->str(1));
    std::string separator;
    for (std::string id; ids >> id; separator = " ") named += separator + id + suffix;
    copied = static_cast<std::size_t>(match->position(1) + match->length(1));
  }
  return named.append(out, copied);
}

void write_one_counterexample(std::ostringstream& out, const Report& report);

// Every counterexample of the report (several under --keep-going), each in
// a section of its own, the first with the ids the page always had.
void write_counterexample(std::ostringstream& out, const Report& report) {
  const std::size_t count = report.counterexample ? 1 + report.more_counterexamples.size() : 0;
  if (count <= 1) {
    out << "<section aria-labelledby=\"counterexample\">\n<h2 id=\"counterexample\">"
           "Counterexample</h2>\n";
    write_one_counterexample(out, report);
    out << "</section>\n";
    return;
  }
  for (std::size_t number = 0; number < count; ++number) {
    const Report view = counterexample_view(report, number);
    std::ostringstream section;
    section << "<section aria-labelledby=\"counterexample\">\n<h2 id=\"counterexample\">"
            << "Counterexample " << number + 1 << " of " << count << ": "
            << clause_code(view.counterexample->violation.clause) << "</h2>\n";
    write_one_counterexample(section, view);
    section << "</section>\n";
    out << (number == 0 ? section.str()
                        : suffix_ids(section.str(), "-" + std::to_string(number + 1)));
  }
}

void write_one_counterexample(std::ostringstream& out, const Report& report) {
  if (!report.counterexample) return;
  const CounterexampleDocument& found = *report.counterexample;
  const Clause& broken = clause(found.violation.clause);
  out << "<p id=\"violation\"><strong>" << broken.code << " (" << level_name(broken.level)
      << ")</strong>: " << escape(broken.statement) << "</p>\n<table aria-label=\"Violation\">\n";
  if (const ConcurrentPart* part = found.concurrent()) {
    run_row(out, "Breaking call",
            std::to_string(part->violation_call + 1) + " of " +
                std::to_string(part->history.size()) + " (" +
                std::string(clause_code(part->cause)) + " fails for it); the shrunk case failed " +
                "in " + std::to_string(part->failed_runs) + " of " + std::to_string(part->repeat) +
                " plays");
  } else {
    run_row(out, "Breaking step",
            std::to_string(found.sequential()->violation_step + 1) + " of " +
                std::to_string(found.sequential()->steps.size()));
  }
  run_row(out, "Expected", found.violation.expected);
  run_row(out, "Observed", found.violation.observed);
  out << "</table>\n";
  if (found.concurrent()) {
    out << write_history_diagram(found);
  } else {
    const bool observed = !report.run.records.empty();
    write_diagram(out, found, observed ? report.run.records : expected_records(found), observed);
  }
}

}  // namespace

std::string write_html_report(const Report& report) {
  const RunContext& context = report.run;
  std::ostringstream out;
  std::string verdict = "CONFORMANT";
  if (!report.conformant()) {
    // --keep-going: every clause a counterexample names, once, in order.
    std::vector<ClauseId> failed = {*report.failed_clause()};
    for (const CounterexampleDocument& other : report.more_counterexamples) {
      const ClauseId id = other.violation.clause;
      if (std::find(failed.begin(), failed.end(), id) == failed.end()) failed.push_back(id);
    }
    verdict = "NOT CONFORMANT: ";
    for (std::size_t i = 0; i < failed.size(); ++i) {
      verdict += (i == 0 ? "" : ", ") + std::string(clause_code(failed[i]));
    }
    verdict += " failed";
  }
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
      << escape("logoffcheck " + context.command_name + ": " + report.provider + " — " + verdict)
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n"
      << "<h1>logoffcheck certification report</h1>\n<p>The MAPI message-store logoff contract "
         "(IMsgStore::StoreLogoff and the release that ends with "
         "IMAPISupport::StoreLogoffTransports), checked by <code>logoffcheck "
      << escape(context.command_name) << "</code>.</p>\n"
      << "<section aria-labelledby=\"verdict\">\n<h2 id=\"verdict\">Verdict</h2>\n<p "
         "class=\"verdict "
      << (report.conformant() ? "pass" : "fail") << "\" id=\"verdict-text\">" << escape(verdict)
      << "</p>\n";
  if (report.coverage && !coverage_figures(report).meets_minimum) {
    out << "<p class=\"status-fail\"><strong>The run covered less than the required minimum of "
           "the model (see Model coverage).</strong></p>\n";
  }
  out << "</section>\n";
  // What broke comes first, then what was run, then the detail.
  write_counterexample(out, report);
  out << "<section aria-labelledby=\"run\">\n<h2 id=\"run\">Run</h2>\n";
  write_run_table(out, report);
  out << "<h3>Reproduce</h3>\n<pre><code>" << escape(context.reproduce) << "</code></pre>\n"
      << "</section>\n<section aria-labelledby=\"clauses-heading\">\n<h2 id=\"clauses-heading\">"
         "Clauses</h2>\n";
  write_clause_table(out, report);
  out << "</section>\n";
  write_coverage(out, report);
  out << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace logoffcheck
