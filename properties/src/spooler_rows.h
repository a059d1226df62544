// properties/src/spooler_rows.h — the rows of contract §6 that the SP-
// clauses judge (internal to the properties room): which row a
// StoreLogoffTransports call falls under, and whether the simulated
// spooler's answer satisfies it. checks.cpp turns rows into verdicts.
#pragma once

#include <cstdint>
#include <string_view>

#include "logoffcheck/observation.h"

namespace logoffcheck::detail {

// The call passes exactly one input flag through a pointer (SP-1 otherwise).
inline bool valid_call_flags(const TransportCall& call) {
  return !call.flags_pointer_null && is_single_input_flag(call.flags_in);
}

enum class SpoolerRow : std::uint8_t { none, sp1, sp2, sp3, sp4, sp5, sp6, sp7 };

// The row of contract §6 that governs `call`; none when no row applies.
SpoolerRow row_for(const TransportCall& call);

// Whether `call` satisfies the row that applies to it; `why` names the first
// part that does not hold. A view of fixed text, so that a passing row
// allocates nothing (checks allocate only to report a violation).
bool row_holds(SpoolerRow row, const TransportCall& call, std::string_view& why);

}  // namespace logoffcheck::detail
