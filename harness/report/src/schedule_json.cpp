// The "schedule" part of a concurrent counterexample played under a
// controlled schedule (schedule.h, docs/report.md#schedule): the decisions
// replay repeats, and the turns the play took. Threads are numbered from 1,
// as in the rest of the document.
#include "json.h"

namespace logoffcheck::json {

namespace {

constexpr TurnEnd kTurnEnds[] = {TurnEnd::preempted, TurnEnd::yielded,    TurnEnd::blocked,
                                 TurnEnd::finished,  TurnEnd::deadlocked, TurnEnd::exhausted};

std::optional<TurnEnd> parse_turn_end(std::string_view name) {
  for (const TurnEnd end : kTurnEnds) {
    if (name == turn_end_name(end)) return end;
  }
  return std::nullopt;
}

// The most change points and turns a schedule may hold.
constexpr std::uint64_t kMaxChangePoints = 64;
constexpr std::uint64_t kMaxTurns = 100000;

}  // namespace

Json schedule_json(const Schedule& schedule) {
  Json priorities = Json::array();
  for (const std::uint32_t thread : schedule.priorities) priorities.push_back(thread + 1);
  Json turns = Json::array();
  for (const ScheduleTurn& turn : schedule.turns) {
    turns.push_back({{"thread", turn.thread + 1},
                     {"steps", turn.steps},
                     {"end", turn_end_name(turn.end)},
                     {"where", turn.where}});
  }
  return {{"priorities", priorities},
          {"change_points", schedule.change_points},
          {"steps", schedule.steps},
          {"preemptions", schedule.preemptions()},
          {"turns", turns}};
}

Schedule read_schedule(const Json& value, const std::string& path, std::size_t threads) {
  expect_object(value, path, {"priorities", "change_points", "steps", "preemptions", "turns"});
  Schedule schedule;
  const std::string priorities_path = join_path(path, "priorities");
  const Json& priorities = member(value, "priorities", path);
  expect_type(priorities.is_array() && priorities.size() == threads, priorities, priorities_path,
              "an array of the " + std::to_string(threads) + " threads");
  std::vector<bool> seen(threads, false);
  for (std::size_t i = 0; i < priorities.size(); ++i) {
    const std::string at = index_path(priorities_path, i);
    const std::uint64_t thread = read_unsigned(priorities[i], at, threads);
    if (thread == 0 || seen[thread - 1]) input_error(at, "each thread once, numbered from 1");
    seen[thread - 1] = true;
    schedule.priorities.push_back(static_cast<std::uint32_t>(thread - 1));
  }
  const std::string points_path = join_path(path, "change_points");
  const Json& points = member(value, "change_points", path);
  expect_type(points.is_array() && points.size() <= kMaxChangePoints, points, points_path,
              "an array of at most " + std::to_string(kMaxChangePoints) + " steps");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string at = index_path(points_path, i);
    schedule.change_points.push_back(read_unsigned(points[i], at, UINT64_MAX));
    if (i > 0 && schedule.change_points[i] < schedule.change_points[i - 1]) {
      input_error(at, "change points go in ascending order");
    }
  }
  schedule.steps = read_unsigned(value, "steps", path);
  const std::string turns_path = join_path(path, "turns");
  const Json& turns = member(value, "turns", path);
  expect_type(turns.is_array() && turns.size() <= kMaxTurns, turns, turns_path,
              "an array of turns");
  for (std::size_t i = 0; i < turns.size(); ++i) {
    const std::string at = index_path(turns_path, i);
    expect_object(turns[i], at, {"thread", "steps", "end", "where"});
    ScheduleTurn turn;
    const std::uint64_t thread = read_unsigned(turns[i], "thread", at, threads);
    if (thread == 0) input_error(join_path(at, "thread"), "threads are numbered from 1");
    turn.thread = static_cast<std::uint32_t>(thread - 1);
    turn.steps = read_unsigned(turns[i], "steps", at);
    turn.end = read_name<TurnEnd>(turns[i], "end", at, parse_turn_end,
                                  "preempted, yielded, blocked, finished, deadlocked or "
                                  "\"out of steps\"");
    turn.where = read_string(turns[i], "where", at);
    schedule.turns.push_back(std::move(turn));
  }
  const std::uint64_t preemptions = read_unsigned(value, "preemptions", path);
  if (preemptions != schedule.preemptions()) {
    input_error(join_path(path, "preemptions"), "disagrees with the turns");
  }
  return schedule;
}

}  // namespace logoffcheck::json
