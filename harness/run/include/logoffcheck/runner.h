// logoffcheck/runner.h — choosing how cases are executed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "logoffcheck/adapter.h"
#include "logoffcheck/case.h"
#include "logoffcheck/mapi_environment.h"

namespace logoffcheck {

// The memory limit isolated cases get unless told otherwise: 1024 MiB, or
// none in a build under AddressSanitizer, whose shadow memory alone takes
// terabytes of address space.
std::uint32_t default_memory_limit_mb() noexcept;

struct RunnerOptions {
  // Run each case in a child process, so that a crash, an exit or a hang in
  // the provider becomes an RC-3 violation instead of taking the verifier down.
  bool isolate = false;
  // With isolation: how long one call on the store may take before it counts
  // as a hang (RC-3).
  std::uint32_t timeout_ms = 5000;
  // With isolation: how long a worker waits for threads a call left running
  // before it goes on; a fault within it is the call's (RC-3).
  std::uint32_t settle_ms = 100;
  // With isolation: each worker's address-space limit in MiB (0: none).
  std::uint32_t memory_limit_mb = default_memory_limit_mb();
  // With isolation: capture the store's stdout and stderr (true), or let
  // them through to the verifier's own (false, for debugging a store).
  bool capture_output = true;
  // With isolation: play cases in the sandbox (isolation.h,
  // docs/isolation.md#the-sandbox). The CLI's default is on (--sandbox).
  bool sandbox = false;
  // A Windows DLL's MAPI profile (--mapi-profile); nullopt for the built-in
  // one. Only a Windows DLL has one: make_runner refuses it for any other.
  std::optional<MapiProfile> mapi_profile = std::nullopt;
};

struct IsolationOptions;

// What `options` asks of isolation (timeout, settle time, memory limit,
// captured output), for every isolating runner: sequential cases'
// (IsolatingRunner) and concurrent histories' (make_isolated_history_runner).
IsolationOptions isolation_options(const RunnerOptions& options);

// A runner for `provider` under `options`.
std::unique_ptr<CaseRunner> make_runner(Provider provider, const CaseOptions& case_options,
                                        const RunnerOptions& runner_options);

}  // namespace logoffcheck
