// The agent's channel to the verifier (channel.h).
#include "channel.h"

#include <cstdio>
#include <cstring>

namespace logoffcheck::windows_agent {

namespace {

HANDLE from_verifier = INVALID_HANDLE_VALUE;
HANDLE to_verifier = INVALID_HANDLE_VALUE;

}  // namespace

void lost_verifier() {
  TerminateProcess(GetCurrentProcess(), 0);
  for (;;) {
  }
}

void send(const Message& message) {
  DWORD written = 0;
  if (!WriteFile(to_verifier, &message, sizeof message, &written, nullptr) ||
      written != sizeof message) {
    lost_verifier();
  }
}

Message receive() {
  Message message;
  auto* bytes = reinterpret_cast<char*>(&message);
  DWORD have = 0;
  while (have < sizeof message) {
    DWORD got = 0;
    if (!ReadFile(from_verifier, bytes + have, sizeof message - have, &got, nullptr) || got == 0) {
      lost_verifier();
    }
    have += got;
  }
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
