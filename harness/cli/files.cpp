#include "files.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "logoffcheck/github.h"
#include "logoffcheck/junit.h"
#include "logoffcheck/sarif.h"

namespace logoffcheck::cli {

std::string read_document(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError("cannot read " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDocumentBytes) {
      throw InputError("cannot read " + path + ": larger than " +
                       std::to_string(kMaxDocumentBytes) + " bytes");
    }
  }
  if (in.bad()) throw InputError("cannot read " + path + ": " + std::strerror(errno));
  return text;
}

void write_document(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (out) out.flush();
  if (!out) throw ConfigurationError("cannot write " + path + ": " + std::strerror(errno));
}

namespace {

// Where SARIF results and annotations point: --sarif-location, else the
// counterexample file, else the provider (a library path, or builtin:NAME).
std::optional<ResultLocation> result_location(const Outputs& outputs, const Report& result,
                                              bool fallback) {
  if (!outputs.sarif_location.empty()) return parse_result_location(outputs.sarif_location);
  if (!outputs.counterexample.empty()) return ResultLocation{outputs.counterexample, {}};
  if (fallback) return ResultLocation{result.provider, {}};
  return std::nullopt;
}

// GITHUB_ACTIONS=true: annotations on stdout, the summary appended to the
// file GITHUB_STEP_SUMMARY names.
void write_github_outputs(const Outputs& outputs, const Report& result,
                          const std::string& reproduce) {
  const char* actions = std::getenv("GITHUB_ACTIONS");
  if (actions == nullptr || std::string_view(actions) != "true") return;
  std::cout << github_annotations(result, result_location(outputs, result, false)) << std::flush;
  const char* summary_path = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary_path == nullptr || *summary_path == '\0') return;
  std::ofstream summary(summary_path, std::ios::binary | std::ios::app);
  if (summary) summary << github_step_summary(result, reproduce) << std::flush;
  if (!summary) {
    throw ConfigurationError(std::string("cannot write GITHUB_STEP_SUMMARY ") + summary_path +
                             ": " + std::strerror(errno));
  }
}

}  // namespace

void Outputs::write(const Report& result, std::string_view table,
                    const HtmlContext& page) const {
  if (!sarif.empty()) {
    write_document(sarif, write_sarif(result, *result_location(*this, result, true)));
  }
  if (!report.empty()) write_document(report, write_report_json(result));
  if (!html.empty()) write_document(html, write_html_report(result, page));
  if (!junit.empty()) write_document(junit, write_junit_xml(result, table));
  if (!counterexample.empty() && result.counterexample) {
    write_document(counterexample, write_counterexample_json(*result.counterexample));
  }
  if (!counterexample.empty() && result.concurrent_counterexample) {
    write_document(counterexample,
                   write_concurrent_counterexample_json(*result.concurrent_counterexample));
  }
  write_github_outputs(*this, result, page.reproduce);
}

void add_output_options(CLI::App& command, Outputs& outputs) {
  command.add_option("--report", outputs.report, "Write the report as JSON (docs/report.md)");
  command.add_option("--junit", outputs.junit, "Write one JUnit <testcase> per clause");
  command.add_option("--counterexample", outputs.counterexample,
                     "Write the minimal counterexample, if any, as JSON for `replay`");
  command.add_option("--html", outputs.html,
                     "Write a self-contained HTML page of the report (docs/report.md)");
  command.add_option("--sarif", outputs.sarif,
                     "Write SARIF 2.1.0 for code scanning: one result per failing clause "
                     "(docs/ci.md)");
  command
      .add_option("--sarif-location", outputs.sarif_location,
                  "PATH[:LINE] in your repository where SARIF results and GitHub annotations "
                  "point (default: the --counterexample file)")
      ->check([](const std::string& text) {
        try {
          parse_result_location(text);
          return std::string();
        } catch (const ConfigurationError& error) {
          return std::string(error.what());
        }
      });
}

}  // namespace logoffcheck::cli
