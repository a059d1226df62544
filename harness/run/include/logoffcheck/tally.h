// logoffcheck/tally.h — how often each clause was judged, passed and failed,
// over a case or a run; and the per-step accumulator that fills it cheaply.
#pragma once

#include <array>
#include <cstdint>

#include "logoffcheck/checks.h"

namespace logoffcheck {

// How often each clause was judged, passed and failed.
struct ClauseTally {
  std::array<std::uint64_t, kClauseCount> passed{};
  std::array<std::uint64_t, kClauseCount> failed{};

  std::uint64_t exercised(ClauseId id) const noexcept {
    const auto i = static_cast<std::size_t>(id);
    return passed[i] + failed[i];
  }
  void add(const StepVerdicts& verdicts) noexcept;
  void add(const ClauseTally& other) noexcept;

  friend bool operator==(const ClauseTally&, const ClauseTally&) = default;
};

// Adds step verdicts to a ClauseTally in bulk: one byte-wide counter per
// clause and verdict, eight to a machine word, so that a step costs a few
// word additions; the counters go into the tally before any can overflow,
// and on flush().
class StepTally {
 public:
  void add(const StepVerdicts& verdicts, ClauseTally& tally) noexcept;
  void flush(ClauseTally& tally) noexcept;

 private:
  static constexpr std::size_t kWords = (kClauseCount + 7) / 8;
  std::array<std::uint64_t, kWords> passed_{};
  std::array<std::uint64_t, kWords> failed_{};
  std::uint32_t steps_ = 0;  // added since the last flush; at most 255
};

}  // namespace logoffcheck
