// MAPI's memory routines (memory.h).
#include "memory.h"

#include <cstdlib>
#include <string>

#include "channel.h"

namespace logoffcheck::windows_agent {

namespace {

bool tracing_now = false;

// Every block starts with a link to the next block allocated "more" on it,
// so that FreeBuffer frees a buffer with everything chained to it.
struct BlockHeader {
  BlockHeader* next;
  void* padding[sizeof(void*) == 4 ? 3 : 1];  // keeps the caller's memory 16-byte aligned
};

SCODE traced(const char* routine, const std::string& arguments, SCODE result) {
  if (tracing_now)
    trace(TraceKind::allocation, std::string(routine) + "(" + arguments + ")", result);
  return result;
}

}  // namespace

void set_tracing(bool on) { tracing_now = on; }

SCODE allocate_untraced(ULONG size, LPVOID* buffer) {
  if (buffer == nullptr) return MAPI_E_INVALID_PARAMETER;
  auto* block = static_cast<BlockHeader*>(std::calloc(1, sizeof(BlockHeader) + size));
  if (block == nullptr) return MAPI_E_NOT_ENOUGH_MEMORY;
  *buffer = block + 1;
  return S_OK;
}

SCODE allocate_more_untraced(ULONG size, LPVOID object, LPVOID* buffer) {
  if (object == nullptr || buffer == nullptr) return MAPI_E_INVALID_PARAMETER;
  auto* block = static_cast<BlockHeader*>(std::calloc(1, sizeof(BlockHeader) + size));
  if (block == nullptr) return MAPI_E_NOT_ENOUGH_MEMORY;
  BlockHeader* parent = static_cast<BlockHeader*>(object) - 1;
  block->next = parent->next;
  parent->next = block;
  *buffer = block + 1;
  return S_OK;
}

SCODE WINAPI allocate_buffer(ULONG size, LPVOID* buffer) {
  return traced("MAPIAllocateBuffer", std::to_string(size), allocate_untraced(size, buffer));
}

SCODE WINAPI allocate_more(ULONG size, LPVOID object, LPVOID* buffer) {
  return traced("MAPIAllocateMore",
                std::to_string(size) + (object == nullptr ? ", NULL" : ", parent"),
                allocate_more_untraced(size, object, buffer));
}

ULONG WINAPI free_buffer(LPVOID buffer) {
  traced("MAPIFreeBuffer", buffer == nullptr ? "NULL" : "buffer", S_OK);
  if (buffer == nullptr) return 0;
  BlockHeader* block = static_cast<BlockHeader*>(buffer) - 1;
  while (block != nullptr) {
    BlockHeader* next = block->next;
    std::free(block);
    block = next;
  }
  return 0;
}

}  // namespace logoffcheck::windows_agent
