#include "logoffcheck/schedule.h"

#include <algorithm>
#include <numeric>

#include "seeded_random.h"

namespace logoffcheck {

namespace {

// What play 0 is assumed to take when it never ended (it crashed or hung).
constexpr std::uint64_t kStepsWhenUnknown = 256;

}  // namespace

const char* turn_end_name(TurnEnd end) noexcept {
  switch (end) {
    case TurnEnd::preempted:
      return "preempted";
    case TurnEnd::yielded:
      return "yielded";
    case TurnEnd::blocked:
      return "blocked";
    case TurnEnd::finished:
      return "finished";
    case TurnEnd::deadlocked:
      return "deadlocked";
    case TurnEnd::exhausted:
      return "out of steps";
  }
  return "?";
}

std::uint32_t Schedule::preemptions() const noexcept {
  return static_cast<std::uint32_t>(
      std::count_if(turns.begin(), turns.end(),
                    [](const ScheduleTurn& t) { return t.end == TurnEnd::preempted; }));
}

Schedule Schedule::decisions() const {
  Schedule decided;
  decided.priorities = priorities;
  decided.change_points = change_points;
  return decided;
}

std::string format_schedule(const Schedule& schedule, const std::string& indent) {
  std::string text;
  for (const ScheduleTurn& turn : schedule.turns) {
    text += indent + "thread " + std::to_string(turn.thread + 1) + " ran " +
            std::to_string(turn.steps) + (turn.steps == 1 ? " step" : " steps") + ", " +
            turn_end_name(turn.end);
    if (!turn.where.empty() && turn.end != TurnEnd::finished) text += " " + turn.where;
    text += "\n";
  }
  return text;
}

Schedule plan_schedule(const ControlledSettings& settings, std::uint32_t threads,
                       std::uint64_t seed, std::uint32_t run, std::uint64_t steps) {
  Schedule schedule;
  schedule.priorities.resize(threads);
  std::iota(schedule.priorities.begin(), schedule.priorities.end(), 0u);
  if (run == 0) return schedule;
  // A schedule's numbers, a function of (seed, run).
  rc::Random random = detail::seeded_random(detail::RandomUse::controlled_schedule, seed, run);
  for (std::uint32_t i = threads; i > 1; --i) {  // Fisher-Yates
    std::swap(schedule.priorities[i - 1], schedule.priorities[random.next() % i]);
  }
  const std::uint64_t span = steps != 0 ? steps : kStepsWhenUnknown;
  const std::uint32_t depth = settings.depth + (run % 2);
  for (std::uint32_t i = 1; i < depth; ++i) {
    schedule.change_points.push_back(1 + random.next() % span);
  }
  std::sort(schedule.change_points.begin(), schedule.change_points.end());
  return schedule;
}

}  // namespace logoffcheck
