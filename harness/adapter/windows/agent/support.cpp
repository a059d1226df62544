// The support object the agent gives each Logon (support.h).
#include "support.h"

#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "../protocol/profile_properties.h"
#include "channel.h"
#include "local_support.h"
#include "memory.h"

namespace logoffcheck::windows_agent {

namespace {

// Batched cases: AddRef, Release and StoreLogoffTransports are answered here.
bool answering_locally = false;

const IID kIidUnknown = {0x00000000, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID kIidMapiSupport = {0x0002030F, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
// MUIDSTOREWRAP: the provider UID of a wrapped store entry identifier
// ([MS-OXCDATA] 2.2.4.3).
constexpr BYTE kStoreWrapUid[16] = {0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A,
                                    0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2};

std::string pointer(const void* p) { return p == nullptr ? "NULL" : "ptr"; }

std::string uid_text(const MAPIUID* uid) {
  if (uid == nullptr) return "NULL";
  std::string text;
  char digits[3];
  for (const BYTE b : uid->ab) {
    std::snprintf(digits, sizeof digits, "%02X", b);
    text += digits;
  }
  return text;
}

// Every IMAPISupport method of mapispi.h, answering MAPI_E_NO_SUPPORT and
// traced as unsupported; the header's own method lists declare them, so the
// vtable is the header's.
class UnsupportedSupport : public IMAPISupport {
 public:
#define LOGOFFCHECK_NO_SUPPORT \
  override { return unsupported(__func__); }
  MAPI_IMAPISUPPORT_METHODS1(LOGOFFCHECK_NO_SUPPORT)
  MAPI_IMAPISUPPORT_METHODS2(LOGOFFCHECK_NO_SUPPORT)
  MAPI_IMAPISUPPORT_METHODS3(LOGOFFCHECK_NO_SUPPORT)
#undef LOGOFFCHECK_NO_SUPPORT
  virtual ~UnsupportedSupport() = default;

 protected:
  // Traces a call while the verifier listens (not once retired); returns `result`.
  HRESULT note(TraceKind kind, const std::string& call, HRESULT result) {
    if (FAILED(result)) last_error_ = call;
    if (!retired_) trace(kind, "IMAPISupport::" + call, result);
    return result;
  }
  HRESULT unsupported(const char* method) {
    return note(TraceKind::unsupported, method, MAPI_E_NO_SUPPORT);
  }

  bool retired_ = false;
  std::string last_error_;
};

struct Subscription {
  std::vector<BYTE> key;
  ULONG event_mask;
  ULONG flags;
  LPMAPIADVISESINK sink;
};

class Support final : public UnsupportedSupport {
 public:
  Support(Profile& profile, std::string dll_name)
      : profile_(profile), dll_name_(std::move(dll_name)) {}

  void retire() noexcept { retired_ = true; }

  // --- IUnknown and StoreLogoffTransports: the verifier's ---
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

  // --- What a provider needs to log on, answered here ---
  STDMETHODIMP OpenProfileSection(LPMAPIUID lpUid, ULONG ulFlags,
                                  LPPROFSECT* lppProfileObj) override {
    const std::string section = lpUid == nullptr ? "NULL"
                                : std::memcmp(lpUid->ab, kGlobalSectionUid.data(), 16) == 0
                                    ? "pbGlobalProfileSectionGuid"
                                    : uid_text(lpUid);
    std::string flags = hex32(ulFlags);
    if (ulFlags == MAPI_MODIFY) flags = "MAPI_MODIFY";
    if (ulFlags == 0) flags = "0";
    return note(TraceKind::support, "OpenProfileSection(" + section + ", " + flags + ")",
                profile_.open(lpUid, ulFlags, lppProfileObj));
  }
  STDMETHODIMP NewUID(LPMAPIUID lpMuid) override {
    if (lpMuid == nullptr)
      return note(TraceKind::support, "NewUID(NULL)", MAPI_E_INVALID_PARAMETER);
    // Unique within the logon, and the same in every case: "logoffcheck" and a count.
    std::memset(lpMuid->ab, 0, sizeof lpMuid->ab);
    std::memcpy(lpMuid->ab, "logoffcheck", 11);
    const ULONG n = ++uids_made_;
    std::memcpy(lpMuid->ab + 12, &n, sizeof n);
    return note(TraceKind::support, "NewUID() -> " + uid_text(lpMuid), S_OK);
  }
  STDMETHODIMP SetProviderUID(LPMAPIUID lpProviderID, ULONG ulFlags) override {
    const std::string call =
        "SetProviderUID(" + uid_text(lpProviderID) + ", " + hex32(ulFlags) + ")";
    if (lpProviderID == nullptr) return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    return note(TraceKind::support, call, S_OK);
  }
  STDMETHODIMP Subscribe(LPNOTIFKEY lpKey, ULONG ulEventMask, ULONG ulFlags,
                         LPMAPIADVISESINK lpAdviseSink, ULONG* lpulConnection) override {
    std::string call =
        "Subscribe(" +
        (lpKey == nullptr ? std::string("NULL") : std::to_string(lpKey->cb) + "-byte key") + ", " +
        (ulEventMask == fnevExtended ? std::string("fnevExtended") : hex32(ulEventMask)) + ", " +
        hex32(ulFlags) + ", " + pointer(lpAdviseSink) + ")";
    if (lpKey == nullptr || lpAdviseSink == nullptr || lpulConnection == nullptr) {
      return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    }
    lpAdviseSink->AddRef();  // MAPI keeps the sink until Unsubscribe
    const ULONG connection = ++connections_made_;
    subscriptions_[connection] = Subscription{std::vector<BYTE>(lpKey->ab, lpKey->ab + lpKey->cb),
                                              ulEventMask, ulFlags, lpAdviseSink};
    *lpulConnection = connection;
    return note(TraceKind::support, call + " -> connection " + std::to_string(connection), S_OK);
  }
  STDMETHODIMP Unsubscribe(ULONG ulConnection) override {
    const std::string call = "Unsubscribe(" + std::to_string(ulConnection) + ")";
    const auto found = subscriptions_.find(ulConnection);
    if (found == subscriptions_.end()) return note(TraceKind::support, call, MAPI_E_NOT_FOUND);
    LPMAPIADVISESINK sink = found->second.sink;
    subscriptions_.erase(found);
    sink->Release();  // as MAPI does, during the Unsubscribe call
    return note(TraceKind::support, call, S_OK);
  }
  STDMETHODIMP Notify(LPNOTIFKEY lpKey, ULONG cNotification, LPNOTIFICATION lpNotifications,
                      ULONG* lpulFlags) override {
    std::string call = "Notify(" + std::to_string(cNotification) + " notifications)";
    if (lpKey == nullptr || lpNotifications == nullptr || lpulFlags == nullptr) {
      return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    }
    *lpulFlags = 0;
    const std::vector<BYTE> key(lpKey->ab, lpKey->ab + lpKey->cb);
    // Sinks registered under the key and for one of the events, in the
    // order of their registration; a sink may unsubscribe meanwhile.
    std::vector<ULONG> targets;
    for (const auto& [connection, subscription] : subscriptions_) {
      if (subscription.key != key) continue;
      for (ULONG i = 0; i < cNotification; ++i) {
        if ((lpNotifications[i].ulEventType & subscription.event_mask) != 0) {
          targets.push_back(connection);
          break;
        }
      }
    }
    for (const ULONG connection : targets) {
      const auto found = subscriptions_.find(connection);
      if (found == subscriptions_.end()) continue;
      LPMAPIADVISESINK sink = found->second.sink;
      sink->AddRef();
      sink->OnNotify(cNotification, lpNotifications);
      sink->Release();
    }
    return note(TraceKind::support, call + " -> " + std::to_string(targets.size()) + " sinks",
                S_OK);
  }
  STDMETHODIMP ModifyStatusRow(ULONG cValues, LPSPropValue lpColumnVals, ULONG ulFlags) override {
    const std::string call =
        "ModifyStatusRow(" + std::to_string(cValues) + " columns, " + hex32(ulFlags) + ")";
    if (cValues == 0 || lpColumnVals == nullptr) {
      return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    }
    return note(TraceKind::support, call, S_OK);
  }
  STDMETHODIMP ModifyProfile(ULONG ulFlags) override {
    return note(TraceKind::support,
                "ModifyProfile(" +
                    (ulFlags == MDB_TEMPORARY ? std::string("MDB_TEMPORARY") : hex32(ulFlags)) +
                    ")",
                S_OK);
  }
  STDMETHODIMP WrapStoreEntryID(ULONG cbOrigEntry, LPENTRYID lpOrigEntry, ULONG* lpcbWrappedEntry,
                                LPENTRYID* lppWrappedEntry) override {
    const std::string call = "WrapStoreEntryID(" + std::to_string(cbOrigEntry) + " bytes)";
    if (lpOrigEntry == nullptr || lpcbWrappedEntry == nullptr || lppWrappedEntry == nullptr) {
      return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    }
    // Flags, MUIDSTOREWRAP, version, flag, the DLL's file name, padding to
    // four bytes, then the store's own entry identifier.
    std::vector<BYTE> wrapped(4, 0);
    wrapped.insert(wrapped.end(), kStoreWrapUid, kStoreWrapUid + 16);
    wrapped.push_back(0);
    wrapped.push_back(0);
    wrapped.insert(wrapped.end(), dll_name_.begin(), dll_name_.end());
    wrapped.push_back(0);
    while (wrapped.size() % 4 != 0) wrapped.push_back(0);
    const BYTE* original = reinterpret_cast<const BYTE*>(lpOrigEntry);
    wrapped.insert(wrapped.end(), original, original + cbOrigEntry);
    LPVOID buffer = nullptr;
    const SCODE allocated = allocate_untraced(static_cast<ULONG>(wrapped.size()), &buffer);
    if (allocated != S_OK) return note(TraceKind::support, call, allocated);
    std::memcpy(buffer, wrapped.data(), wrapped.size());
    *lpcbWrappedEntry = static_cast<ULONG>(wrapped.size());
    *lppWrappedEntry = static_cast<LPENTRYID>(buffer);
    return note(TraceKind::support, call, S_OK);
  }
  STDMETHODIMP GetMemAllocRoutines(LPALLOCATEBUFFER* lpAllocateBuffer,
                                   LPALLOCATEMORE* lpAllocateMore,
                                   LPFREEBUFFER* lpFreeBuffer) override {
    if (lpAllocateBuffer != nullptr) *lpAllocateBuffer = &allocate_buffer;
    if (lpAllocateMore != nullptr) *lpAllocateMore = &allocate_more;
    if (lpFreeBuffer != nullptr) *lpFreeBuffer = &free_buffer;
    return note(TraceKind::support, "GetMemAllocRoutines()", S_OK);
  }
  STDMETHODIMP GetLastError(HRESULT hResult, ULONG ulFlags, LPMAPIERROR* lppMAPIError) override {
    const std::string call = "GetLastError(" + hex32(static_cast<ULONG>(hResult)) + ")";
    if (lppMAPIError == nullptr) return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    *lppMAPIError = nullptr;
    if ((ulFlags & ~MAPI_UNICODE) != 0) return note(TraceKind::support, call, MAPI_E_UNKNOWN_FLAGS);
    const std::string text = last_error_.empty() ? "no support call has failed"
                                                 : "IMAPISupport::" + last_error_ + " failed";
    const std::string component = "logoffcheck's MAPI support object";
    const bool wide = (ulFlags & MAPI_UNICODE) != 0;
    LPVOID buffer = nullptr;
    SCODE result = allocate_untraced(sizeof(MAPIERROR), &buffer);
    if (result != S_OK) return note(TraceKind::support, call, result);
    auto* error = static_cast<LPMAPIERROR>(buffer);
    error->ulVersion = MAPI_ERROR_VERSION;
    for (const auto& [source, target] :
         {std::pair{&text, &error->lpszError}, std::pair{&component, &error->lpszComponent}}) {
      LPVOID copy = nullptr;
      result = allocate_more_untraced(static_cast<ULONG>((source->size() + 1) * (wide ? 2 : 1)),
                                      buffer, &copy);
      if (result != S_OK) {
        free_buffer(buffer);
        return note(TraceKind::support, call, result);
      }
      for (std::size_t i = 0; i <= source->size(); ++i) {
        const char c = i < source->size() ? (*source)[i] : '\0';
        if (wide) {
          static_cast<WCHAR*>(copy)[i] = static_cast<WCHAR>(c);
        } else {
          static_cast<char*>(copy)[i] = c;
        }
      }
      *target = static_cast<LPTSTR>(copy);
    }
    *lppMAPIError = error;
    return note(TraceKind::support, call, S_OK);
  }
  STDMETHODIMP CompareEntryIDs(ULONG cbEntry1, LPENTRYID lpEntry1, ULONG cbEntry2,
                               LPENTRYID lpEntry2, ULONG, ULONG* lpulResult) override {
    const std::string call = "CompareEntryIDs(" + std::to_string(cbEntry1) + " bytes, " +
                             std::to_string(cbEntry2) + " bytes)";
    if (lpEntry1 == nullptr || lpEntry2 == nullptr || lpulResult == nullptr) {
      return note(TraceKind::support, call, MAPI_E_INVALID_PARAMETER);
    }
    *lpulResult = cbEntry1 == cbEntry2 && std::memcmp(lpEntry1, lpEntry2, cbEntry1) == 0;
    return note(TraceKind::support, call + (*lpulResult ? " -> TRUE" : " -> FALSE"), S_OK);
  }

 private:
  Message ask(SupportCall method, const ULONG* lpulFlags) {
    if (retired_) return Message{Kind::answer, 1};
    Message request{Kind::support_call};
    request.a = static_cast<std::uint32_t>(method);
    request.b = lpulFlags != nullptr ? *lpulFlags : 0;
    request.c = lpulFlags == nullptr;
    if (answering_locally) {
      LocalAnswer local;
      switch (method) {
        case SupportCall::add_ref:
          local = local_add_ref();
          break;
        case SupportCall::release:
          local = local_release();
          break;
        case SupportCall::store_logoff_transports:
          local = local_store_logoff_transports(lpulFlags == nullptr, request.b);
          break;
      }
      request.address = local.value | static_cast<std::uint64_t>(local.flags_out) << 32;
      send(request);
      return Message{Kind::answer, local.value, local.flags_out};
    }
    send(request);
    const Message answer = receive();
    if (answer.kind != Kind::answer) lost_verifier();
    return answer;
  }

  Profile& profile_;
  std::string dll_name_;
  ULONG uids_made_ = 0;
  ULONG connections_made_ = 0;
  std::map<ULONG, Subscription> subscriptions_;
};

}  // namespace

IMAPISupport* new_support(Profile& profile, const std::string& dll_name) {
  return new Support(profile, dll_name);
}

void retire_support(IMAPISupport* support) { static_cast<Support*>(support)->retire(); }

void answer_locally(bool on) { answering_locally = on; }

}  // namespace logoffcheck::windows_agent
