#include "fork_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "case_interpreter.h"
#include "logoffcheck/errors.h"
#include "logoffcheck/support.h"
#include "process_tree.h"
#include "sandbox.h"

namespace logoffcheck::isolation {

namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void copy_message(SharedHeader& header, const char* text) noexcept {
  std::strncpy(header.message.data(), text, header.message.size() - 1);
  header.message.back() = '\0';
}

// The worker's view of the case it plays, for the new-handler and the
// fault handler.
SharedHeader* current_header = nullptr;

// Notes the worker's address space in the case's header, so that the
// verifier can say a fault came at the memory limit. Async-signal-safe:
// only open, read and close of /proc/self/statm.
void note_address_space() noexcept {
  if (current_header == nullptr) return;
  const int statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (statm < 0) return;
  char text[64];
  const ssize_t length = read(statm, text, sizeof text - 1);
  close(statm);
  std::uint64_t pages = 0;
  for (ssize_t i = 0; i < length && text[i] >= '0' && text[i] <= '9'; ++i) {
    pages = pages * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  current_header->address_space_at_fault.store(
      pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)), std::memory_order_release);
}

// A fatal signal: note the address space, then die of the signal itself
// (the handler resets to the default and the signal is not blocked in it).
void on_fault(int signal_number) {
  note_address_space();
  raise(signal_number);
}

#ifdef __GLIBC__
// A provider that calls exit() ends the worker with its status and nothing
// else: the verifier's atexit handlers and static destructors belong to the
// verifier (LeakSanitizer's among them, which would replace the status).
void exit_with_status_only(int status, void*) {
  note_address_space();
  _exit(status);
}
#endif

// Under the memory limit, a failed allocation is noted for the verifier,
// which names the limit in the observation, and then fails as usual.
void note_memory_exhausted() {
  if (current_header != nullptr) {
    current_header->memory_exhausted.store(true, std::memory_order_release);
  }
  throw std::bad_alloc();
}

// Waits while the store has more threads than `threads_before`, at most
// until settle_ms after the last call returned: a thread that crashes or
// exits meanwhile is the store's late fault, which the verifier attributes
// to call number `call` (1-based). Returns the threads there were when it
// stopped waiting.
std::size_t settle(SharedHeader& header, std::size_t threads_before, std::uint32_t call,
                   const WorkerSettings& settings) noexcept {
  std::size_t threads = thread_count();
  if (threads <= threads_before) return threads;
  header.settling_after.store(call, std::memory_order_release);
  const std::int64_t until = header.returned_at_ns.load(std::memory_order_relaxed) +
                             std::int64_t{settings.settle_ms} * 1'000'000;
  while (now_ns() < until && (threads = thread_count()) > threads_before) usleep(1000);
  header.settling_after.store(0, std::memory_order_release);
  return threads;
}

// The threads of this worker when its last case ended with none of the
// store's left running, 0 when unknown: the next case starts with as many,
// and need not count them again (one fstat of /proc per case, not two).
std::size_t threads_between_cases = 0;

// Plays the case in slot `slot` against a fresh store. `alone`: watches after
// every call for threads it left running (else only after the whole case).
// Returns true when the case was played to its end and passed: the batch
// goes on.
bool play_shared_case(const Provider& provider, const CaseOptions& options,
                      const SharedCase& shared, std::size_t slot, const WorkerSettings& settings,
                      bool alone) {
  SharedHeader& header = shared.header(slot);
  current_header = &header;
  const std::size_t threads_before_case =
      threads_between_cases != 0 ? threads_between_cases : thread_count();
  threads_between_cases = 0;  // until this case ends with none left running
  try {
    CaseStores stores(provider);
    stores.open_first();
    header.phase.store(Phase::playing, std::memory_order_release);
    std::uint32_t calls = 0;
    CaseResult result;
    // The verifier judges the case in full from the observations; the
    // worker needs only to know whether to go on.
    CaseInterpreter(options, CaseInterpreter::Judging::verdict_only)
        .run(
            std::span<const Step>(shared.steps(slot), header.step_count), false, result,
            [&](const Step& step, Observation& observed) {
              const std::size_t threads_before = alone ? thread_count() : 0;
              const bool returned = stores.call(step, observed);
              if (header.memory_exhausted.load(std::memory_order_acquire)) {
                observed = {};
                observed.outcome = CallOutcome::out_of_memory;
                observed.fault_detail = static_cast<std::int32_t>(settings.memory_limit_mb);
              }
              if (calls >= shared.observation_capacity()) {
                throw InternalError("isolation: more calls than the shared memory holds");
              }
              std::memcpy(&shared.observations(slot)[calls], &observed, sizeof(Observation));
              header.observations.store(++calls, std::memory_order_release);
              // When a call returned matters only to the settle() after it
              // (the window, and the delay of a late fault): after every call
              // when alone, else only after the case's last.
              if (alone && returned) {
                header.returned_at_ns.store(now_ns(), std::memory_order_relaxed);
                settle(header, threads_before, calls, settings);
              }
              return returned && observed.outcome == CallOutcome::returned;
            },
            [&](const Step& step) { stores.environment_event(step); });
    if (!alone) header.returned_at_ns.store(now_ns(), std::memory_order_relaxed);
    const std::size_t threads_left = settle(header, threads_before_case, calls, settings);
    if (threads_left <= threads_before_case) threads_between_cases = threads_left;
    header.phase.store(Phase::finished, std::memory_order_release);
    return !result.failed();
  } catch (const ConfigurationError& error) {
    copy_message(header, error.what());
    header.phase.store(Phase::configuration_error, std::memory_order_release);
  } catch (const std::exception& error) {
    copy_message(header, error.what());
    header.phase.store(Phase::internal_error, std::memory_order_release);
  } catch (...) {
    copy_message(header, "an exception not derived from std::exception");
    header.phase.store(Phase::internal_error, std::memory_order_release);
  }
  return false;
}

