#include "logoffcheck/support.h"

namespace logoffcheck {

namespace {
// The observation of the client call in progress on this thread, during the
// concurrent part of a history.
thread_local Observation* thread_recording = nullptr;
// The references the store held when that call began, and how many the
// call itself took (AddRef) and gave back (Release) since. Another thread's
// final Release may give the last reference back while this call is still
// returning; the references "after" this call are this call's own doing.
thread_local long thread_references_at_begin = 0;
thread_local long thread_reference_change = 0;
}  // namespace

Observation* SimulatedSupport::recording() const noexcept {
  return thread_recording != nullptr ? thread_recording : recording_;
}

void SimulatedSupport::begin_thread_step(Observation& observation) noexcept {
  const auto lock = guard();
  thread_recording = &observation;
  thread_references_at_begin = store_references_;
  thread_reference_change = 0;
}

void SimulatedSupport::end_thread_step() noexcept {
  if (thread_recording != nullptr) {
    const long after = thread_references_at_begin + thread_reference_change;
    thread_recording->support_references_after = after > 0 ? static_cast<ULONG>(after) : 0;
  }
  thread_recording = nullptr;
}

bool SimulatedSupport::unreferenced(SupportMethod method) noexcept {
  if (creating_ || store_references_ > 0) return false;
  if (Observation* observation = recording(); observation != nullptr) {
    if (observation->unreferenced_support_calls == 0) observation->first_unreferenced_call = method;
    ++observation->unreferenced_support_calls;
  }
  return true;
}

ULONG SimulatedSupport::AddRef() {
  const auto lock = guard();
  unreferenced(SupportMethod::AddRef);
  if (thread_recording != nullptr) ++thread_reference_change;
  return ++store_references_;
}

ULONG SimulatedSupport::Release() {
  const auto lock = guard();
  // A Release without a reference would underflow: count it, don't do it.
  if (store_references_ == 0) {
    if (!creating_) unreferenced(SupportMethod::Release);
    return 0;
  }
  if (thread_recording != nullptr) --thread_reference_change;
  return --store_references_;
}

HRESULT SimulatedSupport::StoreLogoffTransports(ULONG* lpulFlags) {
  const auto lock = guard();
  unreferenced(SupportMethod::StoreLogoffTransports);
  TransportCall call;
  call.flags_pointer_null = lpulFlags == nullptr;
  call.flags_in = lpulFlags != nullptr ? *lpulFlags : 0;
  call.support_references = store_references_;
  call.before = environment_;
  SpoolerAnswer answer;
  if (lpulFlags == nullptr) {  // SP-1: not exactly one input flag
    answer.result = MAPI_E_INVALID_PARAMETER;
    answer.after = environment_;
  } else {
    answer = spooler_store_logoff_transports(environment_, *lpulFlags);
    *lpulFlags = answer.flags_out;
  }
  environment_ = answer.after;
  call.result = answer.result;
  call.flags_out = answer.flags_out;
  call.after = environment_;
  if (Observation* observation = recording(); observation != nullptr) {
    if (observation->transport_call_count < kRecordedTransportCalls) {
      observation->transport_calls[observation->transport_call_count] = call;
    }
    ++observation->transport_call_count;
  }
  return answer.result;
}

void SimulatedSupport::end_step() noexcept {
  const auto lock = guard();
  if (recording_ != nullptr) recording_->support_references_after = store_references_;
  recording_ = nullptr;
}

}  // namespace logoffcheck
