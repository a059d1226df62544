// The agent's copy of SimulatedSupport's answers (local_support.h), as
// harness/run/src/support.cpp gives them.
#include "local_support.h"

#include "logoffcheck/model.h"

namespace logoffcheck::windows_agent {

namespace {

Environment environment;
ULONG references = 0;

}  // namespace

void local_reset() {
  environment = Environment{};
  references = 0;
}

void local_environment_event(std::uint8_t action) {
  environment = apply_environment_event(environment, static_cast<Action>(action));
}

LocalAnswer local_add_ref() { return {++references, 0}; }

// A Release without a reference is not made (SimulatedSupport::Release).
LocalAnswer local_release() { return {references == 0 ? 0 : --references, 0}; }

LocalAnswer local_store_logoff_transports(bool null_flags, std::uint32_t flags) {
  if (null_flags) {  // SP-1: not exactly one input flag
    return {static_cast<std::uint32_t>(MAPI_E_INVALID_PARAMETER), 0};
  }
  const SpoolerAnswer answer = spooler_store_logoff_transports(environment, flags);
  environment = answer.after;
  return {static_cast<std::uint32_t>(answer.result), answer.flags_out};
}

}  // namespace logoffcheck::windows_agent
