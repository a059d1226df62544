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

std::string numbered_counterexample_path(const std::string& path, std::size_t number) {
  if (number == 0) return path;
  const std::string suffix = "-" + std::to_string(number + 1);
  constexpr std::string_view extension = ".json";
  if (path.size() > extension.size() && path.ends_with(extension)) {
    return path.substr(0, path.size() - extension.size()) + suffix + std::string(extension);
  }
  return path + suffix;
}

void Outputs::write(const Report& result) const {
  if (!sarif.empty()) {
    write_document(sarif, write_sarif(result, *result_location(*this, result, true)));
  }
  if (!report.empty()) write_document(report, write_report_json(result));
  if (!html.empty()) write_document(html, write_html_report(result));
  if (!junit.empty()) write_document(junit, write_junit_xml(result));
  if (!counterexample.empty() && result.counterexample) {
    write_document(counterexample, write_counterexample_json(*result.counterexample));
    for (std::size_t i = 0; i < result.more_counterexamples.size(); ++i) {
      write_document(numbered_counterexample_path(counterexample, i + 1),
                     write_counterexample_json(result.more_counterexamples[i]));
    }
  }
  write_github_outputs(*this, result, result.run.reproduce);
}

void add_output_options(CLI::App& command, Outputs& outputs) {
  command.add_option("--report", outputs.report, "Write the report as JSON (docs/report.md)");
  command.add_option("--junit", outputs.junit, "Write one JUnit <testcase> per clause");
  command.add_option("--counterexample", outputs.counterexample,
                     "Write the minimal counterexample, if any, as JSON for `replay` (with "
                     "--keep-going each one: FILE, then FILE-2.json, ...)");
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
