// The progress line of long runs.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "logoffcheck/engine.h"

namespace logoffcheck::cli {

// What the progress line says after `elapsed_seconds` of a run: the case
// reached, the steps played, the rates (cases/s, steps/s) and about how long
// the rest will take at the rate so far; while shrinking, the runs and the
// length reached.
std::string progress_text(const Progress& progress, double elapsed_seconds);

// A progress line on stderr for runs that take more than about a second, and
// only when a person is watching (stderr is a terminal).
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // What RunConfig::progress takes; empty when nobody watches.
  std::function<void(const Progress&)> callback();

  // Erases the line, if one is shown.
  void clear();

 private:
  void show(const Progress& progress);

  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace logoffcheck::cli
