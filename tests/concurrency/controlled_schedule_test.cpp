// The controlled scheduler (schedule.h, `--schedule controlled`): plays are
// functions of the case and the schedule; the race mutants lose their races
// under it, and stores that lock correctly never hang or fail.
#include <gtest/gtest.h>

#include "../../providers/reference/mutex_store.h"
#include "logoffcheck/builtin.h"
#include "logoffcheck/concurrent.h"

namespace logoffcheck::providers {
namespace {

// A plain `++count`, no sleep in its window: only a preemption between the
// load and the store loses an update, which free threads almost never hit.
class UnlockedCount final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG AddRef() override {
    const ULONG count = references_.load(std::memory_order_relaxed);
    references_.store(count + 1, std::memory_order_relaxed);
    return count + 1;
  }
  ULONG Release() override {
    const ULONG count = references_.load(std::memory_order_relaxed);
    references_.store(count - 1, std::memory_order_relaxed);
    if (count - 1 == 0) {
      final_release();
      delete this;
    }
    return count - 1;
  }
};

// Takes two locks in opposite orders in AddRef and Release: a preemption
// between the two locks of one lets the other deadlock it.
class TwoLockStore final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG AddRef() override {
    const std::scoped_lock first(a_);
    const std::lock_guard second(b_);
    return ++references_;
  }
  ULONG Release() override {
    ULONG remaining = 0;
    {
      const std::lock_guard first(b_);
      const std::lock_guard second(a_);
      remaining = --references_;
    }
    if (remaining == 0) {
      final_release();
      delete this;
    }
    return remaining;
  }

 private:
  std::mutex a_;
  std::mutex b_;
};

template <typename Store>
IMsgStore* open(IMAPISupport* support) {
  return new Store(support);
}

Provider provider(const char* name) {
  return Provider(std::string("builtin:") + name, find_builtin_provider(name)->open_store);
}

ConcurrentConfig config_of(std::uint64_t seed, std::uint64_t cases) {
  ConcurrentConfig config;
  config.run.seed = seed;
  config.run.cases = cases;
  config.threads = 2;
  return config;
}

// Two threads AddRef then Release the references they were handed.
ConcurrentCase two_addrefs() {
  ConcurrentCase c;
  c.prefix = {add_ref()};
  c.threads = {{add_ref(), release(), release()}, {add_ref(), release(), release()}};
  return c;
}

TEST(ControlledSchedule, SameScheduleSameHistory) {
  const auto runner =
      make_controlled_history_runner(Provider("unlocked", &open<UnlockedCount>), {}, 5000);
  const std::vector<History> first = runner->play(two_addrefs(), 6, 42);
  const std::vector<History> again = runner->play(two_addrefs(), 6, 42);
  ASSERT_EQ(first.size(), 6u);
  ASSERT_EQ(again.size(), 6u);
  for (std::size_t i = 0; i < first.size(); ++i) {
    ASSERT_TRUE(first[i].schedule.has_value());
    EXPECT_EQ(first[i].calls, again[i].calls) << "play " << i;
    EXPECT_EQ(*first[i].schedule, *again[i].schedule) << "play " << i;
    EXPECT_GT(first[i].schedule->steps, 0u);
  }
  for (std::size_t i = 0; i < first.size(); ++i) {
    const std::vector<Schedule> three(3, *first[i].schedule);
    const std::vector<History> replayed = runner->play_schedules(two_addrefs(), three);
    for (const History& history : replayed) EXPECT_EQ(history.calls, first[i].calls);
  }
}

TEST(ControlledSchedule, PreemptionInsideAPlainIncrementLosesTheUpdate) {
  const auto runner =
      make_controlled_history_runner(Provider("unlocked", &open<UnlockedCount>), {}, 5000);
  ConcurrentConfig config = config_of(1, 50);
  const ConcurrentRunResult run = run_concurrent_certification(*runner, config);
  ASSERT_TRUE(run.counterexample.has_value());
  ASSERT_TRUE(run.counterexample->history.schedule.has_value());
  EXPECT_GE(run.counterexample->history.schedule->preemptions(), 1u)
      << format_schedule(*run.counterexample->history.schedule);
}

