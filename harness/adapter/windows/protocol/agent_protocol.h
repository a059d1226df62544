// The wire protocol between the verifier and the Windows agent
// (agent/agent.cpp, run under Wine). Internal: both sides include this file,
// nothing else does.
//
// One fixed-size Message per exchange, over the agent's stdin (verifier to
// agent) and stdout (agent to verifier); the agent points its standard
// handles elsewhere before it loads the provider, so nothing else is ever
// written there. The verifier asks; while a store call is in progress the
// agent may ask back (a support-object call) and waits for the answer, so
// the store's calls on IMAPISupport are answered by the verifier's own
// SimulatedSupport.
//
// Batched cases (protocol 3): a `batch` message hands the agent many cases at
// once, their events (BatchEvent) following it as raw bytes. The agent plays
// them without waiting for the verifier: it answers AddRef, Release and
// StoreLogoffTransports of the support object itself, as SimulatedSupport
// does (the model's spooler is compiled into the agent), and reports each
// answer in its support_call message. It writes a case's messages at once,
// when the case is done (case_done), or when the case ends in a fault (then
// followed by the fault's message: exception, threw, or hung from its
// watchdog); the verifier replays them through its own SimulatedSupport and
// CaseInterpreter.
#pragma once

#include <cstddef>
#include <cstdint>

namespace logoffcheck::windows_agent {

inline constexpr std::uint32_t kProtocolVersion = 3;

enum class Kind : std::uint32_t {
  // verifier -> agent
  open_store = 1,  // IMSProvider::Logon on a fresh support object
  call = 2,        // a = Call, b = *lpulFlags, c = 1 for a NULL lpulFlags
  answer = 3,      // to support_call: a = the HRESULT or ULONG returned, b = *lpulFlags out
  quit = 4,
  // A property of the agent's in-memory MAPI profile, sent before the first
  // open_store: a = ProfileSection, b = the property tag, c = the value's
  // length in bytes; text holds its first kTextBytes bytes, and as many
  // profile_more messages as needed follow with the rest, kTextBytes each.
  profile_value = 5,
  profile_more = 6,
  // Cases to play: a = how many, b = the per-call timeout in ms, c = the
  // bytes that follow (per case: a std::uint32_t count of events, then that
  // many BatchEvent).
  batch = 7,
  // agent -> verifier
  ready = 100,         // started: a = kProtocolVersion, b = the provider's SPI version
  start_failed = 101,  // a = StartStage, b = the error code; text says more
  opened = 102,        // Logon gave a store
  open_failed = 103,   // a = the HRESULT of Logon (S_OK when it gave no store)
  support_call = 104,  // a = SupportCall, b = *lpulFlags in, c = 1 for a NULL lpulFlags;
                       // in a batch the agent answered it: address = the value
                       // returned | *lpulFlags out << 32
  trace = 105,         // a call the agent answered itself: a = its HRESULT (or SCODE),
                       // b = TraceKind, text = "IMAPISupport::NewUID(...)"
  returned = 106,      // a = the HRESULT or ULONG returned, b = *lpulFlags out
  threw = 107,         // a C++ exception escaped the call; text = what() if known
  exception = 108,     // an unhandled Windows exception: a = its code,
                       // b = access kind (0 read, 1 write, 8 execute), address
  case_done = 109,     // a case of a batch has been played
  hung = 110,          // in a batch, a call ran past its timeout (the agent then ends)
};

enum class Call : std::uint32_t { add_ref = 0, release = 1, store_logoff = 2 };
enum class SupportCall : std::uint32_t { add_ref = 0, release = 1, store_logoff_transports = 2 };
enum class TraceKind : std::uint32_t {
  support = 0,        // an IMAPISupport method the agent implements, or a call on what it gave
  unsupported = 1,    // an IMAPISupport method answered MAPI_E_NO_SUPPORT
  allocation = 2,     // MSProviderInit's memory routines, during MSProviderInit or Logon
  provider_init = 3,  // MSProviderInit itself (sent before ready)
  logon = 4,          // IMSProvider::Logon itself (sent before opened or open_failed)
};
enum class ProfileSection : std::uint32_t { provider = 0, global = 1 };
enum class StartStage : std::uint32_t { load_library = 1, find_entry = 2, provider_init = 3 };

inline constexpr std::uint32_t kTextBytes = 104;

// An event of a batched case: a client call (action: a Call) or an
// environment event between calls (action: the model's Action, 3 and up).
struct BatchEvent {
  std::uint8_t action = 0;
  std::uint8_t null_flags = 0;  // StoreLogoff: a NULL lpulFlags
  std::uint16_t unused = 0;
  std::uint32_t flags = 0;  // StoreLogoff: *lpulFlags in
};
static_assert(sizeof(BatchEvent) == 8);

// Cases in one batch, at most.
inline constexpr std::uint32_t kBatchCases = 64;

// The same layout for the x64 and the i686 agent (and the verifier).
struct Message {
  Kind kind{};
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint32_t c = 0;
  std::uint64_t address = 0;
  char text[kTextBytes] = {};
};
static_assert(sizeof(Message) == 128);
static_assert(offsetof(Message, address) == 16 && offsetof(Message, text) == 24);

}  // namespace logoffcheck::windows_agent
