// logoffcheck-agent.exe — the Windows side of certifying a MAPI store DLL.
//
// Built with mingw-w64 (x64 and i686) against its mapidefs.h/mapispi.h and
// run under Wine by the verifier (../src/agent_process.cpp). Usage:
// logoffcheck-agent.exe DLL. It loads DLL, calls MSProviderInit once, and
// then does what the verifier asks over stdin/stdout
// (../protocol/agent_protocol.h): take the MAPI profile's properties, open a
// fresh store with IMSProvider::Logon, call AddRef, Release or StoreLogoff
// through the store's real vtable. The support object it gives the store
// (support.h) forwards AddRef, Release and StoreLogoffTransports to the
// verifier, whose SimulatedSupport answers them, answers what a provider
// needs to log on as MAPI does, and traces every call to the verifier.
//
// It judges nothing: faults are reported (an unhandled Windows exception, an
// escaping C++ exception) and the agent then ends, so that the verifier
// starts a clean one.
//
// Batched cases (a `batch` request): the agent plays many cases without
// waiting for the verifier, answers the support object's AddRef, Release and
// StoreLogoffTransports itself (local_support.h), writes each case's
// messages when the case is done, and times each call with a watchdog
// thread, which reports a hang and ends the agent.
#include <mapidefs.h>
#include <mapispi.h>
#include <objbase.h>
#include <windows.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "channel.h"
#include "local_support.h"
#include "memory.h"
#include "profile.h"
#include "support.h"

namespace {

using namespace logoffcheck::windows_agent;

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
  send_last(message, record.ExceptionCode);
}

// The batch's watchdog: the call in progress (watched_call counts the
// watched calls; watching says whether one is in progress) and its limit.
volatile LONG watched_call = 0;
volatile LONG watching = 0;
volatile DWORD watch_limit_ms = 0;
HANDLE watchdog = nullptr;

// Reports a hang when the same watched call has been in progress for its
// limit, and ends the agent.
DWORD WINAPI watch(LPVOID) {
  LONG seen = -1;
  ULONGLONG since = 0;
  for (;;) {
    const DWORD limit = watch_limit_ms;
    Sleep(std::clamp<DWORD>(limit / 10, 1, 50));
    const LONG call = watched_call;
    const ULONGLONG now = GetTickCount64();
    if (watching == 0 || call != seen) {
      seen = call;
      since = now;
      continue;
    }
    if (now - since >= limit) send_last(Message{Kind::hung, limit}, 0);
  }
}

void begin_watch(DWORD limit_ms) {
  watch_limit_ms = limit_ms;
  InterlockedIncrement(&watched_call);
  watching = 1;
}

void end_watch() { watching = 0; }

LPMSPROVIDER provider = nullptr;
std::string dll_name;
Profile profile;
IMAPISupport* current_support = nullptr;
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
  dll_name = dll_path;
  dll_name = dll_name.substr(dll_name.find_last_of("\\/") + 1);
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
  set_tracing(true);
  const HRESULT result = init(library, malloc_interface, &allocate_buffer, &allocate_more,
                              &free_buffer, 0, CURRENT_SPI_VERSION, &provider_version, &provider);
  set_tracing(false);
  trace(TraceKind::provider_init,
        "MSProviderInit(..., CURRENT_SPI_VERSION) -> provider version " + hex32(provider_version),
        result);
  if (FAILED(result) || provider == nullptr) {
    failed.a = static_cast<std::uint32_t>(StartStage::provider_init);
    failed.b = static_cast<std::uint32_t>(result);
    send(failed);
    return lost_verifier();
  }
  send(Message{Kind::ready, kProtocolVersion, provider_version});
}

