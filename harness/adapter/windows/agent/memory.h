// MAPI's memory routines as the agent gives them to MSProviderInit and
// IMAPISupport::GetMemAllocRoutines: MAPIAllocateBuffer, MAPIAllocateMore
// and MAPIFreeBuffer's semantics (a buffer frees everything allocated "more"
// on it). While tracing() is on (MSProviderInit and Logon), each call is in
// the logon trace. Part of logoffcheck-agent.exe.
#pragma once

#include <mapicode.h>
#include <mapidefs.h>
#include <windows.h>

namespace logoffcheck::windows_agent {

SCODE WINAPI allocate_buffer(ULONG size, LPVOID* buffer);
SCODE WINAPI allocate_more(ULONG size, LPVOID object, LPVOID* buffer);
ULONG WINAPI free_buffer(LPVOID buffer);

// The same, for the agent's own allocations: never traced.
SCODE allocate_untraced(ULONG size, LPVOID* buffer);
SCODE allocate_more_untraced(ULONG size, LPVOID object, LPVOID* buffer);

// Whether the routines' calls go into the trace now.
void set_tracing(bool on);

}  // namespace logoffcheck::windows_agent
