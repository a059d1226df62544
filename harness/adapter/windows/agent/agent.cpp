// logoffcheck-agent.exe — the Windows side of certifying a MAPI store DLL.
//
// Built with mingw-w64 against its mapidefs.h/mapispi.h and run under Wine
// by the verifier (../src/agent_process.cpp). Usage: logoffcheck-agent.exe DLL.
// It loads DLL, calls MSProviderInit once, and then does what the verifier
// asks over stdin/stdout (../protocol/agent_protocol.h): open a fresh store
// with IMSProvider::Logon, call AddRef, Release or StoreLogoff through the
// store's real vtable. The support object it gives the store implements the
// whole IMAPISupport vtable: AddRef, Release and StoreLogoffTransports are
// forwarded to the verifier, whose SimulatedSupport answers them; every
// other method answers MAPI_E_NO_SUPPORT and is reported to the verifier.
//
// It judges nothing: faults are reported (an unhandled Windows exception, an
// escaping C++ exception) and the agent then ends, so that the verifier
// starts a clean one.
#include <windows.h>  // first: the other Windows headers need its definitions

#include <objbase.h>

#include <mapidefs.h>
#include <mapispi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

#include "../protocol/agent_protocol.h"

namespace {

using namespace logoffcheck::windows_agent;

// --- The channel to the verifier ------------------------------------------------

HANDLE from_verifier = INVALID_HANDLE_VALUE;
HANDLE to_verifier = INVALID_HANDLE_VALUE;

[[noreturn]] void lost_verifier() {
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

void set_text(Message& message, const char* text) {
  std::strncpy(message.text, text, sizeof message.text - 1);
}

// Keeps the protocol's handles for the agent and points every standard
// handle, and the C runtime's stdout and stderr, at NUL: whatever the
// provider (or Wine) prints never reaches the verifier's channel.
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

// --- Faults ------------------------------------------------------------------------

// An exception nothing in the provider handled: report it, end the agent.
LONG WINAPI report_unhandled(EXCEPTION_POINTERS* pointers) {
  const EXCEPTION_RECORD& record = *pointers->ExceptionRecord;
  Message message{Kind::exception};
  message.a = record.ExceptionCode;
  if ((record.ExceptionCode == EXCEPTION_ACCESS_VIOLATION ||
       record.ExceptionCode == EXCEPTION_IN_PAGE_ERROR) &&
      record.NumberParameters >= 2) {
    message.b = static_cast<std::uint32_t>(record.ExceptionInformation[0]);
    message.address = record.ExceptionInformation[1];
  }
  send(message);
  TerminateProcess(GetCurrentProcess(), record.ExceptionCode);
  return EXCEPTION_EXECUTE_HANDLER;
}

// --- Memory routines for MSProviderInit (MAPIAllocateBuffer's semantics) --------

// Every block starts with a link to the next block allocated "more" on it,
// so that FreeBuffer frees a buffer with everything chained to it.
struct BlockHeader {
  BlockHeader* next;
  void* padding;  // keeps the caller's memory 16-byte aligned
};

SCODE WINAPI allocate_buffer(ULONG size, LPVOID* buffer) {
  if (buffer == nullptr) return MAPI_E_INVALID_PARAMETER;
  auto* block = static_cast<BlockHeader*>(std::calloc(1, sizeof(BlockHeader) + size));
  if (block == nullptr) return MAPI_E_NOT_ENOUGH_MEMORY;
  *buffer = block + 1;
  return S_OK;
}

SCODE WINAPI allocate_more(ULONG size, LPVOID object, LPVOID* buffer) {
  if (object == nullptr || buffer == nullptr) return MAPI_E_INVALID_PARAMETER;
  auto* block = static_cast<BlockHeader*>(std::calloc(1, sizeof(BlockHeader) + size));
  if (block == nullptr) return MAPI_E_NOT_ENOUGH_MEMORY;
  BlockHeader* parent = static_cast<BlockHeader*>(object) - 1;
  block->next = parent->next;
  parent->next = block;
  *buffer = block + 1;
  return S_OK;
}

ULONG WINAPI free_buffer(LPVOID buffer) {
  if (buffer == nullptr) return 0;
  BlockHeader* block = static_cast<BlockHeader*>(buffer) - 1;
  while (block != nullptr) {
    BlockHeader* next = block->next;
    std::free(block);
    block = next;
  }
  return 0;
}

// --- The support object --------------------------------------------------------

HRESULT report_unsupported(const char* method) {
  Message message{Kind::unsupported};
  set_text(message, method);
  send(message);
  return MAPI_E_NO_SUPPORT;
}

// Every IMAPISupport method of mapispi.h, answering MAPI_E_NO_SUPPORT. The
// header's own method lists declare them, so the vtable is the header's.
#define LOGOFFCHECK_NO_SUPPORT \
  override { return report_unsupported(__func__); }

class UnsupportedSupport : public IMAPISupport {
 public:
  MAPI_IMAPISUPPORT_METHODS1(LOGOFFCHECK_NO_SUPPORT)
  MAPI_IMAPISUPPORT_METHODS2(LOGOFFCHECK_NO_SUPPORT)
  MAPI_IMAPISUPPORT_METHODS3(LOGOFFCHECK_NO_SUPPORT)
  virtual ~UnsupportedSupport() = default;
};

#undef LOGOFFCHECK_NO_SUPPORT

const IID kIidUnknown = {0x00000000, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID kIidMapiSupport = {0x0002030F, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};

// The support object of one store. While its case runs, AddRef, Release and
// StoreLogoffTransports are the verifier's to answer. Once the verifier has
// moved on to the next case it is retired: a store of an earlier case that
// still calls it gets local answers, seen by nobody.
class ForwardingSupport final : public UnsupportedSupport {
 public:
  STDMETHODIMP QueryInterface(REFIID iid, LPVOID* object) override {
    if (object == nullptr) return E_INVALIDARG;
    *object = nullptr;
    if (!IsEqualIID(iid, kIidUnknown) && !IsEqualIID(iid, kIidMapiSupport)) {
      return E_NOINTERFACE;
    }
    AddRef();
    *object = static_cast<IMAPISupport*>(this);
    return S_OK;
  }
  STDMETHODIMP_(ULONG) AddRef() override { return ask(SupportCall::add_ref, nullptr).a; }
  STDMETHODIMP_(ULONG) Release() override { return ask(SupportCall::release, nullptr).a; }
  STDMETHODIMP StoreLogoffTransports(ULONG* lpulFlags) override {
    if (retired_) return MAPI_E_CALL_FAILED;
    const Message answer = ask(SupportCall::store_logoff_transports, lpulFlags);
    if (lpulFlags != nullptr) *lpulFlags = answer.b;
    return static_cast<HRESULT>(answer.a);
  }

  void retire() noexcept { retired_ = true; }

 private:
  Message ask(SupportCall method, const ULONG* lpulFlags) {
    if (retired_) return Message{Kind::answer, 1};
    Message request{Kind::support_call};
    request.a = static_cast<std::uint32_t>(method);
    request.b = lpulFlags != nullptr ? *lpulFlags : 0;
    request.c = lpulFlags == nullptr;
    send(request);
    const Message answer = receive();
    if (answer.kind != Kind::answer) lost_verifier();
    return answer;
  }

  bool retired_ = false;
};

// --- The provider -----------------------------------------------------------------

LPMSPROVIDER provider = nullptr;
ForwardingSupport* current_support = nullptr;
LPMSLOGON current_logon = nullptr;
LPMDB current_store = nullptr;

void start(const char* dll_path) {
  Message failed{Kind::start_failed};
  const HMODULE library = LoadLibraryExA(dll_path, nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (library == nullptr) {
    failed.a = static_cast<std::uint32_t>(StartStage::load_library);
    failed.b = GetLastError();
    send(failed);
    return lost_verifier();
  }
  auto* init = reinterpret_cast<MSPROVIDERINIT*>(
      reinterpret_cast<void*>(GetProcAddress(library, "MSProviderInit")));
  if (init == nullptr) {
    failed.a = static_cast<std::uint32_t>(StartStage::find_entry);
    failed.b = GetLastError();
    send(failed);
    return lost_verifier();
  }
  LPMALLOC malloc_interface = nullptr;
  CoGetMalloc(1, &malloc_interface);
  ULONG provider_version = 0;
  const HRESULT result = init(library, malloc_interface, &allocate_buffer, &allocate_more,
                              &free_buffer, 0, CURRENT_SPI_VERSION, &provider_version, &provider);
  if (FAILED(result) || provider == nullptr) {
    failed.a = static_cast<std::uint32_t>(StartStage::provider_init);
    failed.b = static_cast<std::uint32_t>(result);
    send(failed);
    return lost_verifier();
  }
  send(Message{Kind::ready, kProtocolVersion, provider_version});
}

// A fresh store on a fresh support object. The previous case's logon object
// is given back first; its store, released or abandoned by the verifier, is
// never called again.
void open_store() {
  if (current_support != nullptr) current_support->retire();
  if (current_logon != nullptr) current_logon->Release();
  current_logon = nullptr;
  current_store = nullptr;
  // Never freed: a store of an earlier case may keep (and call) it.
  current_support = new ForwardingSupport;
  char profile[] = "logoffcheck";
  ULONG spool_security_size = 0;
  LPBYTE spool_security = nullptr;
  LPMAPIERROR error = nullptr;
  const HRESULT result = provider->Logon(current_support, 0, reinterpret_cast<LPTSTR>(profile), 0,
                                         nullptr, 0, nullptr, &spool_security_size, &spool_security,
                                         &error, &current_logon, &current_store);
  if (FAILED(result) || current_store == nullptr) {
    send(Message{Kind::open_failed, static_cast<std::uint32_t>(result)});
    return;
  }
  send(Message{Kind::opened});
}

void call(const Message& request) {
  Message reply{Kind::returned};
  try {
    switch (static_cast<Call>(request.a)) {
      case Call::add_ref:
        reply.a = current_store->AddRef();
        break;
      case Call::release:
        reply.a = current_store->Release();
        break;
      case Call::store_logoff: {
        ULONG flags = request.b;
        reply.a = static_cast<std::uint32_t>(
            current_store->StoreLogoff(request.c != 0 ? nullptr : &flags));
        reply.b = flags;
        break;
      }
    }
  } catch (const std::exception& error) {
    Message threw{Kind::threw};
    set_text(threw, error.what());
    send(threw);
    TerminateProcess(GetCurrentProcess(), 0);
  } catch (...) {
    send(Message{Kind::threw});
    TerminateProcess(GetCurrentProcess(), 0);
  }
  send(reply);
}

}  // namespace

int main(int argc, char** argv) {
  take_channel();
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  SetUnhandledExceptionFilter(&report_unhandled);
  if (argc != 2) return 2;
  start(argv[1]);
  for (;;) {
    const Message request = receive();
    switch (request.kind) {
      case Kind::open_store:
        open_store();
        break;
      case Kind::call:
        call(request);
        break;
      case Kind::quit:
        TerminateProcess(GetCurrentProcess(), 0);
        break;
      default:
        lost_verifier();
    }
  }
}
