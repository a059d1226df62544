// logoffcheck/errors.h — the two ways the verifier refuses to give a verdict.
//
// Every room of the harness raises these; the CLI maps them to its exit
// statuses (docs/cli.md). A finding about the provider is never an exception:
// it is a Violation in a result.
#pragma once

#include <stdexcept>

namespace logoffcheck {

// A provider cannot be used as configured (missing file, not a provider
// library, wrong ABI version, no such builtin, ...). The message names the
// problem and what to do about it. The CLI exits with status 2 on it.
class ConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The verifier itself misbehaved (for example its simulated spooler broke an
// SP- clause). The CLI exits with status 3 on it.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace logoffcheck
