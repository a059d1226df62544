// logoffcheck/input_handling.h — how a store treats invalid StoreLogoff input
// and what it writes back into *lpulFlags (contract decisions D3, D4): what
// `certify --profile auto` says beside the profile a store follows.
//
// Both are choices the contract leaves to the provider: invalid input may be
// rejected or accepted (accepting it is a SHOULD violation, SL-3), and a valid
// deferred StoreLogoff may leave the input, activity bits or LOGOFF_COMPLETE.
// The probe plays two fixed cases through a runner and reads the records.
#pragma once

#include <string>

#include "logoffcheck/case.h"

namespace logoffcheck {

// What the store does with invalid StoreLogoff input.
enum class InvalidInputHandling : std::uint8_t {
  rejects,                   // a failure HRESULT (SL-2 then binds it)
  accepts_as_given,          // S_OK; the final Release passes the input as given
  accepts_input_flag_alone,  // S_OK; it passes the one input flag beside the output bits
  ignores,                   // S_OK; it passes the flag saved before
  accepts,                   // S_OK; what it then passes is not known (eager, or another flag)
  not_determined,            // the probe failed a clause before it could tell
};

// What a valid StoreLogoff leaves in *lpulFlags.
enum class WriteBack : std::uint8_t {
  unchanged,       // the input (deferred)
  activity,        // a subset of the activity bits (deferred)
  complete,        // LOGOFF_COMPLETE (deferred, as the SDK sample store)
  spooler_answer,  // the spooler's answer (eager, SL-5)
  other,           // anything else (an SL-4 or SL-5 failure)
  not_determined,
};

struct InputHandling {
  InvalidInputHandling invalid_input = InvalidInputHandling::not_determined;
  WriteBack write_back = WriteBack::not_determined;
};

// Plays StoreLogoff(LOGOFF_ORDERLY) then StoreLogoff(LOGOFF_NO_WAIT |
// LOGOFF_COMPLETE) (the input a client feeding back a sample store's output
// passes) and the final Release through `runner`, recording, and classifies
// what the store did. `runner` should not be strict (an accepted input would
// end the case). Throws what the runner throws.
InputHandling probe_input_handling(CaseRunner& runner);

// "invalid input: accepted as given; writes back LOGOFF_COMPLETE".
std::string describe_input_handling(const InputHandling& handling);

}  // namespace logoffcheck
