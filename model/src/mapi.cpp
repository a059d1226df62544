#include "logoffcheck/mapi.h"

#include <cstdio>

namespace logoffcheck {

std::string format_hex(ULONG value) {
  char buffer[11];
  std::snprintf(buffer, sizeof buffer, "0x%08X", value);
  return buffer;
}

std::string describe_flags(ULONG flags) {
  if (flags == 0) return "0 (no flags)";
  std::string names;
  ULONG unknown = flags;
  for (const auto& named : kFlagNames) {
    if ((flags & named.value) == 0) continue;
    if (!names.empty()) names += '|';
    names += named.name;
    unknown &= ~named.value;
  }
  const bool single_named = unknown == 0 && (flags & (flags - 1)) == 0;
  if (single_named) return names;
  // Only the activity bits together read naturally without the number.
  if (unknown == 0 && (flags & ~kActivityFlagMask) == 0) return names;
  std::string text = format_hex(flags);
  if (!names.empty() || unknown != 0) {
    text += " (";
    text += names;
    if (unknown != 0) {
      if (!names.empty()) text += '|';
      text += "unknown " + format_hex(unknown);
    }
    text += ')';
  }
  return text;
}

std::string describe_hresult(HRESULT hr) {
  for (const auto& named : kHresultNames) {
    if (named.value == hr) return std::string(named.name);
  }
  return format_hex(static_cast<ULONG>(hr));
}

}  // namespace logoffcheck
