// conformant_observation.h — what a conformant provider lets the verifier see
// for one step, built from the model's own expectation.
//
// Tests start from this observation and break one part of it to make a
// violation of one clause; properties feed it back to the checks to show
// that the model and the checks agree (no false positives); the benchmark
// times check_step on it. Header-only so that bench/ can share it.
#pragma once

#include "logoffcheck/model.h"
#include "logoffcheck/observation.h"
#include "logoffcheck/step.h"

namespace logoffcheck::testing {

// A StoreLogoffTransports call as the simulated spooler serves it (SP-1..SP-7):
// the model's spooler answer to `flags` in `environment`, made while the store
// holds one reference to the support object.
inline TransportCall served_transport_call(const Environment& environment, ULONG flags) noexcept {
  const SpoolerAnswer answer = spooler_store_logoff_transports(environment, flags);
  TransportCall call;
  call.flags_in = flags;
  call.result = answer.result;
  call.flags_out = answer.flags_out;
  call.support_references = 1;
  call.before = environment;
  call.after = answer.after;
  return call;
}

// Replaces the observation's transport calls with exactly `call`.
inline void observe_only_call(Observation& observed, const TransportCall& call) noexcept {
  observed.transport_call_count = 1;
  observed.transport_calls = {};
  observed.transport_calls[0] = call;
}

// The observation of a conformant provider answering `step` in `before`,
// given `expected` = step(before, step).expected: the call returns the
// expected count or HRESULT, StoreLogoff leaves the input in *lpulFlags
// (deferred) or returns the spooler's answer (eager), the one transport call
// that is due is made with the expected flag, and one support reference is
// held until the final Release gives it back.
inline Observation conformant_observation(const State& before, const Step& step,
                                          const Expectation& expected) noexcept {
  Observation observed;
  observed.count_returned = expected.count_returned;
  observed.result = expected.result;
  observed.output_flags =
      expected.output == OutputRule::not_judged ? step.flags : expected.output_flags;
  if (expected.transport_call_due) {
    observe_only_call(observed, served_transport_call(before.environment, expected.transport_flag));
  }
  observed.support_references_after = expected.support_after == SupportReference::released ? 0 : 1;
  return observed;
}

}  // namespace logoffcheck::testing
