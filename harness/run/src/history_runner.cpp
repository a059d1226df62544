// The runners of concurrent histories: in this process, and in a fresh
// worker of the isolating runner's fork server per case (worker_pool.h),
// which publishes every call into shared memory as it happens: one
// isolating runner for every kind of case.
#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "case_interpreter.h"
#include "logoffcheck/errors.h"
#include "logoffcheck/history.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/support.h"
#include "worker_pool.h"

namespace logoffcheck {

static_assert(std::is_trivially_copyable_v<HistoryCall>);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

namespace {

// Cases that break the caller rules are the verifier's bug, not the store's.
void require_valid(const ConcurrentCase& c, Profile profile) {
  if (!concurrent_case_valid(c, profile)) {
    throw std::invalid_argument("a concurrent case that breaks the caller rules of concurrency");
  }
}

// Opens a fresh store and plays `c` once into `slots`. A store that is not
// destroyed at the end (a broken one) is left alone: it is never called again.
void play_once(const Provider& provider, const CaseOptions& options, const ConcurrentCase& c,
               std::uint64_t schedule_seed, std::span<HistorySlot> slots) {
  SimulatedSupport support({}, SimulatedSupport::Callers::threads);
  IMsgStore& store = open_checked_store(provider, support);
  PlayOptions play;
  play.schedule_seed = schedule_seed;
  play_history(store, support, c, options.profile, play, slots);
}

class InProcessHistoryRunner final : public HistoryRunner {
 public:
  InProcessHistoryRunner(Provider provider, CaseOptions options)
      : provider_(std::move(provider)), options_(options) {}

  std::vector<History> play(const ConcurrentCase& c, std::uint32_t repeat,
                            std::uint64_t schedule_seed) override {
    require_valid(c, options_.profile);
    const std::size_t slots = history_slots(c, options_.profile);
    const std::size_t prefix = play_prefix(options_.profile, c.prefix).steps.size();
    std::vector<History> histories;
    for (std::uint32_t run = 0; run < repeat; ++run) {
      std::vector<HistorySlot> memory(slots);
      play_once(provider_, options_, c, schedule_seed + run, memory);
      histories.push_back(collect_history(memory, prefix));
    }
    return histories;
  }

  const CaseOptions& options() const noexcept override { return options_; }

 private:
  Provider provider_;
  CaseOptions options_;
};

// Calls begun and ended in `slots`.
std::uint64_t progress(std::span<const HistorySlot> slots) {
  std::uint64_t sum = 0;
  for (const HistorySlot& slot : slots) sum += slot.phase.load(std::memory_order_acquire);
  return sum;
}

// Plays each case in a fresh worker of a fork server (worker_pool.h).
class IsolatedHistoryRunner final : public HistoryRunner {
 public:
  IsolatedHistoryRunner(Provider provider, CaseOptions options, const IsolationOptions& isolation)
      : pool_(std::move(provider), options, isolation) {
    if (isolation.timeout_ms == 0) throw ConfigurationError("the call timeout must be above 0 ms");
  }

  std::vector<History> play(const ConcurrentCase& c, std::uint32_t repeat,
                            std::uint64_t schedule_seed) override {
    require_valid(c, options().profile);
    if (c.threads.size() > isolation::kMaxSharedThreads) {
      throw std::invalid_argument("a concurrent case with more threads than a worker takes");
    }
    std::vector<History> histories;
    // A worker that dies ends its own run; the runs after it are played by
    // the next worker, so that every case gets `repeat` histories.
    while (histories.size() < repeat) {
      const std::size_t before = histories.size();
      const bool go_on = play_in_worker(c, static_cast<std::uint32_t>(repeat - before),
                                        schedule_seed + before, histories);
      if (!go_on || histories.size() == before) break;
    }
    return histories;
  }

  const CaseOptions& options() const noexcept override { return pool_.options(); }

