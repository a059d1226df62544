#include "worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "channel_registry.h"
#include "fork_server.h"
#include "logoffcheck/errors.h"
#include "sandbox.h"

namespace logoffcheck::isolation {

namespace {

// The fork server died or stopped answering; the command is retried once on a new one.
struct ServerLost {};

// How long a server may take to end its workers and exit once the runner
// is done with it.
constexpr auto kGentleStop = std::chrono::milliseconds(1000);

// How long a server may take to say that a worker it was asked to end has
// ended: longer means it is stuck, not slow.
constexpr auto kReapBound = std::chrono::milliseconds(10000);

// Where a worker is in its command: it changes whenever a call begins or
// ends, so that the timeout is per call, not per command.
struct WorkerProgress {
  std::uint32_t slot = 0;
  std::uint32_t observations = 0;
  Phase phase = Phase::opening;
  std::uint64_t history_calls = 0;  // begun and ended calls of the history slots

  friend bool operator==(const WorkerProgress&, const WorkerProgress&) = default;
};

WorkerProgress progress_of(const SharedCase& shared, Command command) {
  WorkerProgress progress;
  progress.slot = shared.batch().current.load(std::memory_order_acquire);
  const SharedHeader& header = shared.header(progress.slot);
  progress.observations = header.observations.load(std::memory_order_acquire);
  progress.phase = header.phase.load(std::memory_order_acquire);
  if (command == Command::history) {
    for (const HistorySlot& slot : shared.history_slots()) {
      progress.history_calls += slot.phase.load(std::memory_order_acquire);
    }
  }
  return progress;
}

}  // namespace

Observation fault_observation(const ChildEnd& end, const IsolationOptions& isolation,
                              const SharedHeader& header) {
  Observation observed;
  if (end.host_killed) {
    observed.outcome = CallOutcome::host_killed;
    observed.fault_detail = WIFSIGNALED(end.wait_status) ? WTERMSIG(end.wait_status) : SIGKILL;
    return observed;
  }
  if (end.killed_for_timeout) {
    observed.outcome = CallOutcome::hung;
    observed.fault_detail = static_cast<std::int32_t>(isolation.timeout_ms);
    return observed;
  }
  if (header.memory_exhausted.load(std::memory_order_acquire)) {
    observed.outcome = CallOutcome::out_of_memory;
    observed.fault_detail = static_cast<std::int32_t>(isolation.memory_limit_mb);
    return observed;
  }
  if (WIFSIGNALED(end.wait_status)) {
    observed.outcome = CallOutcome::signaled;
    observed.fault_detail = WTERMSIG(end.wait_status);
  } else {
    observed.outcome = CallOutcome::exited;
    observed.fault_detail = WEXITSTATUS(end.wait_status);
  }
  // A store that aborts (or crashes, or exits) when malloc fails under the
  // limit: no operator new failed, but its address space was at the limit.
  const std::uint64_t limit = std::uint64_t{isolation.memory_limit_mb} << 20;
  const std::uint64_t used = header.address_space_at_fault.load(std::memory_order_acquire);
  if (limit > 0 && used > 0 && used >= limit - limit / 8) {
    set_fault_text(observed,
                   "at its memory limit of " + std::to_string(isolation.memory_limit_mb) + " MiB");
  }
  return observed;
}

WorkerPool::WorkerPool(Provider provider, CaseOptions options, const IsolationOptions& isolation)
    : provider_(std::move(provider)), options_(options), isolation_(isolation) {}

WorkerPool::~WorkerPool() { stop_server(); }

void WorkerPool::ensure_capacity(std::size_t steps, std::size_t history_slots) {
  if (shared_ && shared_->step_capacity() >= steps &&
      shared_->history_capacity() >= history_slots) {
    return;
  }
  const std::size_t step_room =
      std::max<std::size_t>({1024, steps * 2, shared_ ? shared_->step_capacity() : 0});
  const std::size_t history_room =
      std::max<std::size_t>(history_slots, shared_ ? shared_->history_capacity() : 0);
  stop_server();
  shared_.reset();
  shared_ = std::make_unique<SharedCase>(step_room, kBatchSlots, history_room);
}

void WorkerPool::start_server() {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
    throw InternalError(std::string("isolation: socketpair failed: ") + std::strerror(errno));
  }
  if (isolation_.capture_output) capture_ = std::make_unique<OutputCapture>();
  WorkerSettings settings;
  settings.output = capture_ ? capture_->write_end() : -1;
  settings.memory_limit_mb = isolation_.memory_limit_mb;
  settings.settle_ms = isolation_.settle_ms;
  if (isolation_.sandbox) {
    if (!scratch_) scratch_ = std::make_unique<ScratchFolder>();
    settings.scratch = scratch_->path().c_str();
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
    if (capture_) close(capture_->read_end());
    for (int other : other_channels) close(other);
    serve(ends[1], verifier, provider_, options_, *shared_, settings);
  }
  close(ends[1]);
  // The verifier reads the pipe; only workers write to it, so that it
  // stays open exactly as long as one of them may write.
  if (capture_) capture_->close_write_end();
  // Also here, so that stop_server() can kill the group before the
  // server has set it up itself.
  setpgid(pid, pid);
  server_ = pid;
  channel_ = ends[0];
  running_channels().add(channel_);
}

