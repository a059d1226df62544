// The agent's channel to the verifier (../protocol/agent_protocol.h): its
// own copies of the standard handles, one fixed-size Message each way, and
// the trace of the calls the agent answers itself. Part of
// logoffcheck-agent.exe (agent.cpp).
#pragma once

#include <windows.h>

#include <string>

#include "../protocol/agent_protocol.h"

namespace logoffcheck::windows_agent {

// Keeps the protocol's handles and points every standard handle, and the C
// runtime's stdout and stderr, at NUL: what the provider (or Wine) prints
// never reaches the verifier's channel.
void take_channel();

[[noreturn]] void lost_verifier();
void send(const Message& message);
Message receive();
// The next `size` bytes from the verifier (a batch's events).
void receive_bytes(void* bytes, std::size_t size);
void set_text(Message& message, const std::string& text);

// Batched cases: while on, send() keeps its messages until flush() writes
// them in one go. Safe from any thread (the watchdog, an exception filter).
void set_buffering(bool on);
void flush();
// Writes what is kept, then `message`, then ends the agent with `exit_code`:
// the last word of an agent whose store faulted.
[[noreturn]] void send_last(const Message& message, UINT exit_code);

// Tells the verifier of a call the agent answered itself; returns `result`.
HRESULT trace(TraceKind kind, const std::string& call, HRESULT result);

// "0x80040102": an HRESULT, a flag word, a tag as the trace writes them.
std::string hex32(ULONG value);

}  // namespace logoffcheck::windows_agent
