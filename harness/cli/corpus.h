// certify --corpus DIR: known counterexamples replayed before a run's own
// cases, and each new minimal one saved there under a name derived from its
// content (docs/cli.md, "A corpus of known failures").
#pragma once

#include <string>
#include <vector>

#include "logoffcheck/concurrent.h"
#include "logoffcheck/document.h"
#include "logoffcheck/engine.h"

namespace logoffcheck::cli {

struct Corpus {
  std::string directory;
  // The files the run plays, in name order, and the cases they give: each
  // file's earlier cases (SequentialPart::earlier_cases), then its steps;
  // file_of_case[i] is the file cases[i] came from.
  std::vector<std::string> files;
  std::vector<std::vector<Step>> cases;          // sequential
  std::vector<ConcurrentCase> concurrent_cases;  // --threads
  std::vector<std::size_t> file_of_case;
  // Counterexamples of another profile or kind of case, not played by this run.
  std::vector<std::string> skipped;
};

// Every *.json file of `directory` (created when missing), in name order:
// the counterexamples of the run's kind (concurrent ones for --threads,
// else sequential ones) recorded under `profile` are played; the others
// are listed as skipped. A file's earlier cases are played just
// before it, so that a failure that needs them meets them again. The
// provider a file names is not used: a
// corpus is replayed against the provider being certified. Throws
// InputError naming the file that is not a counterexample.
Corpus load_corpus(const std::string& directory, Profile profile, bool concurrent);

// What the run did with its corpus, as lines for the summary; also sets
// report.run.sources (which counterexample came from which file) and a note
// for the HTML page.
std::string describe_corpus(const Corpus& corpus, const RunResult& run, Report& report);
std::string describe_corpus(const Corpus& corpus, const ConcurrentRunResult& run, Report& report);

// The name a counterexample has in a corpus: its clause and the first 16
// hex digits of its fingerprint (counterexample_fingerprint), e.g.
// "LT-1-3f5a0c2e9b7d1a44.json". Neither seed nor provider enters it.
std::string corpus_file_name(const CounterexampleDocument& counterexample);

// Writes each counterexample of `report` that the corpus does not hold yet
// (by name) into it; returns a line per file written.
std::string save_to_corpus(const Corpus& corpus, const Report& report);

}  // namespace logoffcheck::cli
