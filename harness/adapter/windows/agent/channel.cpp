// The agent's channel to the verifier (channel.h).
#include "channel.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace logoffcheck::windows_agent {

namespace {

HANDLE from_verifier = INVALID_HANDLE_VALUE;
HANDLE to_verifier = INVALID_HANDLE_VALUE;

// Batched messages, and the lock that guards them (a batch's watchdog and an
// exception filter may write from another thread).
bool buffering = false;
std::vector<Message> kept;
CRITICAL_SECTION lock;
struct LockInit {
  LockInit() { InitializeCriticalSection(&lock); }
} lock_init;

struct Locked {
  Locked() { EnterCriticalSection(&lock); }
  ~Locked() { LeaveCriticalSection(&lock); }
};

void write_all(const void* bytes, std::size_t size) {
  const auto* from = static_cast<const char*>(bytes);
  while (size > 0) {
    DWORD written = 0;
    if (!WriteFile(to_verifier, from, static_cast<DWORD>(size), &written, nullptr) ||
        written == 0) {
      lost_verifier();
    }
    from += written;
    size -= written;
  }
}

void flush_locked() {
  if (!kept.empty()) write_all(kept.data(), kept.size() * sizeof(Message));
  kept.clear();
}

}  // namespace

void lost_verifier() {
  TerminateProcess(GetCurrentProcess(), 0);
  for (;;) {
  }
}

void send(const Message& message) {
  const Locked locked;
  if (buffering) {
    kept.push_back(message);
    return;
  }
  write_all(&message, sizeof message);
}

void set_buffering(bool on) {
  const Locked locked;
  if (!on) flush_locked();
  buffering = on;
  if (on) kept.reserve(4096);
}

void flush() {
  const Locked locked;
  flush_locked();
}

void send_last(const Message& message, UINT exit_code) {
  {
    const Locked locked;
    flush_locked();
    write_all(&message, sizeof message);
  }
  TerminateProcess(GetCurrentProcess(), exit_code);
  for (;;) {
  }
}

void receive_bytes(void* bytes, std::size_t size) {
  auto* to = static_cast<char*>(bytes);
  while (size > 0) {
    DWORD got = 0;
    if (!ReadFile(from_verifier, to, static_cast<DWORD>(size), &got, nullptr) || got == 0) {
      lost_verifier();
    }
    to += got;
    size -= got;
  }
}

Message receive() {
  Message message;
  receive_bytes(&message, sizeof message);
  return message;
}

void set_text(Message& message, const std::string& text) {
  std::strncpy(message.text, text.c_str(), sizeof message.text - 1);
}

HRESULT trace(TraceKind kind, const std::string& call, HRESULT result) {
  Message message{Kind::trace};
  message.a = static_cast<std::uint32_t>(result);
  message.b = static_cast<std::uint32_t>(kind);
  set_text(message, call);
  send(message);
  return result;
}

std::string hex32(ULONG value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(value));
  return text;
}

void take_channel() {
  const HANDLE self = GetCurrentProcess();
  DuplicateHandle(self, GetStdHandle(STD_INPUT_HANDLE), self, &from_verifier, 0, FALSE,
                  DUPLICATE_SAME_ACCESS);
  DuplicateHandle(self, GetStdHandle(STD_OUTPUT_HANDLE), self, &to_verifier, 0, FALSE,
                  DUPLICATE_SAME_ACCESS);
  const HANDLE nul =
      CreateFileA("NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                  OPEN_EXISTING, 0, nullptr);
  SetStdHandle(STD_INPUT_HANDLE, nul);
  SetStdHandle(STD_OUTPUT_HANDLE, nul);
  SetStdHandle(STD_ERROR_HANDLE, nul);
  std::freopen("NUL", "r", stdin);
  std::freopen("NUL", "w", stdout);
  std::freopen("NUL", "w", stderr);
}

}  // namespace logoffcheck::windows_agent
