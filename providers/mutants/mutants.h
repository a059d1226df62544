// The mutant gallery: each mutant is a reference store with one realistic
// bug a provider author could write. Every mutant's comment states its bug
// and the length of its minimal counterexample; the same facts are in its
// BuiltinProvider entry, which the tests hold the verifier to.
#pragma once

#include <span>

#include "logoffcheck/builtin.h"

namespace logoffcheck::providers {

std::span<const BuiltinProvider> mutant_gallery() noexcept;

}  // namespace logoffcheck::providers
