#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace logoffcheck::cli {

namespace {

// "45s", "3m 20s", "2h 05m".
std::string format_duration(double seconds) {
  const auto whole = static_cast<std::uint64_t>(seconds + 0.5);
  char text[32];
  if (whole < 60) {
    std::snprintf(text, sizeof text, "%llus", static_cast<unsigned long long>(whole));
  } else if (whole < 3600) {
    std::snprintf(text, sizeof text, "%llum %02llus", static_cast<unsigned long long>(whole / 60),
                  static_cast<unsigned long long>(whole % 60));
  } else {
    std::snprintf(text, sizeof text, "%lluh %02llum",
                  static_cast<unsigned long long>(whole / 3600),
                  static_cast<unsigned long long>(whole % 3600 / 60));
  }
  return text;
}

// "5624977", "372k", "1.2M": a rate short enough for one line.
std::string format_rate(double per_second) {
  char text[32];
  if (per_second >= 1e6) {
    std::snprintf(text, sizeof text, "%.1fM", per_second / 1e6);
  } else if (per_second >= 1e4) {
    std::snprintf(text, sizeof text, "%.0fk", per_second / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f", per_second);
  }
  return text;
}

}  // namespace

std::string progress_text(const Progress& progress, double elapsed_seconds) {
  if (progress.shrinking) {
    return "shrinking a failure: " + std::to_string(progress.shrink_runs) + " runs, " +
           std::to_string(progress.shrunk_length) + " steps so far";
  }
  std::string text = "case " + std::to_string(progress.cases_done) + " of " +
                     std::to_string(progress.cases_total) + ", " +
                     std::to_string(progress.steps) + " steps";
  if (elapsed_seconds <= 0 || progress.cases_done == 0) return text;
  const double cases_per_second = static_cast<double>(progress.cases_done) / elapsed_seconds;
  const double steps_per_second = static_cast<double>(progress.steps) / elapsed_seconds;
  text += ", " + format_rate(cases_per_second) + " cases/s, " + format_rate(steps_per_second) +
          " steps/s";
  if (progress.cases_total > progress.cases_done) {
    const auto left = static_cast<double>(progress.cases_total - progress.cases_done);
    text += ", " + format_duration(left / cases_per_second) + " left";
  }
  return text;
}

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
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = "logoffcheck: " + progress_text(progress, elapsed);
  // One line that never wraps, or "\r\033[K" would leave its first part.
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 &&
      line.size() >= size.ws_col) {
    line.resize(size.ws_col - 1);
  }
  std::cerr << "\r\033[K" << line << std::flush;
}

}  // namespace logoffcheck::cli