// Seeds 1..20 through the command line: controlled_schedules.sh races.
TEST(ControlledSchedule, RaceMutantsCaughtSmallAndEveryReplayFails) {
  for (const char* name : {"lost-update-count", "check-then-act-release"}) {
    const auto runner = make_controlled_history_runner(provider(name), {}, 5000);
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      const ConcurrentRunResult run = run_concurrent_certification(*runner, config_of(seed, 200));
      ASSERT_TRUE(run.counterexample.has_value()) << name << " seed " << seed;
      const ConcurrentCounterexample& found = *run.counterexample;
      EXPECT_LE(found.history.calls.size(), 8u) << name << " seed " << seed;
      EXPECT_EQ(found.failed_runs, found.repeat) << name << " seed " << seed;
      ASSERT_TRUE(found.history.schedule.has_value());
      // The recorded schedule, played again, observes the same calls.
      const std::vector<Schedule> again(4, found.history.schedule->decisions());
      for (const History& replay : runner->play_schedules(found.shrunk, again)) {
        EXPECT_EQ(replay.calls, found.history.calls) << name << " seed " << seed;
      }
    }
  }
}

// Every schedule with one change point of a short case, for a store that
// locks: some of them preempt a thread holding the lock, so that the other
// blocks; none hangs or fails.
TEST(ControlledSchedule, MutexWaitsAreBlockedNeverHung) {
  const auto runner =
      make_controlled_history_runner(Provider("mutex", &MutexStore::open), {}, 5000);
  const ConcurrentCase c = two_addrefs();
  const std::uint64_t steps = runner->play(c, 1, 0).front().schedule->steps;
  std::vector<Schedule> schedules;
  for (const std::vector<std::uint32_t>& order :
       {std::vector<std::uint32_t>{0, 1}, std::vector<std::uint32_t>{1, 0}}) {
    for (std::uint64_t step = 1; step <= steps; ++step) {
      schedules.push_back(Schedule{order, {step}, {}, 0});
    }
  }
  std::size_t blocked = 0;
  for (const History& history : runner->play_schedules(c, schedules)) {
    EXPECT_TRUE(history.hang.empty()) << history.hang;
    EXPECT_TRUE(check_linearizability(history, {}).linearizable)
        << format_schedule(*history.schedule);
    for (const ScheduleTurn& turn : history.schedule->turns) {
      if (turn.end == TurnEnd::blocked) ++blocked;
    }
  }
  EXPECT_GT(blocked, 0u) << "no schedule preempted a thread holding the lock";
}

TEST(ControlledSchedule, DeadlockIsHungWithBothPositions) {
  const auto runner =
      make_controlled_history_runner(Provider("two-locks", &open<TwoLockStore>), {}, 5000);
  ConcurrentCase c;
  c.prefix = {add_ref()};
  c.threads = {{add_ref(), release()}, {release()}};
  const std::uint64_t steps = runner->play(c, 1, 0).front().schedule->steps;
  std::vector<Schedule> schedules;
  for (std::uint64_t step = 1; step <= steps; ++step)
    schedules.push_back(Schedule{{0, 1}, {step}, {}, 0});
  std::size_t deadlocks = 0;
  for (const History& history : runner->play_schedules(c, schedules)) {
    if (history.hang.empty()) {
      EXPECT_TRUE(check_linearizability(history, {}).linearizable);
      continue;
    }
    ++deadlocks;
    EXPECT_NE(history.hang.find("deadlock: thread 1 waits"), std::string::npos) << history.hang;
    EXPECT_NE(history.hang.find("thread 2 waits"), std::string::npos) << history.hang;
    EXPECT_NE(history.hang.find("TwoLockStore::"), std::string::npos) << history.hang;
    EXPECT_EQ(check_linearizability(history, {}).violation.clause, ClauseId::RC_3);
  }
  EXPECT_GT(deadlocks, 0u);
}

TEST(ControlledSchedule, CorrectStoresPassWithoutHangs) {
  const std::vector<Provider> stores = {provider("reference"),
                                        Provider("mutex", &MutexStore::open)};
  for (const Provider& store : stores) {
    const auto runner = make_controlled_history_runner(store, {}, 5000);
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      const ConcurrentRunResult run = run_concurrent_certification(*runner, config_of(seed, 40));
      EXPECT_FALSE(run.counterexample.has_value())
          << store.name() << " seed " << seed << ": "
          << run.counterexample->judgement.violation.expected;
    }
  }
}

}  // namespace
}  // namespace logoffcheck::providers
