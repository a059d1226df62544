#include "logoffcheck/history.h"

#include <algorithm>
#include <thread>

#include "case_interpreter.h"
#include "logoffcheck/support.h"
#include "seeded_random.h"

namespace logoffcheck {

namespace {

// A short busy wait the compiler cannot remove: shifts where a thread's
// call falls against the others' without giving up the core.
void spin(std::uint32_t iterations) noexcept {
  for (std::uint32_t i = 0; i < iterations; ++i) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
}

struct ThreadTally {
  ULONG handed_over = 0;  // references_handed_over
  ULONG kept = 0;         // references held once the run ended
  bool holds_one_until_last_call = true;
};

ThreadTally tally_thread(std::span<const Step> steps) noexcept {
  ThreadTally tally;
  long owned = 0;
  long lowest = 0;
  for (const Step& step : steps) {
    if (step.action == Action::AddRef) ++owned;
    if (step.action == Action::Release) --owned;
    lowest = std::min(lowest, owned);
  }
  tally.handed_over = static_cast<ULONG>(-lowest);
  owned = tally.handed_over;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (owned < 1) tally.holds_one_until_last_call = false;
    if (steps[i].action == Action::AddRef) ++owned;
    if (steps[i].action == Action::Release) --owned;
  }
  tally.kept = static_cast<ULONG>(owned);
  return tally;
}

// Records one call or event into `slot`, stamping it with `clock`.
template <typename Make>
bool record(HistorySlot& slot, std::uint32_t thread, const Step& step,
            std::atomic<std::uint64_t>& clock, Make&& make) noexcept {
  slot.call.thread = thread;
  slot.call.step = step;
  slot.call.invoked = clock.fetch_add(1);
  slot.phase.store(1, std::memory_order_release);
  const bool alive = make(slot.call.observed);
  slot.call.responded = clock.fetch_add(1);
  slot.phase.store(2, std::memory_order_release);
  return alive;
}

}  // namespace

PlayedPrefix play_prefix(Profile profile, std::span<const Step> prefix) {
  PlayedPrefix played{{}, initial_state(profile)};
  for (const Step& step : prefix) {
    if (!caller_may(played.after, step)) continue;
    const Transition transition = logoffcheck::step(played.after, step);
    if (transition.next.destroyed) break;
    played.steps.push_back(step);
    played.after = transition.next;
  }
  return played;
}

ULONG references_handed_over(std::span<const Step> steps) noexcept {
  return tally_thread(steps).handed_over;
}

bool concurrent_case_valid(const ConcurrentCase& c, Profile profile) {
  const PlayedPrefix prefix = play_prefix(profile, c.prefix);
  ULONG handed_over = 0;
  std::size_t calls = 0;
  for (const std::vector<Step>& steps : c.threads) {
    calls += steps.size();
    for (const Step& step : steps) {
      if (!is_client_call(step.action)) return false;
      if (profile == Profile::eager && is_valid_store_logoff(step)) return false;
      if (prefix.after.complete_returned && step.action != Action::Release) return false;
    }
    handed_over += tally_thread(steps).handed_over;
  }
  if (calls > kMaxConcurrentCalls || handed_over > prefix.after.ref_count) return false;
  if (handed_over < prefix.after.ref_count) return true;
  // The client kept nothing: the count stays above zero only while every
  // thread holds a reference through to its last call.
  return std::all_of(c.threads.begin(), c.threads.end(), [](const std::vector<Step>& steps) {
    if (steps.empty()) return true;
    const ThreadTally tally = tally_thread(steps);
    return tally.handed_over >= 1 && tally.holds_one_until_last_call;
  });
}

ULONG final_releases(const ConcurrentCase& c, Profile profile) {
  ULONG held = play_prefix(profile, c.prefix).after.ref_count;
  for (const std::vector<Step>& steps : c.threads) {
    const ThreadTally tally = tally_thread(steps);
    held = held - tally.handed_over + tally.kept;
  }
  return held;
}

std::size_t history_slots(const ConcurrentCase& c, Profile profile) {
  std::size_t slots = play_prefix(profile, c.prefix).steps.size() + final_releases(c, profile);
  for (const std::vector<Step>& steps : c.threads) slots += steps.size();
  return slots;
}

