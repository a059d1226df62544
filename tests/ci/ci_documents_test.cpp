// Tests of sarif.h and github.h on hand-made reports: --sarif-location
// parsing, what reaches a workflow command or a Markdown cell from a report
// (provider paths and observations can hold anything), and the fingerprint's
// independence from everything but the minimal counterexample. The end-to-end
// runs, and the schema validation, are ci_scenarios.sh's.
#include <gtest/gtest.h>

#include <string>

#include "logoffcheck/github.h"
#include "logoffcheck/sarif.h"

namespace logoffcheck {
namespace {

// A report whose counterexample is saves-first-flag's three steps.
Report failing_report() {
  Report report;
  report.provider = "builtin:saves-first-flag";
  CounterexampleDocument found;
  found.provider = report.provider;
  found.steps = {store_logoff(LOGOFF_NO_WAIT), store_logoff(LOGOFF_ORDERLY), release()};
  found.violation = {ClauseId::LT_1, "StoreLogoffTransports(LOGOFF_ORDERLY)",
                     "StoreLogoffTransports(LOGOFF_NO_WAIT)"};
  found.violation_step = 2;
  report.counterexample = found;
  report.tally.passed[static_cast<std::size_t>(ClauseId::SL_1)] = 2;
  report.tally.failed[static_cast<std::size_t>(ClauseId::LT_1)] = 1;
  return report;
}

TEST(ResultLocation, PathAndOptionalLine) {
  EXPECT_EQ(parse_result_location("src/store.cpp"), (ResultLocation{"src/store.cpp", {}}));
  EXPECT_EQ(parse_result_location("src/store.cpp:42"), (ResultLocation{"src/store.cpp", 42}));
  // Only a number after the last ':' is a line.
  EXPECT_EQ(parse_result_location("a:b/store.cpp"), (ResultLocation{"a:b/store.cpp", {}}));
  EXPECT_EQ(parse_result_location("a:b:7"), (ResultLocation{"a:b", 7}));
  EXPECT_EQ(parse_result_location("store.cpp:"), (ResultLocation{"store.cpp:", {}}));
  EXPECT_THROW(parse_result_location("store.cpp:0"), ConfigurationError);
  EXPECT_THROW(parse_result_location(":3"), ConfigurationError);
  EXPECT_THROW(parse_result_location(""), ConfigurationError);
}

TEST(GithubAnnotations, OneEscapedLinePerFailingClause) {
  Report report = failing_report();
  report.provider = "./odd,path:50%\nstore.so";
  const std::string lines =
      github_annotations(report, ResultLocation{"tests/a,b:c.cpp", std::uint32_t{9}});
  EXPECT_EQ(lines.find('\n'), lines.size() - 1) << lines;  // one line
  EXPECT_TRUE(lines.starts_with("::error file=tests/a%2Cb%3Ac.cpp,line=9,title=LT-1::LT-1 (MUST)"))
      << lines;
  EXPECT_NE(lines.find("%0Aexpected: StoreLogoffTransports(LOGOFF_ORDERLY)"), std::string::npos);
  EXPECT_NE(lines.find("provider: ./odd,path:50%25%0Astore.so"), std::string::npos) << lines;
  report.counterexample.reset();
  report.tally.failed = {};
  EXPECT_EQ(github_annotations(report), "");
}

TEST(GithubSummary, MarkupInReportTextStaysText) {
  Report report = failing_report();
  report.provider = "lib|store*.so";
  report.counterexample->violation.observed = "a | b <script>";
  const std::string summary = github_step_summary(report, "logoffcheck certify ...");
  EXPECT_NE(summary.find("## logoffcheck: non-conformant"), std::string::npos);
  EXPECT_NE(summary.find("| lib\\|store\\*.so |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("a \\| b \\<script\\>"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("<script>"), std::string::npos);
  EXPECT_NE(summary.find("| 3 | Release |"), std::string::npos) << summary;
}

TEST(SarifFingerprint, OnlyTheMinimalCounterexampleCounts) {
  const Report report = failing_report();
  Report elsewhere = report;
  elsewhere.provider = "/opt/other/libstore.so";
  elsewhere.seed = 99;
  elsewhere.counterexample->seed = 99;
  elsewhere.counterexample->case_index = 1234;
  EXPECT_EQ(counterexample_fingerprint(report), counterexample_fingerprint(elsewhere));
  EXPECT_EQ(counterexample_fingerprint(report).size(), 64u);
  Report other_steps = report;
  other_steps.counterexample->steps[0] = store_logoff(LOGOFF_ABORT);
  EXPECT_NE(counterexample_fingerprint(report), counterexample_fingerprint(other_steps));
  Report other_clause = report;
  other_clause.counterexample->violation.clause = ClauseId::LT_3;
  EXPECT_NE(counterexample_fingerprint(report), counterexample_fingerprint(other_clause));
  Report conformant = report;
  conformant.counterexample.reset();
  EXPECT_EQ(counterexample_fingerprint(conformant), "");
  // A conformant report: the rules, no results.
  conformant.tally.failed = {};
  const std::string log = write_sarif(conformant, ResultLocation{"x.cpp", {}});
  EXPECT_NE(log.find("\"results\": []"), std::string::npos) << log;
  EXPECT_NE(log.find("\"id\": \"SP-7\""), std::string::npos);
}

}  // namespace
}  // namespace logoffcheck
