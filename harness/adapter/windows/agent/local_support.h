// What the verifier's SimulatedSupport answers, computed in the agent for
// batched cases (agent_protocol.h): the store's references to its support
// object, and the model's spooler over the transport environment. Built from
// the model's own sources (model/src), so the answers are the model's; this
// header keeps the model's MAPI names out of the agent's Windows translation
// units. Part of logoffcheck-agent.exe.
#pragma once

#include <cstdint>

namespace logoffcheck::windows_agent {

struct LocalAnswer {
  std::uint32_t value = 0;      // the count or HRESULT returned
  std::uint32_t flags_out = 0;  // *lpulFlags on return
};

// A new case: no reference held, the initial transport environment.
void local_reset();
// An environment event of the model (logoffcheck::Action, 3 and up).
void local_environment_event(std::uint8_t action);
LocalAnswer local_add_ref();
LocalAnswer local_release();
LocalAnswer local_store_logoff_transports(bool null_flags, std::uint32_t flags);

}  // namespace logoffcheck::windows_agent
