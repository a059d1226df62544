// logoffcheck/mapi.h — the MAPI vocabulary of the StoreLogoff contract.
//
// Every flag value and HRESULT that logoffcheck knows is defined here, once.
// The values are ABI (they come from the public MAPI header mapidefs.h), not
// prose, so providers, the model, the checks and the reports all use these.
//
// This header is part of the provider ABI and is installed with it. It names
// the constants as MAPI does (LOGOFF_NO_WAIT, S_OK, ...) inside namespace
// logoffcheck; do not include it in a translation unit that also includes the
// Windows MAPI headers, whose macros of the same names would collide.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace logoffcheck {

using HRESULT = std::int32_t;
using ULONG = std::uint32_t;

// --- StoreLogoff input flags (exactly one per call) --------------------------
inline constexpr ULONG LOGOFF_NO_WAIT = 0x00000001;
inline constexpr ULONG LOGOFF_ORDERLY = 0x00000002;
inline constexpr ULONG LOGOFF_PURGE = 0x00000004;
inline constexpr ULONG LOGOFF_ABORT = 0x00000008;
inline constexpr ULONG LOGOFF_QUIET = 0x00000010;

// --- Output flags (of StoreLogoffTransports, and of StoreLogoff) -------------
inline constexpr ULONG LOGOFF_COMPLETE = 0x00010000;
inline constexpr ULONG LOGOFF_INBOUND = 0x00020000;
inline constexpr ULONG LOGOFF_OUTBOUND = 0x00040000;
inline constexpr ULONG LOGOFF_OUTBOUND_QUEUE = 0x00080000;

// --- HRESULTs ------------------------------------------------------------------
inline constexpr HRESULT S_OK = 0x00000000;
inline constexpr HRESULT MAPI_E_CALL_FAILED = static_cast<HRESULT>(0x80004005u);
inline constexpr HRESULT MAPI_E_INVALID_PARAMETER = static_cast<HRESULT>(0x80070057u);
inline constexpr HRESULT MAPI_E_NO_SUPPORT = static_cast<HRESULT>(0x80040102u);
inline constexpr HRESULT MAPI_E_UNKNOWN_FLAGS = static_cast<HRESULT>(0x80040106u);

// The five input flags, in ABI order (ascending value).
inline constexpr std::array<ULONG, 5> kInputFlags = {LOGOFF_NO_WAIT, LOGOFF_ORDERLY, LOGOFF_PURGE,
                                                     LOGOFF_ABORT, LOGOFF_QUIET};

// All bits that are a defined input flag.
inline constexpr ULONG kInputFlagMask =
    LOGOFF_NO_WAIT | LOGOFF_ORDERLY | LOGOFF_PURGE | LOGOFF_ABORT | LOGOFF_QUIET;

// The transport-activity bits: what "is still going on" looks like on output.
inline constexpr ULONG kActivityFlagMask = LOGOFF_INBOUND | LOGOFF_OUTBOUND | LOGOFF_OUTBOUND_QUEUE;

// All bits that are a defined output flag.
inline constexpr ULONG kOutputFlagMask = LOGOFF_COMPLETE | kActivityFlagMask;

// All bits MAPI defines for these calls, input or output.
inline constexpr ULONG kKnownFlagMask = kInputFlagMask | kOutputFlagMask;

// True when `flags` is exactly one of the five input flags.
constexpr bool is_single_input_flag(ULONG flags) noexcept {
  return (flags & kInputFlagMask) == flags && flags != 0 && (flags & (flags - 1)) == 0;
}

// True when `flags` carries output bits (LOGOFF_COMPLETE, the activity bits)
// beside exactly one input flag and nothing else: what a client passes when it
// reuses the value a previous StoreLogoff wrote back (contract D3).
constexpr bool is_input_flag_with_output_bits(ULONG flags) noexcept {
  return (flags & ~kKnownFlagMask) == 0 && (flags & kOutputFlagMask) != 0 &&
         is_single_input_flag(flags & kInputFlagMask);
}

// True for the HRESULTs COM counts as failures (severity bit set).
constexpr bool failed(HRESULT hr) noexcept { return hr < 0; }

// A named constant, for rendering values the way MAPI documentation does.
template <typename T>
struct NamedValue {
  T value;
  std::string_view name;
};

inline constexpr std::array<NamedValue<ULONG>, 9> kFlagNames = {{
    {LOGOFF_NO_WAIT, "LOGOFF_NO_WAIT"},
    {LOGOFF_ORDERLY, "LOGOFF_ORDERLY"},
    {LOGOFF_PURGE, "LOGOFF_PURGE"},
    {LOGOFF_ABORT, "LOGOFF_ABORT"},
    {LOGOFF_QUIET, "LOGOFF_QUIET"},
    {LOGOFF_COMPLETE, "LOGOFF_COMPLETE"},
    {LOGOFF_INBOUND, "LOGOFF_INBOUND"},
    {LOGOFF_OUTBOUND, "LOGOFF_OUTBOUND"},
    {LOGOFF_OUTBOUND_QUEUE, "LOGOFF_OUTBOUND_QUEUE"},
}};

inline constexpr std::array<NamedValue<HRESULT>, 5> kHresultNames = {{
    {S_OK, "S_OK"},
    {MAPI_E_CALL_FAILED, "MAPI_E_CALL_FAILED"},
    {MAPI_E_INVALID_PARAMETER, "MAPI_E_INVALID_PARAMETER"},
    {MAPI_E_NO_SUPPORT, "MAPI_E_NO_SUPPORT"},
    {MAPI_E_UNKNOWN_FLAGS, "MAPI_E_UNKNOWN_FLAGS"},
}};

// The name of a single flag bit, or an empty view when the value is not one.
constexpr std::string_view flag_name(ULONG flag) noexcept {
  for (const auto& named : kFlagNames) {
    if (named.value == flag) return named.name;
  }
  return {};
}

// "0x00000002" — the hexadecimal form used in reports and counterexample files.
std::string format_hex(ULONG value);

// A flag mask for people: "LOGOFF_ORDERLY", "LOGOFF_INBOUND|LOGOFF_OUTBOUND",
// "0 (no flags)", or "0x00000003 (LOGOFF_NO_WAIT|LOGOFF_ORDERLY)" when more
// than one input flag is set or unknown bits are present.
std::string describe_flags(ULONG flags);

// "S_OK", "MAPI_E_UNKNOWN_FLAGS", or "0x80001234" for an unnamed HRESULT.
std::string describe_hresult(HRESULT hr);

}  // namespace logoffcheck
