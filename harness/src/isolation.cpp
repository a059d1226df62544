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
#include <new>
#include <optional>
#include <string>
#include <type_traits>

#include "logoffcheck/engine.h"
#include "logoffcheck/support.h"

namespace logoffcheck {

// Steps and observations cross the process boundary as bytes.
static_assert(std::is_trivially_copyable_v<Step>);
static_assert(std::is_trivially_copyable_v<Observation>);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

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

// --- The grandchild: plays one case against a fresh store ---------------------

#ifdef __GLIBC__
// A provider that calls exit() ends the grandchild with its status and
// nothing else: the verifier's atexit handlers and static destructors belong
// to the verifier (LeakSanitizer's among them, which would replace the status).
void exit_with_status_only(int status, void*) { _exit(status); }
#endif

[[noreturn]] void play_shared_case(const Provider& provider, const CaseOptions& options,
                                   const SharedCase& shared) {
  // A crash must reach the verifier as the signal itself, not as a
  // sanitizer's report of it.
  for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) signal(fault, SIG_DFL);
#ifdef __GLIBC__
  on_exit(&exit_with_status_only, nullptr);
#endif
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
  _exit(0);
}

// --- The fork server -------------------------------------------------------------

bool send_all(int fd, const void* data, std::size_t size) noexcept {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t sent = send(fd, bytes, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    bytes += sent;
    size -= static_cast<std::size_t>(sent);
  }
  return true;
}

// Dies with its parent (PR_SET_PDEATHSIG), so that no process of a runner
// outlives a verifier that was killed. Returns false when the parent is
// already gone.
bool die_with_parent(pid_t parent) noexcept {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  return getppid() == parent;
}

// Per command byte: forks a grandchild that plays the shared case, sends
// its pid, reaps it, sends its wait status. Runs only fork, waitpid and
// socket calls itself, so no provider code ever runs in it.
[[noreturn]] void serve(int channel, pid_t verifier, const Provider& provider,
                        const CaseOptions& options, const SharedCase& shared) {
  if (!die_with_parent(verifier)) _exit(0);
  const pid_t server = getpid();
  for (;;) {
    char command = 0;
    ssize_t received;
    do {
      received = recv(channel, &command, 1, 0);
    } while (received < 0 && errno == EINTR);
    if (received <= 0) _exit(0);  // the verifier closed the channel
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      close(channel);
      if (!die_with_parent(server)) _exit(0);
      play_shared_case(provider, options, shared);
    }
    const std::int32_t pid_reply = grandchild < 0 ? -errno : grandchild;
    if (!send_all(channel, &pid_reply, sizeof pid_reply)) _exit(0);
    if (grandchild < 0) continue;
    int status = 0;
    while (waitpid(grandchild, &status, 0) < 0 && errno == EINTR) {
    }
    const std::int32_t status_reply = status;
    if (!send_all(channel, &status_reply, sizeof status_reply)) _exit(0);
  }
}

// How the grandchild of one case ended.
struct ChildEnd {
  int wait_status = 0;
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

}  // namespace

struct IsolatingRunner::State {
  Provider provider;
  CaseOptions options;
  std::uint32_t timeout_ms;
  std::unique_ptr<SharedCase> shared;
  pid_t server = -1;
  int channel = -1;
  pid_t grandchild = -1;  // the grandchild of the case in progress, if any

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
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
      throw InternalError(std::string("isolation: socketpair failed: ") + std::strerror(errno));
    }
    // Unwritten output would otherwise be written again by every child.
    std::fflush(nullptr);
    const pid_t verifier = getpid();
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
      serve(ends[1], verifier, provider, options, *shared);
    }
    close(ends[1]);
    server = pid;
    channel = ends[0];
  }

  void stop_server() noexcept {
    if (grandchild > 0) kill(grandchild, SIGKILL);
    grandchild = -1;
    if (server > 0) {
      kill(server, SIGKILL);
      while (waitpid(server, nullptr, 0) < 0 && errno == EINTR) {
      }
      server = -1;
    }
    if (channel >= 0) close(channel);
    channel = -1;
  }

  // Receives one reply from the server, waiting at most until `deadline`;
  // nullopt on timeout. Throws ServerLost when the server is gone.
  std::optional<std::int32_t> receive(Clock::time_point deadline) const {
    std::int32_t reply = 0;
    std::size_t got = 0;
    while (got < sizeof reply) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd ready{channel, POLLIN, 0};
      const int polled = poll(&ready, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (polled < 0 && errno == EINTR) continue;
      if (polled < 0) throw ServerLost{};
      if (polled == 0) {
        if (got == 0) return std::nullopt;
        throw ServerLost{};  // a torn reply: the server died mid-send
      }
      const ssize_t received = recv(channel, reinterpret_cast<char*>(&reply) + got,
                                    sizeof reply - got, MSG_DONTWAIT);
      if (received < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (received <= 0) throw ServerLost{};
      got += static_cast<std::size_t>(received);
    }
    return reply;
  }

  // Has the server play the shared case in a grandchild and waits for it
  // to end, killing it when one call takes longer than the timeout.
  ChildEnd play_in_grandchild() {
    if (server < 0) start_server();
    const char command = 'R';
    if (!send_all(channel, &command, 1)) throw ServerLost{};
    // Forking takes the server well under a second; a server that does not
    // answer in a generous bound is stuck, not slow.
    const auto server_bound = std::chrono::milliseconds(std::max<std::uint32_t>(timeout_ms, 10000));
    const std::optional<std::int32_t> pid = receive(Clock::now() + server_bound);
    if (!pid) throw ServerLost{};
    if (*pid < 0) {
      throw InternalError(std::string("isolation: the fork server cannot fork: ") +
                          std::strerror(-*pid));
    }
    grandchild = *pid;
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
      const auto now = Clock::now();
      const std::optional<std::int32_t> status = receive(std::min(call_deadline, now + slice));
      if (status) {
        end.wait_status = *status;
        break;
      }
      const std::uint32_t published = header.observations.load(std::memory_order_acquire);
      const Phase phase = header.phase.load(std::memory_order_acquire);
      if (published != seen || phase != seen_phase) {
        seen = published;
        seen_phase = phase;
        call_deadline = Clock::now() + timeout;
        continue;
      }
      if (Clock::now() < call_deadline) continue;
      kill(grandchild, SIGKILL);
      end.killed_for_timeout = true;
      const std::optional<std::int32_t> killed = receive(Clock::now() + server_bound);
      if (!killed) throw ServerLost{};
      end.wait_status = *killed;
      break;
    }
    grandchild = -1;
    return end;
  }

  ChildEnd play_with_retry() {
    for (int attempt = 0;; ++attempt) {
      SharedHeader& header = shared->header();
      header.phase.store(Phase::opening, std::memory_order_relaxed);
      header.observations.store(0, std::memory_order_relaxed);
      header.message[0] = '\0';
      try {
        return play_in_grandchild();
      } catch (const ServerLost&) {
        stop_server();
        if (attempt == 1) {
          throw InternalError("isolation: the fork server died twice while playing one case");
        }
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
    std::copy(steps.begin(), steps.end(), shared->steps());
    shared->header().step_count = static_cast<std::uint32_t>(steps.size());
    const ChildEnd end = play_with_retry();

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
