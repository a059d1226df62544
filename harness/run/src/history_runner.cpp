// The runners of concurrent histories: in this process, and in a child
// process per case that publishes every call into shared memory as it
// happens (the isolating runner's design, isolation.h, without a fork
// server: a history's threads are what the child runs, and a fork per case
// is amortised over the case's repeats).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <type_traits>

#include "logoffcheck/errors.h"
#include "logoffcheck/history.h"
#include "logoffcheck/support.h"

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

// Exit statuses of the child that are the verifier's, not the provider's.
constexpr int kCannotOpenStore = 121;

// Memory shared with the child: `count` slots.
class SharedSlots {
 public:
  explicit SharedSlots(std::size_t count) : count_(count) {
    bytes_ = std::max<std::size_t>(1, count) * sizeof(HistorySlot);
    void* memory = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw InternalError("cannot map memory for a concurrent history");
    slots_ = static_cast<HistorySlot*>(memory);
    for (std::size_t i = 0; i < count; ++i) new (&slots_[i]) HistorySlot();
  }
  ~SharedSlots() { munmap(slots_, bytes_); }
  SharedSlots(const SharedSlots&) = delete;
  SharedSlots& operator=(const SharedSlots&) = delete;

  std::span<HistorySlot> all() const noexcept { return {slots_, count_}; }

 private:
  std::size_t count_;
  std::size_t bytes_;
  HistorySlot* slots_;
};

// Calls begun and ended so far: progress, for the hang timeout.
std::uint64_t progress(std::span<const HistorySlot> slots) {
  std::uint64_t sum = 0;
  for (const HistorySlot& slot : slots) sum += slot.phase.load(std::memory_order_acquire);
  return sum;
}

[[noreturn]] void child(const Provider& provider, const CaseOptions& options,
                        const ConcurrentCase& c, std::uint32_t repeat, std::uint64_t schedule_seed,
                        std::span<HistorySlot> slots, std::size_t per_run) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // A crash must reach the verifier as the signal itself, not as a
  // sanitizer's report of it; and nothing the provider prints reaches the
  // verifier's output.
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) signal(fault, SIG_DFL);
  const int null = open("/dev/null", O_WRONLY);
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
  }
  try {
    for (std::uint32_t run = 0; run < repeat; ++run) {
      play_once(provider, options, c, schedule_seed + run, slots.subspan(run * per_run, per_run));
    }
  } catch (const ConfigurationError&) {
    _exit(kCannotOpenStore);
  }
  _exit(0);
}

class IsolatedHistoryRunner final : public HistoryRunner {
 public:
  IsolatedHistoryRunner(Provider provider, CaseOptions options, std::uint32_t timeout_ms)
      : provider_(std::move(provider)), options_(options), timeout_ms_(timeout_ms) {
    if (timeout_ms == 0) throw ConfigurationError("the call timeout must be above 0 ms");
  }

  std::vector<History> play(const ConcurrentCase& c, std::uint32_t repeat,
                            std::uint64_t schedule_seed) override {
    require_valid(c, options_.profile);
    std::vector<History> histories;
    // A child that dies ends its own run; the runs after it are played by
    // the next child, so that every case gets `repeat` histories.
    while (histories.size() < repeat) {
      const std::size_t before = histories.size();
      play_in_child(c, static_cast<std::uint32_t>(repeat - before), schedule_seed + before,
                    histories);
      if (histories.size() == before) break;  // died before its first call
    }
    return histories;
  }

  const CaseOptions& options() const noexcept override { return options_; }

 private:
  // Forks one child that plays `repeat` runs; appends the histories of the
  // runs it began.
  void play_in_child(const ConcurrentCase& c, std::uint32_t repeat, std::uint64_t schedule_seed,
                     std::vector<History>& histories) const {
    const std::size_t per_run = history_slots(c, options_.profile);
    const std::size_t prefix = play_prefix(options_.profile, c.prefix).steps.size();
    SharedSlots shared(per_run * repeat);
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw InternalError("cannot fork a child for a concurrent history");
    if (pid == 0) child(provider_, options_, c, repeat, schedule_seed, shared.all(), per_run);
    const auto [status, hung] = wait_for(pid, shared.all());
    if (!hung && WIFEXITED(status) && WEXITSTATUS(status) == kCannotOpenStore) {
      throw ConfigurationError("provider '" + provider_.name() + "' gave no store in the child");
    }
    const std::size_t first = histories.size();
    for (std::uint32_t run = 0; run < repeat; ++run) {
      const std::span<HistorySlot> slots = shared.all().subspan(run * per_run, per_run);
      if (progress(slots) == 0) break;  // the child died before this run
      History history = collect_history(slots, prefix);
      mark_fault(history, status, hung);
      histories.push_back(std::move(history));
    }
    const bool abnormal = hung || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (abnormal && histories.size() > first && !histories.back().calls.empty() &&
        std::all_of(histories.back().calls.begin(), histories.back().calls.end(),
                    [](const HistoryCall& call) { return call.completed; })) {
      // The child died between calls (after a call returned, before the
      // next began): the death belongs to the last call it made.
      histories.back().calls.back().completed = false;
      mark_fault(histories.back(), status, hung);
    }
  }

  struct End {
    int status = 0;
    bool hung = false;
  };

  // Waits for the child; kills it when no call began or ended for the timeout.
  End wait_for(pid_t pid, std::span<const HistorySlot> slots) const {
    using Clock = std::chrono::steady_clock;
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    std::uint64_t seen = progress(slots);
    auto last_change = Clock::now();
    End end;
    for (;;) {
      int status = 0;
      const pid_t ended = waitpid(pid, &status, WNOHANG);
      if (ended == pid) {
        end.status = status;
        break;
      }
      if (ended < 0 && errno != EINTR) break;
      if (pidfd >= 0) {
        pollfd wait{pidfd, POLLIN, 0};
        poll(&wait, 1, 10);
      } else {
        usleep(200);
      }
      const std::uint64_t now_seen = progress(slots);
      if (now_seen != seen) {
        seen = now_seen;
        last_change = Clock::now();
      } else if (Clock::now() - last_change > std::chrono::milliseconds(timeout_ms_)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        end.hung = true;
        break;
      }
    }
    if (pidfd >= 0) close(pidfd);
    return end;
  }

  // The calls in progress when the child died or hung: RC-3's observation.
  void mark_fault(History& history, int status, bool hung) const {
    for (HistoryCall& call : history.calls) {
      if (call.completed) continue;
      call.observed = Observation{};
      if (hung) {
        call.observed.outcome = CallOutcome::hung;
        call.observed.fault_detail = static_cast<std::int32_t>(timeout_ms_);
      } else if (WIFSIGNALED(status)) {
        call.observed.outcome = CallOutcome::signaled;
        call.observed.fault_detail = WTERMSIG(status);
      } else {
        call.observed.outcome = CallOutcome::exited;
        call.observed.fault_detail = WEXITSTATUS(status);
      }
    }
  }

  Provider provider_;
  CaseOptions options_;
  std::uint32_t timeout_ms_;
};

}  // namespace

std::unique_ptr<HistoryRunner> make_in_process_history_runner(Provider provider,
                                                              CaseOptions options) {
  return std::make_unique<InProcessHistoryRunner>(std::move(provider), options);
}

std::unique_ptr<HistoryRunner> make_isolated_history_runner(Provider provider, CaseOptions options,
                                                            std::uint32_t timeout_ms) {
  return std::make_unique<IsolatedHistoryRunner>(std::move(provider), options, timeout_ms);
}

}  // namespace logoffcheck
