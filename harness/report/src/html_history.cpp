// The sequence diagram of a concurrent counterexample on the HTML page
// (html_parts.h): one lane per thread.
#include <algorithm>
#include <sstream>

#include "html_parts.h"
#include "markup.h"

namespace logoffcheck {

namespace {

constexpr int kWidth = 1000, kLeft = 90, kStoreX = 900, kRow = 26;

// "Release -> returned 0, StoreLogoffTransports(...)": the call before the
// arrow, what came back after it; a call that did not return says how it ended.
std::pair<std::string, std::string> call_and_answer(const ConcurrentCallRecord& call) {
  const std::size_t arrow = call.observed.find(" -> ");
  std::string answer = arrow == std::string::npos ? std::string(outcome_name(call.outcome))
                                                  : call.observed.substr(arrow + 4);
  if (!call.responded) answer += " (never returned)";
  return {describe_step(call.step), answer};
}

}  // namespace

std::string write_history_diagram(const CounterexampleDocument& document) {
  const ConcurrentPart& part = *document.concurrent();
  const std::size_t threads = part.scenario.threads.size();
  // Lanes: the client, thread 1..T, then the store at the right.
  const int spacing = static_cast<int>((kStoreX - kLeft) / (threads + 1));
  const auto lane_x = [&](const ConcurrentCallRecord& call) {
    return kLeft + (call.thread ? static_cast<int>(*call.thread + 1) * spacing : 0);
  };
  std::ostringstream body;
  int y = 70;
  // Labels start at the thread's lane, so that they never sit on the lane
  // of another thread that the arrow crosses.
  const auto arrow = [&](int from, int to, std::string_view css, const std::string& label) {
    body << "<text x=\"" << std::min(from, to) + 8 << "\" y=\"" << y - 5 << "\">"
         << markup_escape(label) << "</text>\n<line class=\""
         << css << "\" x1=\"" << from << "\" y1=\"" << y << "\" x2=\"" << to << "\" y2=\"" << y
         << "\"/>\n";
    y += kRow;
  };
  for (std::size_t i = 0; i < part.history.size(); ++i) {
    const ConcurrentCallRecord& call = part.history[i];
    const bool breaking = i == part.violation_call;
    const int top = y - 18;
    const int x = lane_x(call);
    const auto [called, answer] = call_and_answer(call);
    std::ostringstream row;
    std::swap(row, body);
    body << "<text x=\"8\" y=\"" << y - 5 << "\">" << i + 1 << "</text>\n";
    arrow(x, kStoreX, "call", called);
    arrow(kStoreX, x, "return", answer);
    const std::string drawn = body.str();
    std::swap(row, body);
    const std::string when =
        "invoked at tick " + std::to_string(call.invoked) +
        (call.responded ? ", returned at tick " + std::to_string(*call.responded) : "");
    if (breaking) {
      const int bottom = y + 2 * kRow;
      body << "<g id=\"breaking-call\"><title>Call " << i + 1 << " (" << markup_escape(when)
           << ") breaks " << clause_code(document.violation.clause) << "; "
           << clause_code(part.cause) << " fails for it</title>\n<rect class=\"breaking\" x=\"2\" "
           << "y=\"" << top << "\" width=\"" << kWidth - 4 << "\" height=\"" << bottom - top
           << "\" rx=\"6\"/>\n"
           << drawn << "<text class=\"breaking-label\" x=\"12\" y=\"" << y << "\">"
           << markup_escape(std::string("✗ ") + std::string(clause_code(document.violation.clause)) +
                            " expected: " + document.violation.expected)
           << "</text>\n<text class=\"breaking-label\" x=\"12\" y=\"" << y + kRow - 4 << "\">"
           << markup_escape("  observed: " + document.violation.observed) << "</text>\n</g>\n";
      y = bottom + 10;
    } else {
      body << "<g><title>Call " << i + 1 << ": " << markup_escape(when) << "</title>\n"
           << drawn << "</g>\n";
    }
  }
  const int height = y + 10;
  std::ostringstream out;
  out << "<figure>\n<svg id=\"sequence-diagram\" class=\"threads\" role=\"img\" "
         "aria-labelledby=\"diagram-title diagram-desc\" viewBox=\"0 0 "
      << kWidth << " " << height << "\" width=\"100%\">\n<title id=\"diagram-title\">Sequence "
      << "diagram of the concurrent counterexample</title>\n<desc id=\"diagram-desc\">One lane "
         "for the client, one for each of the "
      << threads << " threads and one for the store; the calls of the failing play in the order "
      << "they began; call " << part.violation_call + 1 << " breaks "
      << clause_code(document.violation.clause)
      << ".</desc>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 "
         "L10,5 L0,10 z\" fill=\"#1a1a1a\"/></marker></defs>\n";
  std::vector<std::pair<int, std::string>> lanes = {{kLeft, "Client"}};
  for (std::size_t t = 0; t < threads; ++t) {
    lanes.emplace_back(kLeft + static_cast<int>(t + 1) * spacing, "Thread " + std::to_string(t + 1));
  }
  lanes.emplace_back(kStoreX, "Store");
  for (const auto& [x, name] : lanes) {
    out << "<text x=\"" << x << "\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\" "
        << "class=\"lane-name\">" << name << "</text>\n<line class=\"lane\" x1=\"" << x
        << "\" y1=\"34\" x2=\"" << x << "\" y2=\"" << height - 5 << "\"/>\n";
  }
  out << body.str()
      << "</svg>\n<figcaption>Solid arrows are calls, dashed arrows what each call gave back "
         "(its transport calls included); rows follow the order in which the calls began, so "
         "calls of different threads overlap in time. Hover a call for its clock ticks. The "
         "failing play is one of "
      << part.repeat << " plays of the shrunk case, " << part.failed_runs
      << " of which failed.</figcaption>\n</figure>\n";
  return out.str();
}

}  // namespace logoffcheck
