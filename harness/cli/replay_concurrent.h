// `logoffcheck replay` of a concurrent counterexample; replay.cpp parses the
// options and the file and hands a concurrent one over here.
#pragma once

#include <cstdint>
#include <string>

#include "files.h"
#include "logoffcheck/document.h"
#include "provider_choice.h"

namespace logoffcheck::cli {

struct ReplayArguments {
  std::string file;
  std::string provider;
  std::string emit_gtest;
  std::uint32_t repeat = 0;  // plays of a concurrent case; 0: the file's K
  IsolationArguments isolation;
};

// Plays `document`'s case `arguments.repeat` times (the file's K when 0), in
// a child process as certify --threads does, judges every play, prints the
// first failing play's thread table and "failed in k of K plays", and writes
// --emit-gtest. Returns 1 while any play fails, 0 when none does; throws
// ConfigurationError for --no-isolate.
int replay_concurrent(ConcurrentCounterexampleDocument document,
                      const ReplayArguments& arguments);

}  // namespace logoffcheck::cli