// Plays the concurrent case of the batch header `repeat` times, each run
// against a fresh store, into the history slots; after each run, waits for
// threads the store left running (a fault meanwhile is the run's late fault).
// Publishes the runs begun in slot 0's `observations`.
void play_shared_history(const Provider& provider, const CaseOptions& options,
                         const SharedCase& shared, const WorkerSettings& settings) {
  SharedHeader& header = shared.header(0);
  current_header = &header;
  const SharedHistory& work = shared.batch().history;
  try {
    ConcurrentCase c;
    const Step* steps = shared.steps(0);
    c.prefix.assign(steps, steps + work.prefix_steps);
    steps += work.prefix_steps;
    for (std::uint32_t t = 0; t < work.threads; ++t) {
      c.threads.emplace_back(steps, steps + work.thread_steps[t]);
      steps += work.thread_steps[t];
    }
    const std::span<HistorySlot> slots = shared.history_slots();
    for (std::uint32_t run = 0; run < work.repeat; ++run) {
      header.observations.store(run + 1, std::memory_order_release);
      const std::size_t threads_before = thread_count();
      SimulatedSupport support({}, SimulatedSupport::Callers::threads);
      IMsgStore& store = open_checked_store(provider, support);
      header.phase.store(Phase::playing, std::memory_order_release);
      PlayOptions play;
      play.schedule_seed = work.schedule_seed + run;
      play_history(store, support, c, options.profile, play,
                   slots.subspan(std::size_t{run} * work.slots_per_run, work.slots_per_run));
      header.returned_at_ns.store(now_ns(), std::memory_order_relaxed);
      settle(header, threads_before, run + 1, settings);
      // A store at its memory limit fails whatever comes next, the
      // verifier's own allocations included: no more runs.
      if (header.memory_exhausted.load(std::memory_order_acquire)) break;
    }
    header.phase.store(Phase::finished, std::memory_order_release);
  } catch (const ConfigurationError& error) {
    copy_message(header, error.what());
    header.phase.store(Phase::configuration_error, std::memory_order_release);
  } catch (const std::bad_alloc&) {
    // The verifier's own code, out of the memory the store took: the
    // store's fault, which the verifier sees as a death at the limit.
    _exit(125);
  } catch (const std::exception& error) {
    copy_message(header, error.what());
    header.phase.store(Phase::internal_error, std::memory_order_release);
  }
}

// Forked ahead of time, so that the fork is off the case's critical path:
// plays one case after another, each against a fresh store, until the
// verifier is gone or asks a worker that has played cases to play one alone.
// `self`: its pid as the verifier sees it (in the sandbox, not getpid()).
[[noreturn]] void worker(int channel, pid_t server, pid_t self, const Provider& provider,
                         const CaseOptions& options, const SharedCase& shared,
                         const WorkerSettings& settings) {
  // In the sandbox, the server is outside the worker's PID namespace: its
  // pid there is 0.
  if (!die_with_parent(settings.scratch != nullptr ? 0 : server)) _exit(0);
  adopt_orphans();
  // A group of its own, so that a store's kill(0) or kill(getppid()) (0 in
  // the sandbox) ends nothing but its own process.
  if (settings.scratch != nullptr) setpgid(0, 0);
  // A crash must reach the verifier as the signal itself, not as a
  // sanitizer's report of it; on the way, the worker notes its address
  // space (at the memory limit or not).
  struct sigaction fault_action {};
  fault_action.sa_handler = &on_fault;
  fault_action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset(&fault_action.sa_mask);
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) {
    sigaction(fault, &fault_action, nullptr);
  }
#ifdef __GLIBC__
  on_exit(&exit_with_status_only, nullptr);
