// The provider's code in a process: where the controlled scheduler may
// preempt a thread (ptrace_scheduler.h), and the names of its functions, so
// that a switch reads "LostUpdateCount::AddRef+0x1c".
//
// A provider library's code is every executable mapping of its file; a
// provider linked into this binary is the functions of the bundled
// providers' namespace (logoffcheck::providers), found in the binary's
// symbol table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "logoffcheck/adapter.h"

namespace logoffcheck::detail {

class CodeMap {
 public:
  // The code of `provider` in this process (and in a child forked from it).
  // Throws ConfigurationError when it cannot be told apart from the
  // verifier's: a linked provider outside logoffcheck::providers, or a
  // binary without a symbol table.
  static CodeMap of(const Provider& provider);

  bool contains(std::uint64_t address) const noexcept;
  // "Store::Release+0x1c", or the address in hex when no symbol covers it.
  std::string describe(std::uint64_t address) const;

  struct Range {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::string name;  // a function's, or empty for a mapping
  };

 private:
  std::vector<Range> code_;     // sorted, disjoint
  std::vector<Range> symbols_;  // functions, sorted by begin
};

}  // namespace logoffcheck::detail
