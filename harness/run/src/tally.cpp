#include "logoffcheck/tally.h"

#include <bit>
#include <cstring>

namespace logoffcheck {

void ClauseTally::add(const StepVerdicts& verdicts) noexcept {
  for (std::size_t i = 0; i < kClauseCount; ++i) {
    passed[i] += verdicts[i] == Verdict::pass;
    failed[i] += verdicts[i] == Verdict::fail;
  }
}

void StepTally::add(const StepVerdicts& verdicts, ClauseTally& tally) noexcept {
  static_assert(static_cast<int>(Verdict::pass) == 1 && static_cast<int>(Verdict::fail) == 2);
  constexpr std::uint64_t kLowBits = 0x0101010101010101ull;
  std::array<std::uint64_t, kWords> words{};
  std::memcpy(words.data(), verdicts.data(), sizeof(verdicts));
  for (std::size_t word = 0; word < kWords; ++word) {
    passed_[word] += words[word] & kLowBits;         // pass is bit 0 of a verdict
    failed_[word] += (words[word] >> 1) & kLowBits;  // fail is bit 1
  }
  if (++steps_ == 255) flush(tally);
}

void StepTally::flush(ClauseTally& tally) noexcept {
  static_assert(std::endian::native == std::endian::little, "byte i of a word is bits 8i..8i+7");
  for (std::size_t i = 0; i < kClauseCount; ++i) {
    const unsigned shift = 8 * (i % 8);
    tally.passed[i] += (passed_[i / 8] >> shift) & 0xff;
    tally.failed[i] += (failed_[i / 8] >> shift) & 0xff;
  }
  passed_ = {};
  failed_ = {};
  steps_ = 0;
}

void ClauseTally::add(const ClauseTally& other) noexcept {
  for (std::size_t i = 0; i < kClauseCount; ++i) {
    passed[i] += other.passed[i];
    failed[i] += other.failed[i];
  }
}

}  // namespace logoffcheck
