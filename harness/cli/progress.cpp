#include "progress.h"

#include <unistd.h>

#include <iostream>

namespace logoffcheck::cli {

ProgressLine::ProgressLine() : enabled_(::isatty(STDERR_FILENO) == 1) {}

std::function<void(const Progress&)> ProgressLine::callback() {
  if (!enabled_) return {};
  return [this](const Progress& progress) { show(progress); };
}

void ProgressLine::clear() {
  if (shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

void ProgressLine::show(const Progress& progress) {
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) {
    return;
  }
  last_ = now;
  shown_ = true;
  if (progress.shrinking) {
    std::cerr << "\r\033[Klogoffcheck: shrinking a failure: " << progress.shrink_runs << " runs, "
              << progress.shrunk_length << " steps so far" << std::flush;
  } else {
    std::cerr << "\r\033[Klogoffcheck: case " << progress.cases_done << " of "
              << progress.cases_total << ", " << progress.steps << " steps" << std::flush;
  }
}

}  // namespace logoffcheck::cli
