// The mutant gallery: each mutant is a reference store with one realistic
// bug a provider author could write. Every mutant's comment states its bug
// and the length of its minimal counterexample; the same facts are in its
// BuiltinProvider entry, which the tests hold the verifier to.
#pragma once

#include <span>

#include "logoffcheck/builtin.h"

namespace logoffcheck::providers {

// The open_store of a gallery entry: a new `Store` on `support`.
template <typename Store>
IMsgStore* open_new(IMAPISupport* support) {
  return new Store(support);
}

// Mutants whose bug is a wrong answer (gallery.cpp).
std::span<const BuiltinProvider> functional_mutants() noexcept;

// Stores whose behaviour the contract tolerates but does not recommend
// (should_only.cpp): caught only in strict mode, by a SHOULD clause.
std::span<const BuiltinProvider> should_only_mutants() noexcept;

// Mutants that crash, abort, throw, exit or hang (faults.cpp); they need
// process isolation to be certified without taking the verifier down.
std::span<const BuiltinProvider> fault_mutants() noexcept;

// Mutants whose reference counting is not thread-safe (races.cpp): they
// pass every sequential case and are caught with `certify --threads 2`.
std::span<const BuiltinProvider> race_mutants() noexcept;

// Mutants whose state is shared by every store of the process (stores.cpp):
// they pass every case of one store and are caught with `certify --stores 3`.
std::span<const BuiltinProvider> several_store_mutants() noexcept;

}  // namespace logoffcheck::providers