void play_history(IMsgStore& store, SimulatedSupport& support, const ConcurrentCase& c,
                  Profile profile, const PlayOptions& options, std::span<HistorySlot> slots) {
  const PlayedPrefix prefix = play_prefix(profile, c.prefix);
  std::atomic<std::uint64_t> clock{0};
  std::size_t next = 0;
  const auto client_call = [&](const Step& step) {
    return record(slots[next++], kClientThread, step, clock, [&](Observation& observed) {
      if (is_client_call(step.action)) return call_store(store, support, step, observed);
      support.apply_environment_event(step.action);
      return true;
    });
  };
  for (const Step& step : prefix.steps) {
    if (!client_call(step)) return;
  }

  // The threads wait at a barrier of their own (a spinning one: a blocking
  // barrier would release them one after the other) and start together.
  std::atomic<std::size_t> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> all_alive{true};
  std::vector<std::thread> threads;
  threads.reserve(c.threads.size());
  if (options.hooks != nullptr) options.hooks->threads_starting();
  for (std::size_t t = 0; t < c.threads.size(); ++t) {
    const std::span<HistorySlot> mine = slots.subspan(next, c.threads[t].size());
    next += c.threads[t].size();
    threads.emplace_back([&, t, mine] {
      // The schedule perturbation's amounts, reproducible per seed.
      rc::Random random =
          detail::seeded_random(detail::RandomUse::free_perturbation, options.schedule_seed, t);
      const auto perturb = [&] {
        if (options.hooks != nullptr) return;  // the scheduler decides
        const std::uint64_t amount = random.next();
        if (options.max_spin != 0) spin(static_cast<std::uint32_t>(amount % options.max_spin));
        if ((amount >> 40) % 8 == 0) std::this_thread::yield();
      };
      const auto thread = static_cast<std::uint32_t>(t);
      if (options.hooks != nullptr) {
        options.hooks->thread_ready(thread);
      } else {
        ready.fetch_add(1);
        // Yielding, not spinning: on a loaded machine a spinning thread would
        // keep the core the next thread needs to reach the barrier.
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      }
      const struct Done {
        PlayHooks* hooks;
        std::uint32_t thread;
        ~Done() {
          if (hooks != nullptr) hooks->thread_done(thread);
        }
      } done{options.hooks, thread};
      for (std::size_t i = 0; i < mine.size(); ++i) {
        perturb();
        const Step& step = c.threads[t][i];
        if (options.hooks != nullptr) options.hooks->before_call(thread, mine[i], store, step);
        const bool alive = record(mine[i], thread, step, clock, [&](Observation& observed) {
          return call_store_concurrently(store, support, step, observed);
        });
        if (!alive) {
          all_alive = false;
          return;
        }
      }
    });
  }
  if (options.hooks != nullptr) {
    options.hooks->threads_started();
  } else {
    while (ready.load() != threads.size()) std::this_thread::yield();
    go.store(true, std::memory_order_release);
  }
  for (std::thread& thread : threads) thread.join();
  if (!all_alive) return;

  const ULONG finals = final_releases(c, profile);
  for (ULONG i = 0; i < finals; ++i) {
    if (!client_call(release())) return;
  }
}

History collect_history(std::span<const HistorySlot> slots, std::size_t prefix_length) {
  // Slots are laid out prefix, threads, final Releases (play_history).
  History history;
  std::vector<HistoryCall> concurrent;
  std::vector<HistoryCall> finals;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const std::uint32_t phase = slots[i].phase.load(std::memory_order_acquire);
    if (phase == 0) continue;
    HistoryCall call = slots[i].call;
    call.completed = phase == 2;
    if (!call.completed) call.responded = UINT64_MAX;
    if (call.thread != kClientThread) {
      concurrent.push_back(call);
    } else if (i < prefix_length) {
      history.calls.push_back(call);
    } else {
      finals.push_back(call);
    }
  }
  history.prefix_length = history.calls.size();
  std::sort(concurrent.begin(), concurrent.end(),
            [](const HistoryCall& a, const HistoryCall& b) { return a.invoked < b.invoked; });
  history.calls.insert(history.calls.end(), concurrent.begin(), concurrent.end());
  history.calls.insert(history.calls.end(), finals.begin(), finals.end());
  return history;
}

}  // namespace logoffcheck
