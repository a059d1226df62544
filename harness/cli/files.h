// Reading and writing the files a command names: documents in, reports,
// JUnit and counterexamples out.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "logoffcheck/document.h"
#include "logoffcheck/html.h"

namespace logoffcheck::cli {

// The whole file; throws InputError naming the file and the problem (missing,
// a directory, larger than kMaxDocumentBytes).
std::string read_document(const std::string& path);

// `parse` of the file's text; reading errors name the file:
// "cx.json: steps[3].flags: ...".
template <typename Parse>
auto parse_file(const std::string& path, Parse parse) {
  const std::string text = read_document(path);
  try {
    return parse(text);
  } catch (const InputError& error) {
    throw InputError(path + ": " + error.what());
  }
}

// Throws ConfigurationError when the file cannot be written.
void write_document(const std::string& path, const std::string& text);

// Where --counterexample FILE writes the counterexample `number` of a run
// (0: the first): FILE itself, then FILE-2.json, FILE-3.json, ... (before a
// .json extension: cx.json, cx-2.json; else cx, cx-2).
std::string numbered_counterexample_path(const std::string& path, std::size_t number);

// Writes what the run was asked to write: --report, --junit, --counterexample,
// --html, --sarif; and under GitHub Actions (GITHUB_ACTIONS=true) the
// annotations on stdout and the job summary (docs/ci.md).
struct Outputs {
  std::string report;
  std::string junit;
  std::string counterexample;
  std::string html;
  std::string sarif;
  std::string sarif_location;  // PATH[:LINE]; default: --counterexample, else the provider

  // Every file is rendered from `result` alone (its RunContext included);
  // under --keep-going --counterexample writes every counterexample
  // (numbered_counterexample_path).
  void write(const Report& result) const;
};

void add_output_options(CLI::App& command, Outputs& outputs);

}  // namespace logoffcheck::cli
