#include "logoffcheck/isolation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "logoffcheck/errors.h"
#include "logoffcheck/support.h"

namespace logoffcheck {

// Steps and observations cross the process boundary as bytes.
static_assert(std::is_trivially_copyable_v<Step>);
static_assert(std::is_trivially_copyable_v<Observation>);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<pid_t>::is_always_lock_free);

namespace {

using Clock = std::chrono::steady_clock;

// How far the grandchild got; it only ever moves forward.
enum class Phase : std::uint32_t {
  opening,              // opening the store (logoffcheck_open_store)
  playing,              // the store is open; calls are being made
  finished,             // the whole case was played
  configuration_error,  // open_checked_store threw; `message` says why
  internal_error,       // the verifier's own code failed in the grandchild
};

struct SharedHeader {
  std::atomic<Phase> phase{Phase::opening};
  // Observations published so far: one per client call that ended
  // (returned or threw) in the grandchild.
  std::atomic<std::uint32_t> observations{0};
  // The grandchild that took the case, 0 until one did.
  std::atomic<pid_t> player{0};
  std::uint32_t step_count = 0;
  std::array<char, 512> message{};
};

constexpr std::size_t round_up(std::size_t size, std::size_t alignment) {
  return (size + alignment - 1) / alignment * alignment;
}

// One case, in memory shared by the verifier and every process it forks:
// the steps to play, and the observations of the calls made.
class SharedCase {
 public:
  explicit SharedCase(std::size_t step_capacity)
      : step_capacity_(step_capacity),
        steps_offset_(round_up(sizeof(SharedHeader), 64)),
        observations_offset_(round_up(steps_offset_ + step_capacity * sizeof(Step), 64)),
        size_(observations_offset_ + observation_capacity() * sizeof(Observation)) {
    // Shared anonymous memory costs a fork nothing: its page tables are not copied.
    void* memory = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
      throw InternalError(std::string("isolation: cannot map shared memory: ") +
                          std::strerror(errno));
    }
    base_ = static_cast<std::byte*>(memory);
    new (base_) SharedHeader;
  }
  ~SharedCase() { munmap(base_, size_); }
  SharedCase(const SharedCase&) = delete;
  SharedCase& operator=(const SharedCase&) = delete;

  SharedHeader& header() const noexcept { return *std::launder(reinterpret_cast<SharedHeader*>(base_)); }
  Step* steps() const noexcept { return reinterpret_cast<Step*>(base_ + steps_offset_); }
  Observation* observations() const noexcept {
    return reinterpret_cast<Observation*>(base_ + observations_offset_);
  }
  std::size_t step_capacity() const noexcept { return step_capacity_; }
  // A case makes at most one call per step plus one final Release per
  // reference: 1 + one per AddRef.
  std::size_t observation_capacity() const noexcept { return 2 * step_capacity_ + 1; }

 private:
  std::size_t step_capacity_;
  std::size_t steps_offset_;
  std::size_t observations_offset_;
  std::size_t size_;
  std::byte* base_ = nullptr;
};

void copy_message(SharedHeader& header, const char* text) noexcept {
  std::strncpy(header.message.data(), text, header.message.size() - 1);
  header.message.back() = '\0';
}

// --- Messages to the verifier ----------------------------------------------------

// One packet on the verifier's SOCK_SEQPACKET channel: packets from the
// server and its grandchildren never mix.
struct Message {
  enum Kind : std::int32_t {
    case_done,    // a grandchild played its whole case (or stopped at a violation)
    child_ended,  // the server reaped a grandchild; `value` is its wait status
    cannot_fork,  // the server cannot fork; `value` is errno
  };
  Kind kind = case_done;
  pid_t pid = 0;
  std::int32_t value = 0;
};

