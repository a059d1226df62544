// The runner of controlled schedules (schedule.h): a child process per case
// plays the case's runs, traced by the controlled scheduler in this process
// (ptrace_scheduler.h), and publishes every call into memory shared with
// the verifier as it happens, as the isolated history runner does.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <new>
#include <stdexcept>

#include "case_interpreter.h"
#include "code_map.h"
#include "logoffcheck/errors.h"
#include "logoffcheck/history.h"
#include "logoffcheck/support.h"
#include "ptrace_scheduler.h"

namespace logoffcheck {

std::vector<History> HistoryRunner::play_schedules(const ConcurrentCase&,
                                                   std::span<const Schedule>) {
  throw ConfigurationError("a recorded schedule is played only with --schedule controlled");
}

namespace {

constexpr int kCannotOpenStore = 121;
constexpr int kCannotBeTraced = 122;

// `count` slots in memory shared with the child, at the same address in both.
class SharedMemory {
 public:
  explicit SharedMemory(std::size_t count) : count_(count) {
    bytes_ = std::max<std::size_t>(1, count) * sizeof(HistorySlot);
    void* memory = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw InternalError("cannot map memory for a controlled history");
    slots_ = static_cast<HistorySlot*>(memory);
    for (std::size_t i = 0; i < count; ++i) new (&slots_[i]) HistorySlot();
  }
  ~SharedMemory() { munmap(slots_, bytes_); }
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;
  std::span<HistorySlot> all() const noexcept { return {slots_, count_}; }

 private:
  std::size_t count_;
  std::size_t bytes_;
  HistorySlot* slots_;
};

[[noreturn]] void play_traced(const Provider& provider, const CaseOptions& options,
                              const ConcurrentCase& c, std::uint32_t first_run, std::uint32_t runs,
                              std::span<HistorySlot> slots, std::size_t per_run,
                              std::uint32_t memory_limit_mb) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(fault, SIG_DFL);
  const int null = open("/dev/null", O_WRONLY);
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
  }
  if (!detail::become_traced()) _exit(kCannotBeTraced);
  if (memory_limit_mb != 0) {
    const rlim_t bytes = static_cast<rlim_t>(memory_limit_mb) << 20;
    const rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
  }
  detail::MarkingHooks hooks;
  try {
    for (std::uint32_t i = 0; i < runs; ++i) {
      detail::mark(detail::Marker::play_begin, first_run + i);
      SimulatedSupport support({}, SimulatedSupport::Callers::threads);
      IMsgStore& store = open_checked_store(provider, support);
      PlayOptions play;
      play.hooks = &hooks;
      play_history(store, support, c, options.profile, play, slots.subspan(i * per_run, per_run));
      detail::mark(detail::Marker::play_end, first_run + i);
    }
  } catch (const ConfigurationError&) {
    _exit(kCannotOpenStore);
  }
  _exit(0);
}

class ControlledHistoryRunner final : public HistoryRunner {
 public:
  ControlledHistoryRunner(Provider provider, CaseOptions options, std::uint32_t timeout_ms,
                          ControlledSettings settings)
      : provider_(std::move(provider)),
        options_(options),
        timeout_ms_(timeout_ms),
        settings_(settings),
        code_(detail::CodeMap::of(provider_)),
        scheduler_(code_, settings, timeout_ms) {
    if (timeout_ms == 0) throw ConfigurationError("the call timeout must be above 0 ms");
  }

  std::vector<History> play(const ConcurrentCase& c, std::uint32_t repeat,
                            std::uint64_t schedule_seed) override {
    const auto threads = static_cast<std::uint32_t>(c.threads.size());
    return play_plans(c, repeat, [&](std::uint32_t run, std::uint64_t steps) {
      return plan_schedule(settings_, threads, schedule_seed, run, steps);
    });
  }

