#include "logoffcheck/support.h"

namespace logoffcheck {

bool SimulatedSupport::unreferenced(SupportMethod method) noexcept {
  if (creating_ || store_references_ > 0) return false;
  if (recording_ != nullptr) {
    if (recording_->unreferenced_support_calls == 0) recording_->first_unreferenced_call = method;
    ++recording_->unreferenced_support_calls;
  }
  return true;
}

ULONG SimulatedSupport::AddRef() {
  unreferenced(SupportMethod::AddRef);
  return ++store_references_;
}

ULONG SimulatedSupport::Release() {
  // A Release without a reference would underflow: count it, don't do it.
  if (store_references_ == 0) {
    if (!creating_) unreferenced(SupportMethod::Release);
    return 0;
  }
  return --store_references_;
}

HRESULT SimulatedSupport::StoreLogoffTransports(ULONG* lpulFlags) {
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
  if (recording_ != nullptr) {
    if (recording_->transport_call_count < kRecordedTransportCalls) {
      recording_->transport_calls[recording_->transport_call_count] = call;
    }
    ++recording_->transport_call_count;
  }
  return answer.result;
}

void SimulatedSupport::end_step() noexcept {
  if (recording_ != nullptr) recording_->support_references_after = store_references_;
  recording_ = nullptr;
}

}  // namespace logoffcheck
