// logoffcheck/mapi_environment.h — the MAPI environment a Windows store DLL
// logs on to (docs/mapi-environment.md): the profile its support object's
// OpenProfileSection opens, and the trace of the calls it made to log on.
// Part of room harness/adapter.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "logoffcheck/errors.h"

namespace logoffcheck {

// One property of a profile section: its tag (identifier and type) and its
// value as MAPI holds it (PT_LONG: 4 bytes little-endian; PT_BOOLEAN: 2;
// PT_STRING8: the characters; PT_UNICODE: UTF-16LE units; PT_BINARY: the
// bytes), without a terminating zero.
struct MapiProperty {
  std::uint32_t tag = 0;
  std::vector<std::uint8_t> value;

  friend bool operator==(const MapiProperty&, const MapiProperty&) = default;
};

// The sections of the profile a store provider logs on with: its own
// (OpenProfileSection(NULL)) and the global one (pbGlobalProfileSectionGuid).
struct MapiProfile {
  std::vector<MapiProperty> provider;
  std::vector<MapiProperty> global;

  // The built-in profile: PR_PROFILE_NAME "logoffcheck" in both sections,
  // PR_DISPLAY_NAME, PR_PROVIDER_DISPLAY, PR_SERVICE_UID, PR_PROVIDER_UID and
  // PR_RESOURCE_FLAGS 0 in the provider's.
  static MapiProfile builtin();

  friend bool operator==(const MapiProfile&, const MapiProfile&) = default;
};

// Parses a profile file (docs/mapi-environment.md): `[provider]` and
// `[global]` sections of `TAG TYPE VALUE` lines, over the built-in profile.
// Throws ConfigurationError naming `source`, the line and the problem.
MapiProfile parse_mapi_profile(std::string_view text, const std::string& source);

// Reads and parses the file at `path`; ConfigurationError when it cannot.
MapiProfile read_mapi_profile(const std::filesystem::path& path);

// One call a provider made while it started and logged on: MSProviderInit,
// the support object's methods, the memory routines, calls on the profile
// sections it opened, and IMSProvider::Logon itself, in order.
struct LogonCall {
  std::string call;          // "IMAPISupport::OpenProfileSection(NULL, MAPI_MODIFY)"
  std::string result;        // "S_OK", "MAPI_E_NO_SUPPORT", "2" (a reference count)
  bool unsupported = false;  // answered MAPI_E_NO_SUPPORT: logoffcheck lacks the method

  friend bool operator==(const LogonCall&, const LogonCall&) = default;
};

// "MAPI_E_NOT_FOUND", "S_OK", or "0x8004011D" for an HRESULT it has no name for.
std::string mapi_result_name(std::uint32_t result);

}  // namespace logoffcheck
