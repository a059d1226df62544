// The verifier's side of the isolating runner (isolation.h): starting and
// stopping the fork server, handing it cases, and turning what the worker
// published, and how it ended, into the case's result.
#include "logoffcheck/isolation.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "channel_registry.h"
#include "fork_server.h"
#include "logoffcheck/errors.h"
#include "output_capture.h"
#include "shared_case.h"

namespace logoffcheck {

namespace {

using namespace isolation;
using Clock = std::chrono::steady_clock;

// How the worker of one case ended.
struct ChildEnd {
  bool finished = false;  // it sent case_done
  int wait_status = 0;    // otherwise
  bool killed_for_timeout = false;
  Clock::time_point died_at;  // when the verifier learnt of its death
};

// The observation of the call a worker died in, or after (a late fault).
Observation fault_observation(const ChildEnd& end, const IsolationOptions& isolation,
                              bool memory_exhausted) {
  Observation observed;
  if (end.killed_for_timeout) {
    observed.outcome = CallOutcome::hung;
    observed.fault_detail = static_cast<std::int32_t>(isolation.timeout_ms);
  } else if (memory_exhausted) {
    observed.outcome = CallOutcome::out_of_memory;
    observed.fault_detail = static_cast<std::int32_t>(isolation.memory_limit_mb);
  } else if (WIFSIGNALED(end.wait_status)) {
    observed.outcome = CallOutcome::signaled;
    observed.fault_detail = WTERMSIG(end.wait_status);
  } else {
    observed.outcome = CallOutcome::exited;
    observed.fault_detail = WEXITSTATUS(end.wait_status);
  }
  return observed;
}

// Cases handed to a worker in one message: the engine's chunk (engine.cpp).
constexpr std::size_t kBatchSlots = 64;

// The fork server died or stopped answering; the case is retried once on a new one.
struct ServerLost {};

// How long a server may take to end its workers and exit once the runner
// is done with it.
constexpr auto kGentleStop = std::chrono::milliseconds(1000);

// How long a server may take to say that a worker it was asked to end has
// ended: longer means it is stuck, not slow.
constexpr auto kReapBound = std::chrono::milliseconds(10000);

}  // namespace

struct IsolatingRunner::State {
  Provider provider;
  CaseOptions options;
  IsolationOptions isolation;
  std::unique_ptr<SharedCase> shared;
  std::unique_ptr<OutputCapture> capture;
  pid_t server = -1;
  int channel = -1;  // SOCK_SEQPACKET, shared with the server and its workers

  State(Provider provider_, CaseOptions options_, const IsolationOptions& isolation_)
      : provider(std::move(provider_)), options(options_), isolation(isolation_) {}
  ~State() { stop_server(); }

  void ensure_capacity(std::size_t steps) {
    if (shared && shared->step_capacity() >= steps) return;
    // The server's view of the shared memory is fixed when it forks.
    stop_server();
    shared.reset();
    shared = std::make_unique<SharedCase>(std::max<std::size_t>(1024, steps * 2), kBatchSlots);
  }

