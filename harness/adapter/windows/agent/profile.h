// The agent's in-memory MAPI profile: the provider's own section, the global
// section and any section a provider creates, keyed by UID, each an IProfSect
// as MAPI's behave (nontransacted: SetProps takes effect at once and
// SaveChanges saves nothing; no named properties; PR_OBJECT_TYPE and
// PR_PROFILE_NAME read-only; identifiers 0x67F0..0x67FF kept out of full
// lists). The verifier sends the initial properties; every Logon starts from
// them again, so that each case sees the same profile. Part of
// logoffcheck-agent.exe.
#pragma once

#include <mapicode.h>
#include <mapidefs.h>
#include <windows.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../protocol/agent_protocol.h"

namespace logoffcheck::windows_agent {

struct PropertyValue {
  ULONG type = 0;
  // PT_LONG: 4 bytes; PT_BOOLEAN: 2; PT_STRING8: the characters; PT_UNICODE:
  // UTF-16 units; PT_BINARY: the bytes; PT_I8, PT_SYSTIME, PT_DOUBLE,
  // PT_CURRENCY: 8; PT_CLSID: 16.
  std::vector<BYTE> bytes;
};

using Uid = std::array<BYTE, 16>;
using Section = std::map<ULONG, PropertyValue>;  // by property identifier

class Profile {
 public:
  // A property of the initial profile (from profile_value messages).
  void set_initial(ProfileSection which, ULONG tag, std::vector<BYTE> bytes);

  // The live profile becomes the initial one again (before each Logon).
  void reset();

  // IMAPISupport::OpenProfileSection: NULL for the provider's section, the
  // global section's UID, or another (created when opened with MAPI_MODIFY,
  // MAPI_E_NOT_FOUND otherwise).
  HRESULT open(const MAPIUID* uid, ULONG flags, LPPROFSECT* section);

  // PR_PROFILE_NAME, as Logon's lpszProfileName.
  const std::string& name() const noexcept { return name_; }

  // Section objects given out and not yet released.
  long open_sections() const noexcept { return open_sections_; }

  Section* find(const Uid& uid);
  void section_released() noexcept { --open_sections_; }

 private:
  Section initial_provider_;
  Section initial_global_;
  std::map<Uid, Section> live_;
  Uid provider_uid_{};
  std::string name_ = "logoffcheck";
  long open_sections_ = 0;
};

// "PR_DISPLAY_NAME" or "0x6601001E".
std::string describe_tag(ULONG tag);

}  // namespace logoffcheck::windows_agent
