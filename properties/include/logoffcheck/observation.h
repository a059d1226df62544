// logoffcheck/observation.h — what the verifier saw during one step.
//
// Contract §7: the HRESULT and *lpulFlags of StoreLogoff, the value AddRef and
// Release return, every call the store makes on the support object, and how
// the call ended (returned, crashed, hung, threw, exited). Nothing else of a
// provider is visible, and nothing else is judged. An Observation is a plain
// value (no allocation) so it can cross a process boundary as bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "logoffcheck/mapi.h"
#include "logoffcheck/model.h"

namespace logoffcheck {

// How a call on the store ended.
enum class CallOutcome : std::uint8_t {
  returned,  // it returned normally
  threw,     // a C++ exception escaped it
  signaled,  // the process died by a signal (fault_detail: the signal number)
  exited,    // the process exited during the call (fault_detail: the status)
  hung,      // no return within the timeout (fault_detail: the timeout in ms)
  // the process ran out of the memory limit isolation set (fault_detail:
  // the limit in MiB): an allocation failed, or the process died after one did
  out_of_memory,
  // the process that hosts the store's (an isolated store's fork server)
  // was killed during the call, by the store (fault_detail: the signal)
  host_killed,
};

std::string_view outcome_name(CallOutcome outcome) noexcept;

// The methods of IMAPISupport a store can call.
enum class SupportMethod : std::uint8_t { AddRef, Release, StoreLogoffTransports };

std::string_view support_method_name(SupportMethod method) noexcept;

// One IMAPISupport::StoreLogoffTransports call made by the store.
struct TransportCall {
  bool flags_pointer_null = false;
  ULONG flags_in = 0;
  HRESULT result = S_OK;
  ULONG flags_out = 0;
  // References to the support object the store held when it made the call.
  ULONG support_references = 0;
  Environment before;  // the spooler's environment as the call came in
  Environment after;   // and as it returned

  friend constexpr bool operator==(const TransportCall&, const TransportCall&) = default;
};

// Transport calls kept in full per step; more are counted but not kept.
inline constexpr std::size_t kRecordedTransportCalls = 4;

struct Observation {
  CallOutcome outcome = CallOutcome::returned;
  std::int32_t fault_detail = 0;
  // For `threw`: the start of the exception's what(), NUL-terminated. For
  // `signaled` and `exited`: what else isolation knew of the death
  // ("at its memory limit of 512 MiB"), or empty.
  std::array<char, 96> fault_text{};
  // For `signaled` and `exited`: the process died after the call had
  // returned (a thread the store left running), `fault_delay_ms` later.
  bool fault_after_return = false;
  std::uint32_t fault_delay_ms = 0;

  ULONG count_returned = 0;  // AddRef, Release
  HRESULT result = S_OK;     // StoreLogoff
  ULONG output_flags = 0;    // StoreLogoff: *lpulFlags on return (non-NULL pointer)

  std::uint32_t transport_call_count = 0;
  std::array<TransportCall, kRecordedTransportCalls> transport_calls{};

  // Calls the store made on the support object while it held no reference
  // to it (after its creating call), and the first such method (RC-2).
  std::uint32_t unreferenced_support_calls = 0;
  SupportMethod first_unreferenced_call = SupportMethod::AddRef;
  // References to the support object the store holds once the step returned.
  ULONG support_references_after = 0;

  friend constexpr bool operator==(const Observation&, const Observation&) = default;
};

// The recorded transport calls (at most kRecordedTransportCalls of them).
inline std::size_t recorded_transport_calls(const Observation& observation) noexcept {
  return observation.transport_call_count < kRecordedTransportCalls
             ? observation.transport_call_count
             : kRecordedTransportCalls;
}

// Keeps the start of `text` as the observation's fault_text.
void set_fault_text(Observation& observation, std::string_view text) noexcept;

// "returned", "died by SIGSEGV (signal 11)", "exited with status 3",
// "threw an exception: bad state", "no return within 2000 ms",
// "exceeded the memory limit of 512 MiB", "died by SIGSEGV (signal 11) 50 ms
// after it returned", "died by SIGABRT (signal 6) at its memory limit of 512 MiB".
std::string describe_outcome(const Observation& observation);

// "StoreLogoffTransports(LOGOFF_ORDERLY)", or "StoreLogoffTransports(NULL)".
std::string describe_transport_call(const TransportCall& call);

// Every transport call of a step, comma-separated, or
// "no StoreLogoffTransports call".
std::string describe_transport_calls(const Observation& observed);

}  // namespace logoffcheck