 private:
  // Plays `repeat` runs in one worker; appends the histories of the runs it
  // began. Returns false when more runs would only meet the same end: the
  // worker ran out of memory.
  bool play_in_worker(const ConcurrentCase& c, std::uint32_t repeat, std::uint64_t schedule_seed,
                      std::vector<History>& histories) {
    using namespace isolation;
    const Profile profile = options().profile;
    const std::size_t per_run = history_slots(c, profile);
    const std::size_t prefix = play_prefix(profile, c.prefix).steps.size();
    std::size_t steps = c.prefix.size();
    for (const std::vector<Step>& thread : c.threads) steps += thread.size();
    pool_.ensure_capacity(steps, per_run * repeat);
    const ChildEnd end = pool_.play(Command::history, [&](SharedCase& shared) {
      Step* out = std::copy(c.prefix.begin(), c.prefix.end(), shared.steps(0));
      SharedHistory& work = shared.batch().history;
      work = {};
      for (const std::vector<Step>& thread : c.threads) {
        out = std::copy(thread.begin(), thread.end(), out);
        work.thread_steps[work.threads++] = static_cast<std::uint32_t>(thread.size());
      }
      work.repeat = repeat;
      work.schedule_seed = schedule_seed;
      work.prefix_steps = static_cast<std::uint32_t>(c.prefix.size());
      work.slots_per_run = static_cast<std::uint32_t>(per_run);
      shared.batch().cases = 1;
      shared.header(0).reset(static_cast<std::uint32_t>(steps));
      shared.reset_history_slots(per_run * repeat);
    });
    const SharedCase& shared = pool_.shared();
    const SharedHeader& header = shared.header(0);
    switch (header.phase.load(std::memory_order_acquire)) {
      case Phase::configuration_error:
        throw ConfigurationError(header.message.data());
      case Phase::internal_error:
        throw InternalError(std::string("isolation: in the child process: ") +
                            header.message.data());
      case Phase::opening:
        if (header.observations.load() <= 1) pool_.throw_open_failure(end, header);
        break;
      case Phase::playing:
      case Phase::finished:
        break;
    }
    const std::size_t first = histories.size();
    for (std::uint32_t run = 0; run < repeat; ++run) {
      const std::span<HistorySlot> slots = shared.history_slots().subspan(run * per_run, per_run);
      if (progress(slots) == 0) break;  // the worker ended before this run
      histories.push_back(collect_history(slots, prefix));
    }
    const bool out_of_memory = header.memory_exhausted.load(std::memory_order_acquire);
    if (!end.finished && histories.size() > first) {
      mark_fault(histories.back(), end, header);
    }
    for (std::size_t i = first; i < histories.size(); ++i) {
      if (out_of_memory) mark_out_of_memory(histories[i]);
      if (const OutputCapture* capture = pool_.capture()) {
        histories[i].provider_output = capture->tail();
        histories[i].provider_output_bytes = capture->bytes();
      }
    }
    return !out_of_memory;
  }

  // The calls in progress when the worker died or hung: RC-3's observation.
  // A worker that died between calls, or while it waited for the threads a
  // run left running, died of the last call it made.
  void mark_fault(History& history, const isolation::ChildEnd& end,
                  const isolation::SharedHeader& header) const {
    const Observation fault = isolation::fault_observation(end, pool_.isolation(), header);
    bool marked = false;
    for (HistoryCall& call : history.calls) {
      if (call.completed) continue;
      call.observed = fault;
      marked = true;
    }
    if (marked || history.calls.empty()) return;
    HistoryCall& last = history.calls.back();
    last.completed = false;
    last.responded = UINT64_MAX;
    last.observed = header.settling_after.load() != 0 ? pool_.late_fault(end, header) : fault;
  }

  // Under the memory limit, a call that threw because an allocation failed
  // ran out of memory.
  void mark_out_of_memory(History& history) const {
    for (HistoryCall& call : history.calls) {
      if (call.observed.outcome != CallOutcome::threw) continue;
      call.observed = Observation{};
      call.observed.outcome = CallOutcome::out_of_memory;
      call.observed.fault_detail = static_cast<std::int32_t>(pool_.isolation().memory_limit_mb);
    }
  }

  isolation::WorkerPool pool_;
};

}  // namespace

std::unique_ptr<HistoryRunner> make_in_process_history_runner(Provider provider,
                                                              CaseOptions options) {
  return std::make_unique<InProcessHistoryRunner>(std::move(provider), options);
}

std::unique_ptr<HistoryRunner> make_isolated_history_runner(Provider provider, CaseOptions options,
                                                            const IsolationOptions& isolation) {
  return std::make_unique<IsolatedHistoryRunner>(std::move(provider), options, isolation);
}

std::unique_ptr<HistoryRunner> make_isolated_history_runner(Provider provider, CaseOptions options,
                                                            std::uint32_t timeout_ms) {
  return make_isolated_history_runner(std::move(provider), options,
                                      IsolationOptions{.timeout_ms = timeout_ms});
}

}  // namespace logoffcheck
