// The MAPI profile's vocabulary, shared by the verifier (which reads
// --mapi-profile files, docs/mapi-environment.md) and the Windows agent
// (which traces calls on profile sections): property types and the names of
// the properties profiles commonly hold, with their tags as mapitags.h
// defines them. Internal to the adapter room's Windows part.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace logoffcheck::windows_agent {

// Property types (mapidefs.h), the low 16 bits of a tag.
inline constexpr std::uint32_t kPtLong = 0x0003;
inline constexpr std::uint32_t kPtBoolean = 0x000B;
inline constexpr std::uint32_t kPtString8 = 0x001E;
inline constexpr std::uint32_t kPtUnicode = 0x001F;
inline constexpr std::uint32_t kPtBinary = 0x0102;

struct NamedProperty {
  std::string_view name;
  std::uint32_t tag;  // with its usual type; strings as PT_STRING8
};

inline constexpr std::array<NamedProperty, 16> kProfileProperties = {{
    {"PR_OBJECT_TYPE", 0x0FFE0003},
    {"PR_RECORD_KEY", 0x0FF90102},
    {"PR_STORE_RECORD_KEY", 0x0FFA0102},
    {"PR_STORE_ENTRYID", 0x0FFB0102},
    {"PR_ENTRYID", 0x0FFF0102},
    {"PR_DISPLAY_NAME", 0x3001001E},
    {"PR_PROVIDER_DISPLAY", 0x3006001E},
    {"PR_RESOURCE_FLAGS", 0x30090003},
    {"PR_PROVIDER_DLL_NAME", 0x300A001E},
    {"PR_PROVIDER_UID", 0x300C0102},
    {"PR_MDB_PROVIDER", 0x34140102},
    {"PR_SERVICE_NAME", 0x3D09001E},
    {"PR_SERVICE_DLL_NAME", 0x3D0A001E},
    {"PR_SERVICE_UID", 0x3D0C0102},
    {"PR_PROFILE_NAME", 0x3D12001E},
    {"PR_RESOURCE_TYPE", 0x3E030003},
}};

// The name of the property with `tag`'s identifier, or "" for another.
constexpr std::string_view property_name(std::uint32_t tag) noexcept {
  for (const NamedProperty& property : kProfileProperties) {
    if ((property.tag >> 16) == (tag >> 16)) return property.name;
  }
  return {};
}

// The UID of the global profile section (pbGlobalProfileSectionGuid, edkmdb.h).
inline constexpr std::array<std::uint8_t, 16> kGlobalSectionUid = {
    0x13, 0xDB, 0xB0, 0xC8, 0xAA, 0x05, 0x10, 0x1A, 0x9B, 0xB0, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A};

}  // namespace logoffcheck::windows_agent