  std::vector<History> play_schedules(const ConcurrentCase& c,
                                      std::span<const Schedule> schedules) override {
    for (const Schedule& schedule : schedules) {
      if (schedule.priorities.size() != c.threads.size()) {
        throw ConfigurationError("the schedule orders " +
                                 std::to_string(schedule.priorities.size()) +
                                 " threads, the case has " + std::to_string(c.threads.size()));
      }
    }
    return play_plans(c, static_cast<std::uint32_t>(schedules.size()),
                      [&](std::uint32_t run, std::uint64_t) { return schedules[run].decisions(); });
  }

  bool controlled() const noexcept override { return true; }
  const CaseOptions& options() const noexcept override { return options_; }

 private:
  std::vector<History> play_plans(const ConcurrentCase& c, std::uint32_t repeat,
                                  const detail::PtraceScheduler::Plan& plan) {
    if (!concurrent_case_valid(c, options_.profile)) {
      throw std::invalid_argument("a concurrent case that breaks the caller rules of concurrency");
    }
    scheduler_.reset_first_steps();
    std::vector<History> histories;
    while (histories.size() < repeat) {
      const std::size_t before = histories.size();
      play_in_child(c, static_cast<std::uint32_t>(before),
                    static_cast<std::uint32_t>(repeat - before), plan, histories);
      if (histories.size() == before) break;  // died before its first call
    }
    return histories;
  }

  void play_in_child(const ConcurrentCase& c, std::uint32_t first_run, std::uint32_t runs,
                     const detail::PtraceScheduler::Plan& plan, std::vector<History>& histories) {
    const std::size_t per_run = history_slots(c, options_.profile);
    const std::size_t prefix = play_prefix(options_.profile, c.prefix).steps.size();
    SharedMemory shared(per_run * runs);
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw InternalError("cannot fork a child for a controlled history");
    if (pid == 0)
      play_traced(provider_, options_, c, first_run, runs, shared.all(), per_run,
                  settings_.memory_limit_mb);
    const detail::TraceResult traced = scheduler_.trace(pid, first_run, plan);
    const int status = traced.status;
    if (!traced.hung && WIFEXITED(status) && WEXITSTATUS(status) == kCannotBeTraced) {
      throw ConfigurationError(
          "--schedule controlled cannot trace its child here (ptrace is "
          "forbidden: Yama ptrace_scope or seccomp); use --schedule free");
    }
    if (!traced.hung && WIFEXITED(status) && WEXITSTATUS(status) == kCannotOpenStore) {
      throw ConfigurationError("provider '" + provider_.name() + "' gave no store in the child");
    }
    const bool abnormal = traced.hung || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    for (std::uint32_t run = 0; run < runs; ++run) {
      const std::span<HistorySlot> slots = shared.all().subspan(run * per_run, per_run);
      bool begun = false;
      for (const HistorySlot& slot : slots) begun = begun || slot.phase.load() != 0;
      if (!begun) break;
      History history = collect_history(slots, prefix);
      if (run < traced.schedules.size()) history.schedule = traced.schedules[run];
      const bool last = run + 1 == runs || run + 1 >= traced.schedules.size();
      if (abnormal && last) {
        bool in_progress = false;
        for (const HistoryCall& call : history.calls) in_progress = in_progress || !call.completed;
        // Died between calls: the death belongs to the last call made.
        if (!in_progress && !history.calls.empty()) history.calls.back().completed = false;
        mark_fault(history, status, traced);
      }
      histories.push_back(std::move(history));
      if (abnormal && last) break;
    }
  }

  void mark_fault(History& history, int status, const detail::TraceResult& traced) const {
    history.hang = traced.hang;
    for (HistoryCall& call : history.calls) {
      if (call.completed) continue;
      call.observed = Observation{};
      if (traced.hung) {
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
  ControlledSettings settings_;
  detail::CodeMap code_;
  detail::PtraceScheduler scheduler_;
};

}  // namespace

std::unique_ptr<HistoryRunner> make_controlled_history_runner(Provider provider,
                                                              CaseOptions options,
                                                              std::uint32_t timeout_ms,
                                                              ControlledSettings settings) {
  return std::make_unique<ControlledHistoryRunner>(std::move(provider), options, timeout_ms,
                                                   settings);
}

}  // namespace logoffcheck
