#include "logoffcheck/observation.h"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace logoffcheck {

std::string_view outcome_name(CallOutcome outcome) noexcept {
  switch (outcome) {
    case CallOutcome::returned:
      return "returned";
    case CallOutcome::threw:
      return "threw";
    case CallOutcome::signaled:
      return "signaled";
    case CallOutcome::exited:
      return "exited";
    case CallOutcome::hung:
      return "hung";
    case CallOutcome::out_of_memory:
      return "out-of-memory";
    case CallOutcome::host_killed:
      return "host-killed";
  }
  return "returned";
}

std::string_view support_method_name(SupportMethod method) noexcept {
  switch (method) {
    case SupportMethod::AddRef:
      return "IMAPISupport::AddRef";
    case SupportMethod::Release:
      return "IMAPISupport::Release";
    case SupportMethod::StoreLogoffTransports:
      return "IMAPISupport::StoreLogoffTransports";
  }
  return "IMAPISupport::AddRef";
}

void set_fault_text(Observation& observation, std::string_view text) noexcept {
  const std::size_t length = std::min(text.size(), observation.fault_text.size() - 1);
  std::memcpy(observation.fault_text.data(), text.data(), length);
  observation.fault_text[length] = '\0';
}

namespace {

std::string_view signal_name(int number) noexcept {
  switch (number) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGTRAP:
      return "SIGTRAP";
    default:
      return "signal";
  }
}

// " 50 ms after it returned" for a fault of a thread the call left running,
// and what isolation knew of the process then (fault_text: "at its memory
// limit of 512 MiB").
std::string after_return(const Observation& observation) {
  std::string text;
  if (observation.fault_after_return) {
    text = " " + std::to_string(observation.fault_delay_ms) + " ms after it returned";
  }
  if (observation.fault_text[0] != '\0') {
    text += " ";
    text += observation.fault_text.data();
  }
  return text;
}

}  // namespace

std::string describe_outcome(const Observation& observation) {
  const int detail = observation.fault_detail;
  switch (observation.outcome) {
    case CallOutcome::returned:
      return "returned";
    case CallOutcome::threw: {
      std::string text = "threw an exception";
      if (observation.fault_text[0] != '\0') {
        text += ": ";
        text += observation.fault_text.data();
      }
      return text;
    }
    case CallOutcome::signaled:
      return "died by " + std::string(signal_name(detail)) + " (signal " + std::to_string(detail) +
             ")" + after_return(observation);
    case CallOutcome::exited:
      return "exited the process with status " + std::to_string(detail) + after_return(observation);
    case CallOutcome::hung:
      return "no return within " + std::to_string(detail) + " ms";
    case CallOutcome::out_of_memory:
      return "exceeded the memory limit of " + std::to_string(detail) + " MiB";
    case CallOutcome::host_killed:
      return "killed the process that hosts the store (" + std::string(signal_name(detail)) +
             " to its parent)";
  }
  return "returned";
}

std::string describe_transport_call(const TransportCall& call) {
  return "StoreLogoffTransports(" +
         (call.flags_pointer_null ? std::string("NULL") : describe_flags(call.flags_in)) + ")";
}

std::string describe_transport_calls(const Observation& observed) {
  if (observed.transport_call_count == 0) return "no StoreLogoffTransports call";
  std::string text;
  for (std::size_t i = 0; i < recorded_transport_calls(observed); ++i) {
    if (i > 0) text += ", ";
    text += describe_transport_call(observed.transport_calls[i]);
  }
  if (observed.transport_call_count > kRecordedTransportCalls) {
    text += ", ... (" + std::to_string(observed.transport_call_count) + " calls in all)";
  }
  return text;
}

}  // namespace logoffcheck