  void start_server() {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
      throw InternalError(std::string("isolation: socketpair failed: ") + std::strerror(errno));
    }
    if (isolation.capture_output) capture = std::make_unique<OutputCapture>();
    WorkerSettings settings;
    settings.output = capture ? capture->write_end() : -1;
    settings.memory_limit_mb = isolation.memory_limit_mb;
    settings.settle_ms = isolation.settle_ms;
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
      if (capture) close(capture->read_end());
      for (int other : other_channels) close(other);
      serve(ends[1], verifier, provider, options, *shared, settings);
    }
    close(ends[1]);
    // The verifier reads the pipe; only workers write to it, so that it
    // stays open exactly as long as one of them may write.
    if (capture) capture->close_write_end();
    // Also here, so that stop_server() can kill the group before the
    // server has set it up itself.
    setpgid(pid, pid);
    server = pid;
    channel = ends[0];
    running_channels().add(channel);
  }

  // Ends the server and its workers and reaps the server. Gently, the
  // server's waiting workers see the channel close and exit, and the server
  // ends whatever their stores left and reaps them before it exits itself; a
  // server that does not finish within kGentleStop, or one that is not
  // `gentle`, is killed with its whole process group.
  void stop_server(bool gentle = true) noexcept {
    if (channel >= 0) {
      running_channels().remove(channel);
      close(channel);
    }
    channel = -1;
    if (server > 0) {
      bool reaped = false;
      if (gentle) {
        const auto give_up = Clock::now() + kGentleStop;
        while (!reaped && Clock::now() < give_up) {
          if (capture) capture->drain();  // a worker blocked on a full pipe must get on
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
    capture.reset();
  }

  // Receives one message, waiting at most until `deadline` and draining the
  // output pipe meanwhile; nullopt on timeout. Throws ServerLost when the
  // server and its workers are gone.
  std::optional<Message> receive(Clock::time_point deadline) const {
    for (;;) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd ready[2] = {{channel, POLLIN, 0}, {capture ? capture->read_end() : -1, POLLIN, 0}};
      const int polled = poll(ready, 2, static_cast<int>(std::max<std::int64_t>(0, left.count())));
      if (polled < 0 && errno == EINTR) continue;
      if (polled < 0) throw ServerLost{};
      if (polled == 0) return std::nullopt;
      if (ready[1].revents != 0) capture->drain();
      if (ready[0].revents == 0) continue;
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

  void send_command(Command command) const {
    const char byte = static_cast<char>(command);
    if (send(channel, &byte, 1, MSG_NOSIGNAL) != 1) throw ServerLost{};
  }

  // Hands the shared batch to a worker and waits for it to end, killing it
  // when one call takes longer than the timeout.
  ChildEnd play_in_worker(Command command) {
    if (server < 0) start_server();
    if (capture) capture->start_case();
    send_command(command);
    const BatchHeader& batch = shared->batch();
    const auto timeout = std::chrono::milliseconds(isolation.timeout_ms);
    // Wake up now and then to see whether a call returned meanwhile: the
    // timeout is per call, not per case.
    const auto slice = std::max(std::chrono::milliseconds(1), timeout / 8);
    std::uint32_t seen_slot = 0;
    std::uint32_t seen = 0;
    Phase seen_phase = Phase::opening;
    auto call_deadline = Clock::now() + timeout;
    ChildEnd end;
    for (;;) {
      const std::optional<Message> message = receive(std::min(call_deadline, Clock::now() + slice));
      const std::uint32_t slot = batch.current.load(std::memory_order_acquire);
      const SharedHeader& header = shared->header(slot);
      const pid_t player = header.player.load(std::memory_order_acquire);
      if (message) {
        if (message->kind == Message::declined) {
          send_command(command);  // to the fresh worker the server forks next
          continue;
        }
        // Other messages are about workers of earlier cases, or idle ones
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
      const std::uint32_t published = header.observations.load(std::memory_order_acquire);
      const Phase phase = header.phase.load(std::memory_order_acquire);
      if (slot != seen_slot || published != seen || phase != seen_phase) {
        seen_slot = slot;
        seen = published;
        seen_phase = phase;
        call_deadline = Clock::now() + timeout;
        continue;
      }
      if (Clock::now() < call_deadline) continue;
      // Waiting for a store's threads is not a hang; it ends by itself.
      if (header.settling_after.load(std::memory_order_acquire) != 0) {
        call_deadline = Clock::now() + std::chrono::milliseconds(isolation.settle_ms) + slice;
        continue;
      }
      // No worker took the case: the server is stuck.
      if (player == 0) throw ServerLost{};
      kill(player, SIGKILL);
      end.killed_for_timeout = true;
      // The server reaps it at once; a server that does not say so in a
      // generous bound is stuck, not slow.
      call_deadline = Clock::now() + std::max<Clock::duration>(timeout, kReapBound);
    }
  }

  ChildEnd play_with_retry(std::span<const std::span<const Step>> cases, Command command) {
    for (int attempt = 0;; ++attempt) {
      for (std::size_t slot = 0; slot < cases.size(); ++slot) {
        std::copy(cases[slot].begin(), cases[slot].end(), shared->steps(slot));
        shared->header(slot).reset(static_cast<std::uint32_t>(cases[slot].size()));
      }
      shared->batch().cases = static_cast<std::uint32_t>(cases.size());
      shared->batch().current.store(0, std::memory_order_relaxed);
      try {
        return play_in_worker(command);
      } catch (const ServerLost&) {
        stop_server(false);
        if (attempt == 1) {
          throw InternalError("isolation: the fork server died twice while playing one case");
        }
        // A worker of the lost server may still be dying: it must not
        // write into the next attempt's memory.
        shared = std::make_unique<SharedCase>(shared->step_capacity(), kBatchSlots);
      }
    }
  }

  [[noreturn]] void throw_open_failure(const ChildEnd& end, const SharedHeader& header) const {
    throw ConfigurationError(
        "provider '" + provider.name() + "' " +
        describe_outcome(fault_observation(end, isolation, header.memory_exhausted)) +
        " in logoffcheck_open_store: it opened no store");
  }

  // The observation of a call after which its worker died, while a thread
  // the call had left running was still there.
  Observation late_fault(const ChildEnd& end, const SharedHeader& header) const {
    Observation observed = fault_observation(end, isolation, header.memory_exhausted);
    if (observed.outcome != CallOutcome::signaled && observed.outcome != CallOutcome::exited) {
      return observed;
    }
    observed.fault_after_return = true;
    const auto returned_at = Clock::time_point(std::chrono::nanoseconds(header.returned_at_ns));
    observed.fault_delay_ms = static_cast<std::uint32_t>(std::max<std::int64_t>(
        0,
        std::chrono::duration_cast<std::chrono::milliseconds>(end.died_at - returned_at).count()));
    return observed;
  }

  // Judges what the worker that ended as `end` published for `steps` in
  // slot `slot`.
  void judge(std::size_t slot, std::span<const Step> steps, const ChildEnd& end, bool record,
             CaseResult& result) {
    const SharedHeader& header = shared->header(slot);
    const Phase phase = header.phase.load(std::memory_order_acquire);
    switch (phase) {
      case Phase::configuration_error:
        throw ConfigurationError(header.message.data());
      case Phase::internal_error:
        throw InternalError(std::string("isolation: in the child process: ") +
                            header.message.data());
      case Phase::opening:
        throw_open_failure(end, header);
      case Phase::playing:
      case Phase::finished:
        break;
    }
    const std::uint32_t published =
        std::min<std::uint32_t>(header.observations.load(std::memory_order_acquire),
                                static_cast<std::uint32_t>(shared->observation_capacity()));
    // A worker that died while it waited for a call's threads died of them.
    const std::uint32_t settling = end.finished ? 0 : header.settling_after.load();
    const Observation* observations = shared->observations(slot);
    std::uint32_t next = 0;
    CaseInterpreter(options).run(
        steps, record, result,
        [&](const Step&, Observation& observed) {
          if (next < published) {
            std::memcpy(&observed, &observations[next++], sizeof(Observation));
            if (next == settling && observed.outcome == CallOutcome::returned) {
              observed = late_fault(end, header);
            }
            return observed.outcome == CallOutcome::returned;
          }
          if (end.finished) {
            throw InternalError(
                "isolation: the child process ended its case before the verifier did");
          }
          observed = fault_observation(end, isolation, header.memory_exhausted);
          return false;
        },
        [](Action) {});
    // receive() drained the pipe: a worker writes its output before it says
    // the case is done, and one poll() sees both.
    if (capture) {
      result.provider_output = capture->tail();
      result.provider_output_bytes = capture->bytes();
    }
  }

  // Ends the worker that played the case just judged: a worker whose case
  // failed may hold what broke, and plays no more. Waits until the server
  // has reaped it, so that it cannot take the next case's command with it.
  void retire_player(const ChildEnd& end) {
    if (!end.finished) return;
    const pid_t player = shared->header(shared->batch().current.load()).player.load();
    kill(player, SIGKILL);
    const auto give_up = Clock::now() + kReapBound;
    try {
      for (;;) {
        const std::optional<Message> message = receive(give_up);
        if (!message) throw ServerLost{};
        if (message->kind == Message::child_ended && message->pid == player) return;
      }
    } catch (const ServerLost&) {
      stop_server(false);  // the next case starts a new one
    }
  }

  // Plays `cases` (at most kBatchSlots) in one batch and judges them in
  // order into `results`, stopping after the first that fails; returns how
  // many were judged.
  std::size_t run_batch(std::span<const std::span<const Step>> cases, bool record,
                        std::span<CaseResult> results) {
    std::size_t longest = 0;
    for (const auto& steps : cases) longest = std::max(longest, steps.size());
    ensure_capacity(longest);
    const ChildEnd end = play_with_retry(cases, Command::batched);
    if (cases.size() > 1 && capture && capture->bytes() > 0) {
      // The pipe does not say which case wrote what: each case is played
      // again in a batch of its own, for the output of that case alone.
      retire_player(end);
      return run_one_by_one(cases, record, results);
    }
    const std::uint32_t last = shared->batch().current.load();
    // The worker went on after every case before the last it played.
    ChildEnd went_on;
    went_on.finished = true;
    for (std::uint32_t slot = 0; slot <= last && slot < cases.size(); ++slot) {
      const ChildEnd& slot_end = slot < last ? went_on : end;
      if (settle_case(slot, cases[slot], slot_end, end, record, results[slot])) continue;
      return slot + 1;
    }
    // A worker that died between two cases played no more of them.
    const std::size_t played = std::min<std::size_t>(last + 1, cases.size());
    if (played == cases.size()) return played;
    return played + run_batch(cases.subspan(played), record, results.subspan(played));
  }

  std::size_t run_one_by_one(std::span<const std::span<const Step>> cases, bool record,
                             std::span<CaseResult> results) {
    for (std::size_t index = 0; index < cases.size(); ++index) {
      if (run_batch(cases.subspan(index, 1), record, results.subspan(index, 1)) == 1 &&
          results[index].failed()) {
        return index + 1;
      }
    }
    return cases.size();
  }

  // Judges the case in slot `slot`, which ended as `slot_end` in a batch
  // that ended as `end`, into `result`; returns false when it failed.
  bool settle_case(std::size_t slot, std::span<const Step> steps, const ChildEnd& slot_end,
                   const ChildEnd& end, bool record, CaseResult& result) {
    const SharedHeader& header = shared->header(slot);
    const bool fresh = header.fresh_player.load();
    const bool died = !slot_end.finished && !slot_end.killed_for_timeout;
    // A worker that had played cases may die opening a store of what an
    // earlier case left: only a fresh worker says the provider opens none.
    const bool opened = header.phase.load() != Phase::opening;
    if (opened || fresh) {
      judge(slot, steps, slot_end, record, result);
      if (!result.failed()) return true;
      retire_player(end);
      // A hang is the store's whatever came before; one process, one case
      // gives the same verdict for everything else.
      if (slot_end.killed_for_timeout || (!died && fresh)) return false;
    }
    // Played alone in a fresh worker that watches every call, the case gets
    // the verdict and attribution of one process per case. Should it pass
    // there, the failure found stands: the store failed, if not every time.
    CaseResult alone;
    const std::span<const Step> alone_case[] = {steps};
    const ChildEnd alone_end = play_with_retry(alone_case, Command::alone);
    judge(0, steps, alone_end, record, alone);
    if (alone.failed()) retire_player(alone_end);
    if (alone.failed() || !opened) result = std::move(alone);
    return !result.failed();
  }
};

IsolatingRunner::IsolatingRunner(Provider provider, CaseOptions options,
                                 const IsolationOptions& isolation) {
  if (isolation.timeout_ms == 0) {
    throw ConfigurationError("the per-call timeout must be at least 1 ms");
  }
  state_ = std::make_unique<State>(std::move(provider), options, isolation);
}

IsolatingRunner::IsolatingRunner(Provider provider, CaseOptions options, std::uint32_t timeout_ms)
    : IsolatingRunner(std::move(provider), options, IsolationOptions{.timeout_ms = timeout_ms}) {}

IsolatingRunner::~IsolatingRunner() = default;

void IsolatingRunner::run(std::span<const Step> steps, bool record, CaseResult& result) {
  const std::span<const Step> cases[] = {steps};
  state_->run_batch(cases, record, std::span<CaseResult>(&result, 1));
}

std::size_t IsolatingRunner::run_batch(std::span<const std::span<const Step>> cases,
                                       std::span<CaseResult> results) {
  std::size_t played = 0;
  while (played < cases.size()) {
    const std::size_t size = std::min(kBatchSlots, cases.size() - played);
    const std::size_t judged =
        state_->run_batch(cases.subspan(played, size), false, results.subspan(played, size));
    played += judged;
    if (results[played - 1].failed()) break;
  }
  return played;
}

const CaseOptions& IsolatingRunner::options() const noexcept { return state_->options; }

}  // namespace logoffcheck
