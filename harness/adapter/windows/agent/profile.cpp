// The agent's in-memory MAPI profile and its IProfSect objects (profile.h).
#include "profile.h"

#include <cstring>
#include <string>

#include "../protocol/profile_properties.h"
#include "channel.h"
#include "memory.h"

namespace logoffcheck::windows_agent {

namespace {

constexpr ULONG kObjectTypeId = 0x0FFE;
constexpr ULONG kProfileNameId = 0x3D12;
constexpr ULONG kProviderUidId = 0x300C;
// The provider's section when the profile names no PR_PROVIDER_UID.
constexpr Uid kDefaultProviderUid = {'l', 'o', 'g', 'o', 'f', 'f', 'c', 'h',
                                     'e', 'c', 'k', '-', 'p', 'r', 'o', 'v'};

const IID kIidUnknown = {0x00000000, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID kIidMapiProp = {0x00020303, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
const IID kIidProfSect = {0x00020304, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};

bool secure(ULONG id) { return id >= 0x67F0 && id <= 0x67FF; }

bool fixed_size(ULONG type, std::size_t& size) {
  switch (type) {
    case PT_I2:
      size = 2;
      return true;
    case PT_LONG:
      size = 4;
      return true;
    case PT_BOOLEAN:
      size = 2;
      return true;
    case PT_ERROR:
      size = 4;
      return true;
    case PT_FLOAT:
      size = 4;
      return true;
    case PT_I8:
    case PT_SYSTIME:
    case PT_DOUBLE:
    case PT_CURRENCY:
    case PT_APPTIME:
      size = 8;
      return true;
    default:
      return false;
  }
}

bool is_string(ULONG type) { return type == PT_STRING8 || type == PT_UNICODE; }

// A value as the profile keeps it; false for a type it cannot hold.
bool to_bytes(const SPropValue& value, PropertyValue& out) {
  const ULONG type = PROP_TYPE(value.ulPropTag);
  out.type = type;
  std::size_t size = 0;
  if (fixed_size(type, size)) {
    const BYTE* start = reinterpret_cast<const BYTE*>(&value.Value);
    out.bytes.assign(start, start + size);
    return true;
  }
  switch (type) {
    case PT_STRING8:
      if (value.Value.lpszA == nullptr) return false;
      out.bytes.assign(value.Value.lpszA, value.Value.lpszA + std::strlen(value.Value.lpszA));
      return true;
    case PT_UNICODE: {
      if (value.Value.lpszW == nullptr) return false;
      const BYTE* start = reinterpret_cast<const BYTE*>(value.Value.lpszW);
      out.bytes.assign(start, start + 2 * std::wcslen(value.Value.lpszW));
      return true;
    }
    case PT_BINARY:
      if (value.Value.bin.cb != 0 && value.Value.bin.lpb == nullptr) return false;
      out.bytes.assign(value.Value.bin.lpb, value.Value.bin.lpb + value.Value.bin.cb);
      return true;
    case PT_CLSID:
      if (value.Value.lpguid == nullptr) return false;
      out.bytes.assign(reinterpret_cast<const BYTE*>(value.Value.lpguid),
                       reinterpret_cast<const BYTE*>(value.Value.lpguid) + sizeof(GUID));
      return true;
    default:
      return false;
  }
}

// Converts between PT_STRING8 and PT_UNICODE (profiles hold ASCII).
std::vector<BYTE> convert_string(const PropertyValue& stored, ULONG wanted) {
  if (stored.type == wanted) return stored.bytes;
  std::vector<BYTE> out;
  if (wanted == PT_UNICODE) {
    for (const BYTE c : stored.bytes) {
      out.push_back(c);
      out.push_back(0);
    }
  } else {
    for (std::size_t i = 0; i + 1 < stored.bytes.size(); i += 2) {
      out.push_back(stored.bytes[i + 1] == 0 && stored.bytes[i] < 0x80 ? stored.bytes[i] : '?');
    }
  }
  return out;
}

// Fills `out` (in the array `parent`) with `tag` and `bytes`.
SCODE fill(SPropValue& out, ULONG tag, const std::vector<BYTE>& bytes, LPVOID parent) {
  out.ulPropTag = tag;
  const ULONG type = PROP_TYPE(tag);
  std::size_t size = 0;
  if (fixed_size(type, size)) {
    std::memcpy(&out.Value, bytes.data(), std::min(size, bytes.size()));
    return S_OK;
  }
  const std::size_t extra = type == PT_STRING8 ? 1 : type == PT_UNICODE ? 2 : 0;
  LPVOID copy = nullptr;
  const SCODE allocated =
      allocate_more_untraced(static_cast<ULONG>(bytes.size() + extra + 1), parent, &copy);
  if (allocated != S_OK) return allocated;
  if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
  switch (type) {
    case PT_STRING8:
      out.Value.lpszA = static_cast<LPSTR>(copy);
      break;
    case PT_UNICODE:
      out.Value.lpszW = static_cast<LPWSTR>(copy);
      break;
    case PT_CLSID:
      out.Value.lpguid = static_cast<LPGUID>(copy);
      break;
    default:
      out.Value.bin.cb = static_cast<ULONG>(bytes.size());
      out.Value.bin.lpb = static_cast<LPBYTE>(copy);
  }
  return S_OK;
}

std::string describe_tags(const SPropTagArray* tags) {
  if (tags == nullptr) return "NULL";
  std::string text = "[";
  for (ULONG i = 0; i < tags->cValues; ++i) {
    text += (i == 0 ? "" : " ") + describe_tag(tags->aulPropTag[i]);
  }
  return text + "]";
}

std::string describe_values(ULONG count, const SPropValue* values) {
  if (values == nullptr) return "NULL";
  std::string text = "[";
  for (ULONG i = 0; i < count; ++i) text += (i == 0 ? "" : " ") + describe_tag(values[i].ulPropTag);
  return text + "]";
}

// An SPropProblemArray of `problems`, or NULL when there are none.
HRESULT give_problems(const std::vector<SPropProblem>& problems, LPSPropProblemArray* out) {
  if (out == nullptr) return S_OK;
  *out = nullptr;
  if (problems.empty()) return S_OK;
  LPVOID buffer = nullptr;
  const SCODE allocated =
      allocate_untraced(static_cast<ULONG>(CbNewSPropProblemArray(problems.size())), &buffer);
  if (allocated != S_OK) return allocated;
  auto* array = static_cast<LPSPropProblemArray>(buffer);
  array->cProblem = static_cast<ULONG>(problems.size());
  for (std::size_t i = 0; i < problems.size(); ++i) array->aProblem[i] = problems[i];
  *out = array;
  return S_OK;
}

#define LOGOFFCHECK_PROFSECT_NO_SUPPORT                                         \
  override {                                                                    \
    return trace(TraceKind::unsupported, std::string("IProfSect::") + __func__, \
                 MAPI_E_NO_SUPPORT);                                            \
  }

class ProfSectBase : public IProfSect {
 public:
  MAPI_IMAPIPROP_METHODS(LOGOFFCHECK_PROFSECT_NO_SUPPORT)
  virtual ~ProfSectBase() = default;
};

#undef LOGOFFCHECK_PROFSECT_NO_SUPPORT

class ProfSect final : public ProfSectBase {
 public:
  ProfSect(Profile& profile, const Uid& uid, std::string label, bool writable)
      : profile_(profile), uid_(uid), label_(std::move(label)), writable_(writable) {}

  STDMETHODIMP QueryInterface(REFIID iid, LPVOID* object) override {
    if (object == nullptr) return E_INVALIDARG;
    *object = nullptr;
    if (!IsEqualIID(iid, kIidUnknown) && !IsEqualIID(iid, kIidMapiProp) &&
        !IsEqualIID(iid, kIidProfSect)) {
      return E_NOINTERFACE;
    }
    AddRef();
    *object = static_cast<IProfSect*>(this);
    return S_OK;
  }
  STDMETHODIMP_(ULONG) AddRef() override { return ++references_; }
  STDMETHODIMP_(ULONG) Release() override {
    const ULONG remaining = --references_;
    if (remaining == 0) {
      trace(TraceKind::support, who() + "Release() (the last reference)", S_OK);
      profile_.section_released();
      delete this;
    }
    return remaining;
  }

  STDMETHODIMP GetLastError(HRESULT, ULONG, LPMAPIERROR* error) override {
    if (error == nullptr) return MAPI_E_INVALID_PARAMETER;
    *error = nullptr;
    return S_OK;
  }
  STDMETHODIMP SaveChanges(ULONG flags) override {
    return trace(TraceKind::support, who() + "SaveChanges(" + hex32(flags) + ")", S_OK);
  }
  STDMETHODIMP GetProps(LPSPropTagArray tags, ULONG flags, ULONG* count,
                        LPSPropValue* values) override {
    return trace(TraceKind::support,
                 who() + "GetProps(" + describe_tags(tags) + ", " + hex32(flags) + ")",
                 get_props(tags, flags, count, values));
  }
  STDMETHODIMP GetPropList(ULONG flags, LPSPropTagArray* tags) override {
    return trace(TraceKind::support, who() + "GetPropList(" + hex32(flags) + ")",
                 get_prop_list(flags, tags));
  }
  STDMETHODIMP SetProps(ULONG count, LPSPropValue values, LPSPropProblemArray* problems) override {
    return trace(TraceKind::support, who() + "SetProps(" + describe_values(count, values) + ")",
                 set_props(count, values, problems));
  }
  STDMETHODIMP DeleteProps(LPSPropTagArray tags, LPSPropProblemArray* problems) override {
    return trace(TraceKind::support, who() + "DeleteProps(" + describe_tags(tags) + ")",
                 delete_props(tags, problems));
  }
  // Profile sections have no named properties.
  STDMETHODIMP GetNamesFromIDs(LPSPropTagArray*, LPGUID, ULONG, ULONG*, LPMAPINAMEID**) override {
    return trace(TraceKind::support, who() + "GetNamesFromIDs", MAPI_E_NO_SUPPORT);
  }
  STDMETHODIMP GetIDsFromNames(ULONG, LPMAPINAMEID*, ULONG, LPSPropTagArray*) override {
    return trace(TraceKind::support, who() + "GetIDsFromNames", MAPI_E_NO_SUPPORT);
  }

 private:
  std::string who() const { return "IProfSect(" + label_ + ")::"; }

  // The computed properties every section has.
  bool computed(ULONG id, PropertyValue& value) const {
    if (id == kObjectTypeId) {
      const LONG type = MAPI_PROFSECT;
      value.type = PT_LONG;
      value.bytes.assign(reinterpret_cast<const BYTE*>(&type),
                         reinterpret_cast<const BYTE*>(&type) + sizeof type);
      return true;
    }
    if (id == kProfileNameId) {
      value.type = PT_STRING8;
      value.bytes.assign(profile_.name().begin(), profile_.name().end());
      return true;
    }
    return false;
  }

  bool lookup(const Section& section, ULONG id, PropertyValue& value) const {
    if (computed(id, value)) return true;
    const auto found = section.find(id);
    if (found == section.end()) return false;
    value = found->second;
    return true;
  }

  HRESULT get_props(LPSPropTagArray tags, ULONG flags, ULONG* count, LPSPropValue* values) {
    if (count == nullptr || values == nullptr) return MAPI_E_INVALID_PARAMETER;
    if ((flags & ~MAPI_UNICODE) != 0) return MAPI_E_UNKNOWN_FLAGS;
    Section* section = profile_.find(uid_);
    if (section == nullptr) return MAPI_E_NOT_FOUND;
    std::vector<ULONG> wanted;
    if (tags != nullptr) {
      wanted.assign(tags->aulPropTag, tags->aulPropTag + tags->cValues);
    } else {
      for (const ULONG id : {kObjectTypeId, kProfileNameId})
        wanted.push_back(PROP_TAG(PT_UNSPECIFIED, id));
      for (const auto& [id, value] : *section) {
        if (!secure(id) && id != kObjectTypeId && id != kProfileNameId) {
          wanted.push_back(PROP_TAG(value.type, id));
        }
      }
    }
    LPVOID buffer = nullptr;
    const SCODE allocated = allocate_untraced(
        static_cast<ULONG>(sizeof(SPropValue) * (wanted.empty() ? 1 : wanted.size())), &buffer);
    if (allocated != S_OK) return allocated;
    auto* out = static_cast<LPSPropValue>(buffer);
    HRESULT result = S_OK;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const ULONG id = PROP_ID(wanted[i]);
      ULONG type = PROP_TYPE(wanted[i]);
      PropertyValue value;
      const bool found = lookup(*section, id, value);
      if (found && type == PT_UNSPECIFIED) {
        type = is_string(value.type) ? ((flags & MAPI_UNICODE) != 0 ? PT_UNICODE : PT_STRING8)
                                     : value.type;
      }
      if (!found || (type != value.type && !(is_string(type) && is_string(value.type)))) {
        out[i].ulPropTag = PROP_TAG(PT_ERROR, id);
        out[i].Value.err = MAPI_E_NOT_FOUND;
        result = MAPI_W_ERRORS_RETURNED;
        continue;
      }
      const SCODE filled =
          fill(out[i], PROP_TAG(type, id),
               is_string(type) ? convert_string(value, type) : value.bytes, buffer);
      if (filled != S_OK) {
        free_buffer(buffer);
        return filled;
      }
    }
    *count = static_cast<ULONG>(wanted.size());
    *values = out;
    return result;
  }

  HRESULT get_prop_list(ULONG flags, LPSPropTagArray* tags) {
    if (tags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if ((flags & ~MAPI_UNICODE) != 0) return MAPI_E_UNKNOWN_FLAGS;
    Section* section = profile_.find(uid_);
    if (section == nullptr) return MAPI_E_NOT_FOUND;
    std::vector<ULONG> list = {PROP_TAG(PT_LONG, kObjectTypeId),
                               PROP_TAG(PT_STRING8, kProfileNameId)};
    for (const auto& [id, value] : *section) {
      if (!secure(id) && id != kObjectTypeId && id != kProfileNameId) {
        list.push_back(PROP_TAG(value.type, id));
      }
    }
    LPVOID buffer = nullptr;
    const SCODE allocated =
        allocate_untraced(static_cast<ULONG>(CbNewSPropTagArray(list.size())), &buffer);
    if (allocated != S_OK) return allocated;
    auto* array = static_cast<LPSPropTagArray>(buffer);
    array->cValues = static_cast<ULONG>(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) array->aulPropTag[i] = list[i];
    *tags = array;
    return S_OK;
  }

  HRESULT set_props(ULONG count, LPSPropValue values, LPSPropProblemArray* problems) {
    if (values == nullptr) return MAPI_E_INVALID_PARAMETER;
    if (!writable_) return MAPI_E_NO_ACCESS;
    Section* section = profile_.find(uid_);
    if (section == nullptr) return MAPI_E_NOT_FOUND;
    std::vector<SPropProblem> found;
    for (ULONG i = 0; i < count; ++i) {
      const ULONG id = PROP_ID(values[i].ulPropTag);
      PropertyValue value;
      SCODE problem = S_OK;
      if (id == kObjectTypeId || id == kProfileNameId) {
        problem = MAPI_E_COMPUTED;
      } else if (id >= 0x8000) {
        problem = MAPI_E_UNEXPECTED_ID;  // no named properties in a profile
      } else if (!to_bytes(values[i], value)) {
        problem = MAPI_E_BAD_VALUE;
      }
      if (problem != S_OK) {
        found.push_back(SPropProblem{i, values[i].ulPropTag, problem});
        continue;
      }
      (*section)[id] = std::move(value);
    }
    return give_problems(found, problems);
  }

  HRESULT delete_props(LPSPropTagArray tags, LPSPropProblemArray* problems) {
    if (tags == nullptr) return MAPI_E_INVALID_PARAMETER;
    if (!writable_) return MAPI_E_NO_ACCESS;
    Section* section = profile_.find(uid_);
    if (section == nullptr) return MAPI_E_NOT_FOUND;
    std::vector<SPropProblem> found;
    for (ULONG i = 0; i < tags->cValues; ++i) {
      const ULONG id = PROP_ID(tags->aulPropTag[i]);
      if (id == kObjectTypeId || id == kProfileNameId) {
        found.push_back(SPropProblem{i, tags->aulPropTag[i], MAPI_E_COMPUTED});
      } else if (section->erase(id) == 0) {
        found.push_back(SPropProblem{i, tags->aulPropTag[i], MAPI_E_NOT_FOUND});
      }
    }
    return give_problems(found, problems);
  }

  Profile& profile_;
  Uid uid_;
  std::string label_;
  bool writable_;
  ULONG references_ = 1;
};

}  // namespace

std::string describe_tag(ULONG tag) {
  for (const NamedProperty& known : kProfileProperties) {
    if (PROP_ID(known.tag) != PROP_ID(tag)) continue;
    const ULONG type = PROP_TYPE(tag);
    if (type == PROP_TYPE(known.tag)) return std::string(known.name);
    if (type == PT_UNICODE && PROP_TYPE(known.tag) == PT_STRING8) {
      return std::string(known.name) + "_W";
    }
    return std::string(known.name) + "(" + hex32(type) + ")";
  }
  return hex32(tag);
}

void Profile::set_initial(ProfileSection which, ULONG tag, std::vector<BYTE> bytes) {
  PropertyValue value{PROP_TYPE(tag), std::move(bytes)};
  if (which == ProfileSection::global) {
    if (PROP_ID(tag) == kProfileNameId) name_.assign(value.bytes.begin(), value.bytes.end());
    initial_global_[PROP_ID(tag)] = std::move(value);
    return;
  }
  if (PROP_ID(tag) == kProviderUidId && value.bytes.size() == provider_uid_.size()) {
    std::memcpy(provider_uid_.data(), value.bytes.data(), provider_uid_.size());
  }
  initial_provider_[PROP_ID(tag)] = std::move(value);
}

void Profile::reset() {
  live_.clear();
  if (initial_provider_.count(kProviderUidId) == 0) provider_uid_ = kDefaultProviderUid;
  live_[provider_uid_] = initial_provider_;
  Uid global;
  std::memcpy(global.data(), kGlobalSectionUid.data(), global.size());
  live_[global] = initial_global_;
}

Section* Profile::find(const Uid& uid) {
  const auto found = live_.find(uid);
  return found == live_.end() ? nullptr : &found->second;
}

HRESULT Profile::open(const MAPIUID* uid, ULONG flags, LPPROFSECT* section) {
  if (section == nullptr) return MAPI_E_INVALID_PARAMETER;
  *section = nullptr;
  if ((flags & ~(MAPI_MODIFY | MAPI_DEFERRED_ERRORS)) != 0) return MAPI_E_UNKNOWN_FLAGS;
  Uid key = provider_uid_;
  std::string label = "provider";
  if (uid != nullptr) {
    std::memcpy(key.data(), uid->ab, key.size());
    label = std::memcmp(key.data(), kGlobalSectionUid.data(), key.size()) == 0 ? "global"
            : key == provider_uid_                                             ? "provider"
                                                                               : "other";
  }
  const bool writable = (flags & MAPI_MODIFY) != 0;
  if (find(key) == nullptr) {
    if (!writable) return MAPI_E_NOT_FOUND;  // opened read-only, a missing section is not made
    live_[key];
  }
  ++open_sections_;
  *section = new ProfSect(*this, key, label, writable);
  return S_OK;
}

}  // namespace logoffcheck::windows_agent
