// The support object (IMAPISupport) the agent gives each store's Logon.
// AddRef, Release and StoreLogoffTransports are the verifier's to answer
// (its SimulatedSupport judges them); the methods a store provider needs to
// log on work as MAPI's do, here in the agent, each traced to the verifier:
// OpenProfileSection (profile.h), NewUID, SetProviderUID, Subscribe,
// Unsubscribe, Notify, ModifyStatusRow, ModifyProfile, WrapStoreEntryID,
// GetMemAllocRoutines, GetLastError, CompareEntryIDs. Every other method
// answers MAPI_E_NO_SUPPORT, traced as unsupported. Part of
// logoffcheck-agent.exe.
#pragma once

#include <mapidefs.h>
#include <mapispi.h>
#include <windows.h>

#include <string>

#include "profile.h"

namespace logoffcheck::windows_agent {

// A new support object for one Logon on `profile`, whose store provider DLL
// is `dll_name` (WrapStoreEntryID puts it in the wrapped entry identifier).
// Never freed: a store of an earlier case may keep (and call) it.
IMAPISupport* new_support(Profile& profile, const std::string& dll_name);

// The verifier has moved on: the support object answers locally and traces
// nothing from now on (AddRef and Release: 1; StoreLogoffTransports:
// MAPI_E_CALL_FAILED).
void retire_support(IMAPISupport* support);

// Batched cases: while on, AddRef, Release and StoreLogoffTransports are
// answered in the agent as the verifier's SimulatedSupport would
// (local_support.h), and reported in their support_call messages.
void answer_locally(bool on);

}  // namespace logoffcheck::windows_agent
