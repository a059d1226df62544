// logoffcheck/sarif.h — a report as SARIF 2.1.0, the format code-scanning
// services read (GitHub code scanning, GitLab, SonarQube; docs/ci.md).
//
// The rules are the clauses of the catalog; a failing clause is a result
// whose message is the violation's expected and observed, whose code flow is
// the minimal counterexample (one thread flow per client thread, the model's
// state at each step, the breaking step marked essential), and whose
// partialFingerprints come from the counterexample alone, so that the same
// bug found again by another run is the same alert. A conformant report has
// no results. The writer is a pure function of the report: it renders what
// the report holds and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logoffcheck/document.h"

namespace logoffcheck {

// Where in the user's repository a result is shown: a file (relative to the
// repository's root, or absolute) and, optionally, a line.
struct ResultLocation {
  std::string path;
  std::optional<std::uint32_t> line;

  friend bool operator==(const ResultLocation&, const ResultLocation&) = default;
};

// "PATH" or "PATH:LINE" (LINE a positive decimal number), as --sarif-location
// takes it. A path that itself holds ':' followed by something that is not a
// number stays whole. Throws ConfigurationError for an empty path or line 0.
ResultLocation parse_result_location(std::string_view text);

// GitHub shows at most this many threadFlowLocations per result; a longer
// code flow keeps its last steps, where the breaking step is.
inline constexpr std::size_t kSarifMaxFlowLocations = 10000;

// The key of the fingerprint in each result's partialFingerprints.
inline constexpr std::string_view kSarifFingerprintKey = "logoffcheckCounterexample/v1";

// The SARIF log of `report`: one run, the clause catalog as rules, one result
// per failing clause at `location`. Pretty-printed JSON ending in "\n".
std::string write_sarif(const Report& report, const ResultLocation& location);

// The fingerprint of the report's counterexample (sequential or concurrent):
// the SHA-256 of its clause, profile and steps, in hex; empty when the report
// has no counterexample. Neither the seed, the case index nor the provider's
// path enter it.
std::string counterexample_fingerprint(const Report& report);

// The same fingerprint for one counterexample document: what names it in a
// corpus (certify --corpus: CLAUSE-FINGERPRINT.json, docs/cli.md).
std::string counterexample_fingerprint(const CounterexampleDocument& counterexample);

}  // namespace logoffcheck
