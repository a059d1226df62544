#include "mutants.h"

namespace logoffcheck::providers {

std::span<const BuiltinProvider> fault_mutants() noexcept { return {}; }

}  // namespace logoffcheck::providers
