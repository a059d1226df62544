// The run room's random numbers: RapidCheck's Random, the one random source
// of every kind of case (issue 18; sequential and concurrent cases draw from
// it in harness/search), keyed by (seed, index) and by what the numbers are
// for, so that no two uses of one seed share a stream.
#pragma once

#include <rapidcheck/Random.h>

#include <cstdint>

namespace logoffcheck::detail {

// What a stream of the run room is for; the Key's last word.
enum class RandomUse : std::uint64_t {
  controlled_schedule = 0,  // plan_schedule: play `index`'s priorities and change points
  free_perturbation = 1,    // a free play's thread `index`: its spins and yields
};

// "logoffrn": streams of the run room, apart from the search room's.
inline constexpr std::uint64_t kRunStreamTag = 0x6c6f676f6666726eull;

inline rc::Random seeded_random(RandomUse use, std::uint64_t seed, std::uint64_t index) {
  return rc::Random(rc::Random::Key{seed, index, kRunStreamTag, static_cast<std::uint64_t>(use)});
}

}  // namespace logoffcheck::detail
