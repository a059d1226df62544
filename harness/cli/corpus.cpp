#include "corpus.h"

#include <algorithm>
#include <filesystem>

#include "files.h"
#include "logoffcheck/sarif.h"

namespace logoffcheck::cli {

namespace fs = std::filesystem;

Corpus load_corpus(const std::string& directory, Profile profile, bool concurrent) {
  Corpus corpus;
  corpus.directory = directory;
  std::error_code error;
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory)) {
    throw ConfigurationError("--corpus " + directory + ": not a directory we can use" +
                             (error ? ": " + error.message() : std::string()));
  }
  std::vector<std::string> paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    const CounterexampleDocument document =
        parse_file(path, [](std::string_view text) { return parse_replayable_json(text); });
    if ((document.concurrent() != nullptr) != concurrent || document.profile != profile) {
      corpus.skipped.push_back(path);
      continue;
    }
    corpus.files.push_back(path);
    if (concurrent) {
      corpus.concurrent_cases.push_back(document.concurrent()->scenario);
      corpus.file_of_case.push_back(corpus.files.size() - 1);
      continue;
    }
    for (const std::vector<Step>& earlier : document.sequential()->earlier_cases) {
      corpus.cases.push_back(earlier);
      corpus.file_of_case.push_back(corpus.files.size() - 1);
    }
    corpus.cases.push_back(document.sequential()->steps);
    corpus.file_of_case.push_back(corpus.files.size() - 1);
  }
  return corpus;
}

namespace {

// What describe_corpus needs of a run of either kind.
template <typename Run>
std::string describe_run(const Corpus& corpus, const Run& run, Report& report) {
  const auto source = [&](const auto& found) {
    return found.corpus_entry ? corpus.files.at(corpus.file_of_case.at(*found.corpus_entry))
                              : std::string();
  };
  std::size_t known = 0;
  if (run.counterexample) {
    report.run.sources.push_back(source(*run.counterexample));
    known += report.run.sources.back().empty() ? 0 : 1;
  }
  for (const auto& other : run.more_counterexamples) {
    report.run.sources.push_back(source(other));
    known += report.run.sources.back().empty() ? 0 : 1;
  }
  // The files whose cases were played (a failure ends the run at its file).
  const std::size_t replayed =
      run.corpus_cases_run == 0 ? 0 : corpus.file_of_case.at(run.corpus_cases_run - 1) + 1;
  std::string line = std::to_string(replayed) + " of " + std::to_string(corpus.files.size()) +
                     " known counterexamples replayed from " + corpus.directory;
  if (!corpus.skipped.empty()) {
    line += " (" + std::to_string(corpus.skipped.size()) + " of another profile or kind skipped)";
  }
  line += known == 0 ? ", none failed" : ", " + std::to_string(known) + " failed again";
  report.run.notes.emplace_back("Corpus", line);
  return "  corpus   " + line + "\n";
}

}  // namespace

std::string describe_corpus(const Corpus& corpus, const RunResult& run, Report& report) {
  return describe_run(corpus, run, report);
}

std::string describe_corpus(const Corpus& corpus, const ConcurrentRunResult& run, Report& report) {
  return describe_run(corpus, run, report);
}

std::string corpus_file_name(const CounterexampleDocument& counterexample) {
  return std::string(clause_code(counterexample.violation.clause)) + "-" +
         counterexample_fingerprint(counterexample).substr(0, 16) + ".json";
}

std::string save_to_corpus(const Corpus& corpus, const Report& report) {
  std::string lines;
  const auto save = [&](const CounterexampleDocument& counterexample) {
    const std::string path =
        (fs::path(corpus.directory) / corpus_file_name(counterexample)).string();
    std::error_code error;
    if (fs::exists(path, error)) return;
    write_document(path, write_counterexample_json(counterexample));
    lines += "corpus: saved " + path + "\n";
  };
  if (report.counterexample) save(*report.counterexample);
  for (const CounterexampleDocument& other : report.more_counterexamples) save(other);
  return lines;
}

}  // namespace logoffcheck::cli