// Ends the server and its workers and reaps the server. Gently, the
// server's waiting workers see the channel close and exit, and the server
// ends whatever their stores left and reaps them before it exits itself; a
// server that does not finish within kGentleStop, or one that is not
// `gentle`, is killed with its whole process group.
void WorkerPool::stop_server(bool gentle) noexcept {
  if (channel_ >= 0) {
    running_channels().remove(channel_);
    close(channel_);
  }
  channel_ = -1;
  if (server_ > 0) {
    bool reaped = false;
    if (gentle) {
      const auto give_up = Clock::now() + kGentleStop;
      while (!reaped && Clock::now() < give_up) {
        if (capture_) capture_->drain();  // a worker blocked on a full pipe must get on
        const pid_t ended = waitpid(server_, nullptr, WNOHANG);
        reaped = ended == server_ || (ended < 0 && errno != EINTR);
        if (!reaped) usleep(200);
      }
    }
    if (!reaped) {
      kill(-server_, SIGKILL);
      kill(server_, SIGKILL);
      while (waitpid(server_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    server_ = -1;
  }
  capture_.reset();
}

// Receives one message, waiting at most until `deadline` and draining the
// output pipe meanwhile; nullopt on timeout. Throws ServerLost when the
// server and its workers are gone.
std::optional<Message> WorkerPool::receive(Clock::time_point deadline) const {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd ready[2] = {{channel_, POLLIN, 0}, {capture_ ? capture_->read_end() : -1, POLLIN, 0}};
    const int polled = poll(ready, 2, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (polled < 0 && errno == EINTR) continue;
    if (polled < 0) throw ServerLost{};
    if (polled == 0) return std::nullopt;
    if (ready[1].revents != 0) capture_->drain();
    if (ready[0].revents == 0) continue;
    Message message;
    const ssize_t received = recv(channel_, &message, sizeof message, MSG_DONTWAIT);
    if (received < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (received != static_cast<ssize_t>(sizeof message)) throw ServerLost{};
    if (message.kind == Message::cannot_fork) {
      throw InternalError(std::string("isolation: the fork server cannot fork: ") +
                          std::strerror(message.value));
    }
    if (message.kind == Message::cannot_sandbox) {
      throw ConfigurationError(
          sandbox_failure(static_cast<SandboxStep>(message.pid), message.value));
    }
    return message;
  }
}

void WorkerPool::send_command(Command command) const {
  const char byte = static_cast<char>(command);
  if (send(channel_, &byte, 1, MSG_NOSIGNAL) != 1) throw ServerLost{};
}

// Hands the shared work to a worker and waits for it to end, killing it
// when one call takes longer than the timeout.
ChildEnd WorkerPool::play_in_worker(Command command) {
  if (server_ < 0) start_server();
  if (capture_) capture_->start_case();
  send_command(command);
  const BatchHeader& batch = shared_->batch();
  const auto timeout = std::chrono::milliseconds(isolation_.timeout_ms);
  // Wake up now and then to see whether a call returned meanwhile: the
  // timeout is per call, not per command.
  const auto slice = std::max(std::chrono::milliseconds(1), timeout / 8);
  WorkerProgress seen = progress_of(*shared_, command);
  auto call_deadline = Clock::now() + timeout;
  ChildEnd end;
  for (;;) {
    const std::optional<Message> message = receive(std::min(call_deadline, Clock::now() + slice));
    const std::uint32_t slot = batch.current.load(std::memory_order_acquire);
    const SharedHeader& header = shared_->header(slot);
    const pid_t player = header.player.load(std::memory_order_acquire);
    if (message) {
      if (message->kind == Message::declined) {
        send_command(command);  // to the fresh worker the server forks next
        continue;
      }
      // Other messages are about workers of earlier commands, or idle ones
      // that died.
      if (message->pid != player) continue;
      if (message->kind == Message::case_done) {
        end.finished = true;
        end.killed_for_timeout = false;
        return end;
      }
      end.wait_status = message->value;
      end.died_at = Clock::now();
      return end;
    }
    if (end.killed_for_timeout) {
      if (Clock::now() < call_deadline) continue;
      throw ServerLost{};  // no news of the worker it killed
    }
    const WorkerProgress now = progress_of(*shared_, command);
    if (now != seen) {
      seen = now;
      call_deadline = Clock::now() + timeout;
      continue;
    }
    if (Clock::now() < call_deadline) continue;
    // Waiting for a store's threads is not a hang; it ends by itself.
    if (header.settling_after.load(std::memory_order_acquire) != 0) {
      call_deadline = Clock::now() + std::chrono::milliseconds(isolation_.settle_ms) + slice;
      continue;
    }
    // No worker took the command: the server is stuck.
    if (player == 0) throw ServerLost{};
    kill(player, SIGKILL);
    end.killed_for_timeout = true;
    // The server reaps it at once; a server that does not say so in a
    // generous bound is stuck, not slow.
    call_deadline = Clock::now() + std::max<Clock::duration>(timeout, kReapBound);
  }
}

ChildEnd WorkerPool::play(Command command, const std::function<void(SharedCase&)>& prepare) {
  // A server killed by a signal the verifier did not send was killed by a
  // store (with the sandbox, no store can name it). When a worker was in a
  // case then, the call in progress did it; else (the worker had finished
  // its case when it died with the server) the command is played again, up
  // to kHostsKilled times. Any other loss, twice, is the verifier's.
  constexpr int kHostsKilled = 16;
  for (int lost = 0, hosts_killed = 0;;) {
    prepare(*shared_);
    shared_->batch().current.store(0, std::memory_order_relaxed);
    try {
      return play_in_worker(command);
    } catch (const ServerLost&) {
      const std::optional<int> host_status = server_killed_by_store();
      const SharedHeader& header = shared_->header(shared_->batch().current.load());
      stop_server(false);
      if (host_status && header.player.load() != 0 && header.phase.load() == Phase::playing) {
        ChildEnd end;
        end.host_killed = true;
        end.wait_status = *host_status;
        end.died_at = Clock::now();
        return end;
      }
      if (host_status ? ++hosts_killed == kHostsKilled : ++lost == 2) {
        throw InternalError("isolation: the fork server died twice while playing one case");
      }
      // A worker of the lost server may still be dying: it must not
      // write into the next attempt's memory.
      shared_ = std::make_unique<SharedCase>(shared_->step_capacity(), kBatchSlots,
                                             shared_->history_capacity());
    }
  }
}

// The wait status of a server that died by a signal the verifier did not
// send (it is reaped), or nullopt.
std::optional<int> WorkerPool::server_killed_by_store() {
  if (server_ <= 0) return std::nullopt;
  int status = 0;
  if (waitpid(server_, &status, WNOHANG) != server_) return std::nullopt;
  server_ = -1;  // reaped
  if (!WIFSIGNALED(status)) return std::nullopt;
  return status;
}

void WorkerPool::throw_open_failure(const ChildEnd& end, const SharedHeader& header) const {
  throw ConfigurationError("provider '" + provider_.name() + "' " +
                           describe_outcome(fault_observation(end, isolation_, header)) +
                           " in logoffcheck_open_store: it opened no store");
}

Observation WorkerPool::late_fault(const ChildEnd& end, const SharedHeader& header) const {
  Observation observed = fault_observation(end, isolation_, header);
  if (observed.outcome != CallOutcome::signaled && observed.outcome != CallOutcome::exited) {
    return observed;
  }
  observed.fault_after_return = true;
  const auto returned_at = Clock::time_point(std::chrono::nanoseconds(header.returned_at_ns));
  observed.fault_delay_ms = static_cast<std::uint32_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(end.died_at - returned_at).count()));
  return observed;
}

// A worker whose case failed may hold what broke, and plays no more. Waits
// until the server has reaped it, so that it cannot take the next
// command with it.
void WorkerPool::retire_player(const ChildEnd& end) {
  if (!end.finished) return;
  const pid_t player = shared_->header(shared_->batch().current.load()).player.load();
  kill(player, SIGKILL);
  const auto give_up = Clock::now() + kReapBound;
  try {
    for (;;) {
      const std::optional<Message> message = receive(give_up);
      if (!message) throw ServerLost{};
      if (message->kind == Message::child_ended && message->pid == player) return;
    }
  } catch (const ServerLost&) {
    stop_server(false);  // the next command starts a new one
  }
}

}  // namespace logoffcheck::isolation