bool send_message(int channel, const Message& message) noexcept {
  ssize_t sent;
  do {
    sent = send(channel, &message, sizeof message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent == static_cast<ssize_t>(sizeof message);
}

// Dies with its parent (PR_SET_PDEATHSIG), so that no process of a runner
// outlives a verifier that was killed. Returns false when the parent is
// already gone.
bool die_with_parent(pid_t parent) noexcept {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  return getppid() == parent;
}

// --- The grandchild: waits for a case, plays it against a fresh store -----------

#ifdef __GLIBC__
// A provider that calls exit() ends the grandchild with its status and
// nothing else: the verifier's atexit handlers and static destructors belong
// to the verifier (LeakSanitizer's among them, which would replace the status).
void exit_with_status_only(int status, void*) { _exit(status); }
#endif

void play_shared_case(const Provider& provider, const CaseOptions& options,
                      const SharedCase& shared) {
  SharedHeader& header = shared.header();
  try {
    SimulatedSupport support;
    IMsgStore& store = open_checked_store(provider, support);
    header.phase.store(Phase::playing, std::memory_order_release);
    std::uint32_t calls = 0;
    CaseResult result;
    CaseInterpreter(options).run(
        std::span<const Step>(shared.steps(), header.step_count), false, result,
        [&](const Step& step, Observation& observed) {
          const bool returned = call_store(store, support, step, observed);
          if (calls >= shared.observation_capacity()) {
            throw InternalError("isolation: more calls than the shared memory holds");
          }
          std::memcpy(&shared.observations()[calls], &observed, sizeof(Observation));
          header.observations.store(++calls, std::memory_order_release);
          return returned;
        },
        [&](Action action) { support.apply_environment_event(action); });
    header.phase.store(Phase::finished, std::memory_order_release);
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
}

// Forked ahead of time, so that the fork is off the case's critical path:
// waits for the verifier's command, plays the shared case, says so, exits.
[[noreturn]] void grandchild(int channel, pid_t server, const Provider& provider,
                             const CaseOptions& options, const SharedCase& shared) {
  if (!die_with_parent(server)) _exit(0);
  // A crash must reach the verifier as the signal itself, not as a
  // sanitizer's report of it.
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) signal(fault, SIG_DFL);
#ifdef __GLIBC__
  on_exit(&exit_with_status_only, nullptr);
#endif
  char command = 0;
  ssize_t received;
  do {
    received = recv(channel, &command, 1, 0);
  } while (received < 0 && errno == EINTR);
  if (received <= 0) _exit(0);  // the verifier is gone
  const pid_t self = getpid();
  shared.header().player.store(self, std::memory_order_release);
  play_shared_case(provider, options, shared);
  send_message(channel, {Message::case_done, self, 0});
  _exit(0);
}

// --- The fork server ------------------------------------------------------------

// Grandchildren alive at once: one playing a case, the others ready for the
// next while the server forks and reaps on the other core (3 measured a
// little faster than 2 in bench/isolation_bench).
constexpr int kGrandchildren = 3;

// Keeps kGrandchildren grandchildren forked, and reports how each one ended.
// Runs only fork, waitpid and send itself: no provider code ever runs in it.
[[noreturn]] void serve(int channel, pid_t verifier, const Provider& provider,
                        const CaseOptions& options, const SharedCase& shared) {
  if (!die_with_parent(verifier)) _exit(0);
  // Its own process group, so that the runner can end the server and every
  // grandchild with one kill().
  setpgid(0, 0);
  const pid_t server = getpid();
  int alive = 0;
  // Once the verifier has gone, the server only reaps what is left.
  bool verifier_gone = false;
  for (;;) {
    while (!verifier_gone && alive < kGrandchildren) {
      const pid_t pid = fork();
      if (pid == 0) grandchild(channel, server, provider, options, shared);
      if (pid < 0) {
        send_message(channel, {Message::cannot_fork, server, errno});
        verifier_gone = true;
        break;
      }
      ++alive;
    }
    if (alive == 0) _exit(0);
    int status = 0;
    const pid_t ended = waitpid(-1, &status, 0);
    if (ended < 0) {
      if (errno == EINTR) continue;
      _exit(0);
    }
    --alive;
    if (!verifier_gone && !send_message(channel, {Message::child_ended, ended, status})) {
      verifier_gone = true;
    }
  }
}

// How the grandchild of one case ended.
struct ChildEnd {
  bool finished = false;  // it sent case_done
  int wait_status = 0;    // otherwise
  bool killed_for_timeout = false;
};

Observation fault_observation(const ChildEnd& end, std::uint32_t timeout_ms) {
  Observation observed;
  if (end.killed_for_timeout) {
    observed.outcome = CallOutcome::hung;
    observed.fault_detail = static_cast<std::int32_t>(timeout_ms);
  } else if (WIFSIGNALED(end.wait_status)) {
    observed.outcome = CallOutcome::signaled;
    observed.fault_detail = WTERMSIG(end.wait_status);
  } else {
    observed.outcome = CallOutcome::exited;
    observed.fault_detail = WEXITSTATUS(end.wait_status);
  }
  return observed;
}

// The fork server died or stopped answering; the case is retried once on a new one.
struct ServerLost {};

// How long a server may take to reap its grandchildren and exit once the
// runner is done with it.
constexpr auto kGentleStop = std::chrono::milliseconds(1000);

// The verifier's ends of the channels of every running fork server. A new
// server closes its copies of the others' ends: otherwise a runner's
// grandchildren would not see their channel close when their runner stops.
class ChannelRegistry {
 public:
  void add(int channel) {
    const std::lock_guard lock(mutex_);
    channels_.push_back(channel);
  }
  void remove(int channel) {
    const std::lock_guard lock(mutex_);
    std::erase(channels_, channel);
  }
  std::vector<int> snapshot() const {
    const std::lock_guard lock(mutex_);
    return channels_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<int> channels_;
};

ChannelRegistry& running_channels() {
  static ChannelRegistry registry;
  return registry;
}

}  // namespace

struct IsolatingRunner::State {
  Provider provider;
  CaseOptions options;
  std::uint32_t timeout_ms;
  std::unique_ptr<SharedCase> shared;
  pid_t server = -1;
  int channel = -1;  // SOCK_SEQPACKET, shared with the server and its grandchildren

  State(Provider provider_, CaseOptions options_, std::uint32_t timeout_ms_)
      : provider(std::move(provider_)), options(options_), timeout_ms(timeout_ms_) {}
  ~State() { stop_server(); }

  void ensure_capacity(std::size_t steps) {
    if (shared && shared->step_capacity() >= steps) return;
    // The server's view of the shared memory is fixed when it forks.
    stop_server();
    shared.reset();
    shared = std::make_unique<SharedCase>(std::max<std::size_t>(1024, steps * 2));
  }

  void start_server() {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
      throw InternalError(std::string("isolation: socketpair failed: ") + std::strerror(errno));
    }
    // Unwritten output would otherwise be written again by every child.
    std::fflush(nullptr);
    const pid_t verifier = getpid();
    const std::vector<int> other_channels = running_channels().snapshot();
    const pid_t pid = fork();
    if (pid < 0) {
      const int error = errno;
      close(ends[0]);
      close(ends[1]);
      throw InternalError(std::string("isolation: cannot start the fork server: ") +
                          std::strerror(error));
    }
    if (pid == 0) {
      close(ends[0]);
      for (int other : other_channels) close(other);
      serve(ends[1], verifier, provider, options, *shared);
    }
    close(ends[1]);
    // Also here, so that stop_server() can kill the group before the
    // server has set it up itself.
    setpgid(pid, pid);
    server = pid;
    channel = ends[0];
    running_channels().add(channel);
  }

  // Ends the server and its grandchildren and reaps the server. Gently, the
  // server's waiting grandchildren see the channel close and exit, and the
  // server reaps them before it exits itself; a server that does not finish
  // within kGentleStop, or one that is not `gentle`, is killed with its
  // whole process group.
  void stop_server(bool gentle = true) noexcept {
    if (channel >= 0) {
      running_channels().remove(channel);
      close(channel);
    }
    channel = -1;
    if (server <= 0) return;
    bool reaped = false;
    if (gentle) {
      const auto give_up = Clock::now() + kGentleStop;
      while (!reaped && Clock::now() < give_up) {
        const pid_t ended = waitpid(server, nullptr, WNOHANG);
        reaped = ended == server || (ended < 0 && errno != EINTR);
        if (!reaped) usleep(200);
      }
    }
    if (!reaped) {
      kill(-server, SIGKILL);
      kill(server, SIGKILL);
      while (waitpid(server, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    server = -1;
  }

  // Receives one message, waiting at most until `deadline`; nullopt on
  // timeout. Throws ServerLost when the server and its grandchildren are gone.
  std::optional<Message> receive(Clock::time_point deadline) const {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd ready{channel, POLLIN, 0};
      const int polled = poll(&ready, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (polled < 0 && errno == EINTR) continue;
      if (polled < 0) throw ServerLost{};
      if (polled == 0) return std::nullopt;
      Message message;
      const ssize_t received = recv(channel, &message, sizeof message, MSG_DONTWAIT);
      if (received < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (received != static_cast<ssize_t>(sizeof message)) throw ServerLost{};
      if (message.kind == Message::cannot_fork) {
        throw InternalError(std::string("isolation: the fork server cannot fork: ") +
                            std::strerror(message.value));
      }
      return message;
    }
  }

  // Hands the shared case to a waiting grandchild and waits for it to end,
  // killing it when one call takes longer than the timeout.
  ChildEnd play_in_grandchild() {
    if (server < 0) start_server();
    const char command = 'R';
    if (send(channel, &command, 1, MSG_NOSIGNAL) != 1) throw ServerLost{};
    const SharedHeader& header = shared->header();
    const auto timeout = std::chrono::milliseconds(timeout_ms);
    // Wake up now and then to see whether a call returned meanwhile: the
    // timeout is per call, not per case.
    const auto slice = std::max(std::chrono::milliseconds(1), timeout / 8);
    std::uint32_t seen = header.observations.load(std::memory_order_acquire);
    Phase seen_phase = header.phase.load(std::memory_order_acquire);
    auto call_deadline = Clock::now() + timeout;
    ChildEnd end;
    for (;;) {
      const std::optional<Message> message = receive(std::min(call_deadline, Clock::now() + slice));
      const pid_t player = header.player.load(std::memory_order_acquire);
      if (message) {
        // Other messages are about grandchildren of earlier cases, or idle
        // ones that died.
        if (message->pid != player) continue;
        if (message->kind == Message::case_done) {
          end.finished = true;
          end.killed_for_timeout = false;
          return end;
        }
        end.wait_status = message->value;
        return end;
      }
      if (end.killed_for_timeout) throw ServerLost{};  // no news of the grandchild it killed
      const std::uint32_t published = header.observations.load(std::memory_order_acquire);
      const Phase phase = header.phase.load(std::memory_order_acquire);
      if (published != seen || phase != seen_phase) {
        seen = published;
        seen_phase = phase;
        call_deadline = Clock::now() + timeout;
        continue;
      }
      if (Clock::now() < call_deadline) continue;
      // No grandchild took the case: the server is stuck.
      if (player == 0) throw ServerLost{};
      kill(player, SIGKILL);
      end.killed_for_timeout = true;
      // The server reaps it at once; a server that does not say so in a
      // generous bound is stuck, not slow.
      call_deadline = Clock::now() + std::max(timeout, std::chrono::milliseconds(10000));
    }
  }

  ChildEnd play_with_retry(std::span<const Step> steps) {
    for (int attempt = 0;; ++attempt) {
      std::copy(steps.begin(), steps.end(), shared->steps());
      SharedHeader& header = shared->header();
      header.step_count = static_cast<std::uint32_t>(steps.size());
      header.phase.store(Phase::opening, std::memory_order_relaxed);
      header.observations.store(0, std::memory_order_relaxed);
      header.player.store(0, std::memory_order_relaxed);
      header.message[0] = '\0';
      try {
        return play_in_grandchild();
      } catch (const ServerLost&) {
        stop_server(false);
        if (attempt == 1) {
          throw InternalError("isolation: the fork server died twice while playing one case");
        }
        // A grandchild of the lost server may still be dying: it must not
        // write into the next attempt's memory.
        shared = std::make_unique<SharedCase>(shared->step_capacity());
      }
    }
  }

  [[noreturn]] void throw_open_failure(const ChildEnd& end) const {
    throw ConfigurationError("provider '" + provider.name() + "' " +
                             describe_outcome(fault_observation(end, timeout_ms)) +
                             " in logoffcheck_open_store: it opened no store");
  }

  void run(std::span<const Step> steps, bool record, CaseResult& result) {
    ensure_capacity(steps.size());
    const ChildEnd end = play_with_retry(steps);

    const SharedHeader& header = shared->header();
    const Phase phase = header.phase.load(std::memory_order_acquire);
    switch (phase) {
      case Phase::configuration_error:
        throw ConfigurationError(header.message.data());
      case Phase::internal_error:
        throw InternalError(std::string("isolation: in the child process: ") +
                            header.message.data());
      case Phase::opening:
        throw_open_failure(end);
      case Phase::playing:
      case Phase::finished:
        break;
    }
    const std::uint32_t published = std::min<std::uint32_t>(
        header.observations.load(std::memory_order_acquire),
        static_cast<std::uint32_t>(shared->observation_capacity()));
    const Observation* observations = shared->observations();
    std::uint32_t next = 0;
    CaseInterpreter(options).run(
        steps, record, result,
        [&](const Step&, Observation& observed) {
          if (next < published) {
            std::memcpy(&observed, &observations[next++], sizeof(Observation));
            return observed.outcome == CallOutcome::returned;
          }
          if (phase == Phase::finished) {
            throw InternalError(
                "isolation: the child process ended its case before the verifier did");
          }
          observed = fault_observation(end, timeout_ms);
          return false;
        },
        [](Action) {});
  }
};

IsolatingRunner::IsolatingRunner(Provider provider, CaseOptions options,
                                 std::uint32_t timeout_ms) {
  if (timeout_ms == 0) {
    throw ConfigurationError("the per-call timeout must be at least 1 ms");
  }
  state_ = std::make_unique<State>(std::move(provider), options, timeout_ms);
}

IsolatingRunner::~IsolatingRunner() = default;

void IsolatingRunner::run(std::span<const Step> steps, bool record, CaseResult& result) {
  state_->run(steps, record, result);
}

const CaseOptions& IsolatingRunner::options() const noexcept { return state_->options; }

}  // namespace logoffcheck
