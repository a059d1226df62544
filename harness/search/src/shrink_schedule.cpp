#include "shrink_schedule.h"

#include <algorithm>
#include <numeric>
#include <optional>

namespace logoffcheck::detail {

namespace {

// Schedules tried in one child process, and in all.
constexpr std::size_t kBatch = 64;
constexpr std::size_t kMostSchedules = 1024;

struct Found {
  Schedule schedule;  // as played
  History history;
  LinearizabilityResult judgement;
};

class Search {
 public:
  Search(HistoryRunner& runner, const ConcurrentCase& c, ClauseId clause)
      : runner_(runner), case_(c), clause_(clause) {}

  // Plays `schedules` in batches; keeps the failing play with the fewest
  // preemptions. Stops early once one fails with at most `enough`.
  void try_all(const std::vector<Schedule>& schedules, std::uint32_t enough) {
    for (std::size_t from = 0; from < schedules.size(); from += kBatch) {
      if (tried_ >= kMostSchedules) return;
      const std::size_t count =
          std::min({kBatch, schedules.size() - from, kMostSchedules - tried_});
      tried_ += count;
      const std::vector<History> histories =
          runner_.play_schedules(case_, std::span(schedules).subspan(from, count));
      for (const History& history : histories) consider(history);
      if (best_ && best_->schedule.preemptions() <= enough) return;
    }
  }

  void consider(const History& history) {
    if (!history.schedule) return;
    if (!steps_) steps_ = history.schedule->steps;
    LinearizabilityResult result = check_linearizability(history, runner_.options());
    if (result.linearizable || result.violation.clause != clause_) return;
    if (best_ && best_->schedule.preemptions() <= history.schedule->preemptions()) return;
    best_ = Found{*history.schedule, history, std::move(result)};
  }

  std::optional<Found>& best() noexcept { return best_; }
  std::uint64_t steps() const noexcept { return steps_.value_or(0); }

 private:
  HistoryRunner& runner_;
  const ConcurrentCase& case_;
  ClauseId clause_;
  std::optional<Found> best_;
  std::optional<std::uint64_t> steps_;
  std::size_t tried_ = 0;
};

// Every order of `threads` threads (at most 3! of them are worth trying).
std::vector<std::vector<std::uint32_t>> orders(std::size_t threads) {
  std::vector<std::uint32_t> order(threads);
  std::iota(order.begin(), order.end(), 0u);
  std::vector<std::vector<std::uint32_t>> all;
  do {
    all.push_back(order);
  } while (threads <= 3 && std::next_permutation(order.begin(), order.end()));
  return all;
}

}  // namespace

std::optional<ScheduledFailure> shrink_schedule(HistoryRunner& runner, const ConcurrentCase& c,
                                                ClauseId clause, std::uint32_t repeat,
                                                std::uint64_t seed) {
  Search search(runner, c, clause);
  for (const History& history : runner.play(c, repeat, seed)) search.consider(history);
  // No preemption at all: the threads in each order, switching only where
  // they block, sleep or end.
  std::vector<Schedule> plain;
  for (const std::vector<std::uint32_t>& order : orders(c.threads.size())) {
    plain.push_back(Schedule{order, {}, {}, 0});
  }
  search.try_all(plain, 0);
  // One change point, anywhere in a short play.
  if (!search.best() || search.best()->schedule.preemptions() > 1) {
    std::vector<Schedule> one;
    for (const std::vector<std::uint32_t>& order : orders(c.threads.size())) {
      for (std::uint64_t step = 1; step <= search.steps(); ++step) {
        one.push_back(Schedule{order, {step}, {}, 0});
      }
    }
    search.try_all(one, 1);
  }
  // One change point less than the best found, while that still fails.
  for (bool fewer = true; fewer && search.best();) {
    fewer = false;
    const Schedule best = search.best()->schedule.decisions();
    for (std::size_t i = 0; i < best.change_points.size(); ++i) {
      Schedule less = best;
      less.change_points.erase(less.change_points.begin() + static_cast<std::ptrdiff_t>(i));
      const std::uint32_t before = search.best()->schedule.preemptions();
      search.try_all({less}, 0);
      if (search.best()->schedule.preemptions() < before) {
        fewer = true;
        break;
      }
    }
  }
  if (!search.best()) return std::nullopt;
  // The best schedule, played `repeat` times as it is.
  const std::vector<Schedule> again(repeat, search.best()->schedule.decisions());
  return ScheduledFailure{search.best()->history, search.best()->judgement,
                          runner.play_schedules(c, again)};
}

}  // namespace logoffcheck::detail