#endif
  if (settings.output >= 0) {
    dup2(settings.output, STDOUT_FILENO);
    dup2(settings.output, STDERR_FILENO);
  }
  if (settings.memory_limit_mb > 0) {
    const rlim_t bytes = rlim_t{settings.memory_limit_mb} << 20;
    const rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_AS, &limit);
    std::set_new_handler(&note_memory_exhausted);
  }
  BatchHeader& batch = shared.batch();
  for (bool fresh = true;; fresh = false) {
    char command = 0;
    ssize_t received;
    do {
      received = recv(channel, &command, 1, 0);
    } while (received < 0 && errno == EINTR);
    if (received <= 0) _exit(0);  // the verifier is gone
    const bool alone = command == static_cast<char>(Command::alone);
    const bool history = command == static_cast<char>(Command::history);
    if ((alone || history) && !fresh) {
      send_message(channel, {Message::declined, self, 0});
      _exit(0);
    }
    if (history) {
      SharedHeader& header = shared.header(0);
      header.fresh_player.store(true, std::memory_order_relaxed);
      header.player.store(self, std::memory_order_release);
      batch.current.store(0, std::memory_order_release);
      play_shared_history(provider, options, shared, settings);
      std::fflush(stdout);
      std::fflush(stderr);
      end_children_except();
      send_message(channel, {Message::case_done, self, 0});
      // One process per concurrent case: what its threads did stays here.
      _exit(0);
    }
    const std::uint32_t cases = alone ? 1 : batch.cases;
    for (std::uint32_t slot = 0; slot < cases; ++slot) {
      SharedHeader& header = shared.header(slot);
      header.fresh_player.store(fresh && slot == 0, std::memory_order_relaxed);
      header.player.store(self, std::memory_order_release);
      batch.current.store(slot, std::memory_order_release);
      const bool go_on = play_shared_case(provider, options, shared, slot, settings, alone);
      // What the store printed reaches the verifier before the batch ends,
      // and every process it started ends with its case.
      std::fflush(stdout);
      std::fflush(stderr);
      end_children_except();
      // The verifier stops at the first failing case: the rest would be
      // discarded.
      if (!go_on) break;
    }
    if (!send_message(channel, {Message::case_done, self, 0})) _exit(0);
  }
}

// Forks a worker; returns its pid, or -1 with errno set. In the sandbox, the
// worker learns its pid as the verifier sees it from the server.
pid_t fork_worker(int channel, pid_t server, const Provider& provider, const CaseOptions& options,
                  const SharedCase& shared, const WorkerSettings& settings) {
  int told[2] = {-1, -1};
  if (settings.scratch != nullptr && pipe2(told, O_CLOEXEC) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    pid_t self = getpid();
    if (told[0] >= 0) {
      close(told[1]);
      if (read(told[0], &self, sizeof self) != sizeof self) _exit(0);
      close(told[0]);
    }
    worker(channel, server, self, provider, options, shared, settings);
  }
  const int error = errno;
  if (told[0] >= 0) {
    close(told[0]);
    if (pid > 0 && write(told[1], &pid, sizeof pid) != sizeof pid) kill(pid, SIGKILL);
    close(told[1]);
  }
  errno = error;
  return pid;
}

// Workers alive at once: one playing, one ready should the first be lost.
constexpr std::size_t kWorkers = 2;

}  // namespace

// Runs only fork, waitpid and send itself: no provider code ever runs in it.
void serve(int channel, pid_t verifier, const Provider& provider, const CaseOptions& options,
           const SharedCase& shared, const WorkerSettings& settings) {
  if (!die_with_parent(verifier)) _exit(0);
  // Its own process group, so that the runner can end the server and every
  // worker with one kill(); and the reaper of what a dead worker's store left.
  setpgid(0, 0);
  adopt_orphans();
  const pid_t server = getpid();
  std::vector<pid_t> workers;
  // Not a worker, and ended only with the server: the sandbox's keeper.
  pid_t keeper = -1;
  if (settings.scratch != nullptr) {
    SandboxStep failed{};
    keeper = enter_sandbox(settings.scratch, failed);
    if (keeper < 0) {
      send_message(channel, {Message::cannot_sandbox, static_cast<pid_t>(failed), errno});
      // Until the verifier has read it: a closed channel would say the
      // server died, not why.
      for (;;) {
        char ignored = 0;
        const ssize_t received = recv(channel, &ignored, 1, 0);
        if (received == 0 || (received < 0 && errno != EINTR)) _exit(0);
      }
    }
  }
  // Once the verifier has gone, the server only ends what is left.
  bool verifier_gone = false;
  for (;;) {
    while (!verifier_gone && workers.size() < kWorkers) {
      const pid_t pid = fork_worker(channel, server, provider, options, shared, settings);
      if (pid < 0) {
        send_message(channel, {Message::cannot_fork, server, errno});
        verifier_gone = true;
        break;
      }
      workers.push_back(pid);
    }
    if (workers.empty()) {
      end_children_except();
      _exit(0);
    }
    int status = 0;
    const pid_t ended = waitpid(-1, &status, 0);
    if (ended < 0) {
      if (errno == EINTR) continue;
      _exit(0);
    }
    const auto known = std::find(workers.begin(), workers.end(), ended);
    if (known == workers.end()) continue;  // an orphan of a store, re-parented here
    workers.erase(known);
    // What the dead worker's store started dies with it.
    std::vector<pid_t> kept = workers;
    if (keeper > 0) kept.push_back(keeper);
    end_children_except(kept);
    if (!verifier_gone && !send_message(channel, {Message::child_ended, ended, status})) {
      verifier_gone = true;
    }
  }
}

}  // namespace logoffcheck::isolation
