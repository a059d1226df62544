// Private to harness/run: the verifier's side of the fork server, shared by
// every kind of isolated case (docs/isolation.md). A WorkerPool starts and
// stops the fork server, hands its workers what is in shared memory with a
// Command, and waits for the worker to end, killing it when a call takes
// longer than the timeout. What the work is and how its result is judged is
// the caller's: sequential batches (isolation.cpp) and concurrent histories
// (history_runner.cpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "logoffcheck/isolation.h"
#include "output_capture.h"
#include "sandbox.h"
#include "shared_case.h"

namespace logoffcheck::isolation {

using Clock = std::chrono::steady_clock;

// Cases handed to a worker in one message: the engine's chunk (driver.h).
inline constexpr std::size_t kBatchSlots = 64;

// How the worker of one command ended.
struct ChildEnd {
  bool finished = false;  // it sent case_done
  int wait_status = 0;    // otherwise
  bool killed_for_timeout = false;
  // The fork server died during the command, not by the verifier's hand:
  // the store killed the process that hosts it (wait_status: the server's).
  bool host_killed = false;
  Clock::time_point died_at;  // when the verifier learnt of its death
};

// The observation of the call a worker died in, hung in or ran out of
// memory in. A death by a signal or an exit while the worker was at its
// memory limit (an allocation failed, or its address space was within an
// eighth of the limit) says so in fault_text: "at its memory limit of 512 MiB".
Observation fault_observation(const ChildEnd& end, const IsolationOptions& isolation,
                              const SharedHeader& header);

class WorkerPool {
 public:
  WorkerPool(Provider provider, CaseOptions options, const IsolationOptions& isolation);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  const Provider& provider() const noexcept { return provider_; }
  const CaseOptions& options() const noexcept { return options_; }
  const IsolationOptions& isolation() const noexcept { return isolation_; }
  SharedCase& shared() const noexcept { return *shared_; }
  // The output of the command last played, when it is captured.
  OutputCapture* capture() const noexcept { return capture_.get(); }

  // Room for cases of `steps` steps and for `history_slots` history slots;
  // a fork server started with less room is stopped (its view of the
  // shared memory is fixed when it forks).
  void ensure_capacity(std::size_t steps, std::size_t history_slots = 0);

  // Writes the work into shared memory with `prepare`, hands it to a worker
  // with `command` and waits for the worker to end. A fork server that dies
  // or stops answering is replaced once. Throws InternalError when that
  // fails again or no server can be started.
  ChildEnd play(Command command, const std::function<void(SharedCase&)>& prepare);

  // Ends the worker that played the command, if it is still there, and
  // waits until the server has reaped it.
  void retire_player(const ChildEnd& end);

  // Throws the ConfigurationError of a provider whose store could not be
  // opened in a fresh worker.
  [[noreturn]] void throw_open_failure(const ChildEnd& end, const SharedHeader& header) const;

  // The observation of a call after which its worker died, while a thread
  // the call had left running was still there.
  Observation late_fault(const ChildEnd& end, const SharedHeader& header) const;

 private:
  void start_server();
  void stop_server(bool gentle = true) noexcept;
  std::optional<Message> receive(Clock::time_point deadline) const;
  void send_command(Command command) const;
  ChildEnd play_in_worker(Command command);
  std::optional<int> server_killed_by_store();

  Provider provider_;
  CaseOptions options_;
  IsolationOptions isolation_;
  std::unique_ptr<SharedCase> shared_;
  std::unique_ptr<OutputCapture> capture_;
  std::unique_ptr<ScratchFolder> scratch_;  // with the sandbox
  pid_t server_ = -1;
  int channel_ = -1;  // SOCK_SEQPACKET, shared with the server and its workers
};

}  // namespace logoffcheck::isolation