// A property of the initial profile: the first message and its continuations.
void take_profile_value(const Message& first) {
  std::vector<BYTE> bytes;
  const std::size_t length = first.c;
  bytes.insert(bytes.end(), first.text, first.text + std::min<std::size_t>(length, kTextBytes));
  while (bytes.size() < length) {
    const Message more = receive();
    if (more.kind != Kind::profile_more) lost_verifier();
    bytes.insert(bytes.end(), more.text,
                 more.text + std::min<std::size_t>(length - bytes.size(), kTextBytes));
  }
  profile.set_initial(static_cast<ProfileSection>(first.a), first.b, std::move(bytes));
}

// A fresh store on a fresh support object and a fresh profile. The previous
// case's logon object is given back first; its store, released or abandoned
// by the verifier, is never called again.
bool open_store() {
  if (current_support != nullptr) retire_support(current_support);
  if (current_logon != nullptr) current_logon->Release();
  current_logon = nullptr;
  current_store = nullptr;
  profile.reset();
  current_support = new_support(profile, dll_name);
  std::string profile_name = profile.name();
  ULONG spool_security_size = 0;
  LPBYTE spool_security = nullptr;
  LPMAPIERROR error = nullptr;
  set_tracing(true);
  const HRESULT result = provider->Logon(
      current_support, 0, reinterpret_cast<LPTSTR>(profile_name.data()), 0, nullptr, 0, nullptr,
      &spool_security_size, &spool_security, &error, &current_logon, &current_store);
  set_tracing(false);
  trace(TraceKind::logon,
        "IMSProvider::Logon(lpMAPISup, 0, \"" + profile_name + "\", 0, NULL, ...)" +
            (SUCCEEDED(result) && current_store == nullptr ? " gave no store" : ""),
        result);
  if (FAILED(result) || current_store == nullptr) {
    send(Message{Kind::open_failed, static_cast<std::uint32_t>(result)});
    return false;
  }
  send(Message{Kind::opened});
  return true;
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
    send_last(threw, 0);
  } catch (...) {
    send_last(Message{Kind::threw}, 0);
  }
  send(reply);
}

// Plays the cases of a batch (agent_protocol.h), each on a fresh store, as
// the verifier's SimulatedSupport would answer them. Stops at a Logon that
// opened no store (the verifier gives up on the provider).
void play_batch(const Message& request) {
  std::vector<BatchEvent> events;
  std::vector<char> bytes(request.c);
  receive_bytes(bytes.data(), bytes.size());
  const DWORD timeout_ms = request.b;
  if (watchdog == nullptr) watchdog = CreateThread(nullptr, 0, &watch, nullptr, 0, nullptr);
  set_buffering(true);
  answer_locally(true);
  std::size_t at = 0;
  for (std::uint32_t index = 0; index < request.a; ++index) {
    std::uint32_t count = 0;
    if (at + sizeof count > bytes.size()) lost_verifier();
    std::memcpy(&count, bytes.data() + at, sizeof count);
    at += sizeof count;
    if (at + count * sizeof(BatchEvent) > bytes.size()) lost_verifier();
    events.resize(count);
    std::memcpy(events.data(), bytes.data() + at, count * sizeof(BatchEvent));
    at += count * sizeof(BatchEvent);
    local_reset();
    begin_watch(std::max<DWORD>(timeout_ms, 10000));  // as the verifier allows Logon
    const bool opened = open_store();
    end_watch();
    if (!opened) break;
    for (const BatchEvent& event : events) {
      if (event.action > static_cast<std::uint8_t>(Call::store_logoff)) {
        local_environment_event(event.action);
        continue;
      }
      Message step{Kind::call, event.action, event.flags, event.null_flags};
      begin_watch(timeout_ms);
      call(step);
      end_watch();
    }
    send(Message{Kind::case_done});
    flush();
  }
  answer_locally(false);
  set_buffering(false);
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
      case Kind::profile_value:
        take_profile_value(request);
        break;
      case Kind::open_store:
        open_store();
        break;
      case Kind::call:
        call(request);
        break;
      case Kind::batch:
        play_batch(request);
        break;
      case Kind::quit:
        TerminateProcess(GetCurrentProcess(), 0);
        break;
      default:
        lost_verifier();
    }
  }
}
