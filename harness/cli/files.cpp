#include "files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "logoffcheck/junit.h"

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

void Outputs::write(const Report& result) const {
  if (!report.empty()) write_document(report, write_report_json(result));
  if (!html.empty()) write_document(html, write_html_report(result));
  if (!junit.empty()) write_document(junit, write_junit_xml(result));
  if (!counterexample.empty() && result.counterexample) {
    write_document(counterexample, write_counterexample_json(*result.counterexample));
  }
}

void add_output_options(CLI::App& command, Outputs& outputs) {
  command.add_option("--report", outputs.report, "Write the report as JSON (docs/report.md)");
  command.add_option("--junit", outputs.junit, "Write one JUnit <testcase> per clause");
  command.add_option("--counterexample", outputs.counterexample,
                     "Write the minimal counterexample, if any, as JSON for `replay`");
  command.add_option("--html", outputs.html,
                     "Write a self-contained HTML page of the report (docs/report.md)");
}

}  // namespace logoffcheck::cli
