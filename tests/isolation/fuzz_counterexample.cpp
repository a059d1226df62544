// libFuzzer target for the counterexample reader (report.h): whatever the
// bytes, parse_counterexample_json returns a document or throws InputError,
// as documented, and never crashes, hangs or leaks (the sanitizers judge
// that); a document it accepts survives a write and a second read unchanged.
//
//   fuzz_counterexample -runs=20000 -max_len=4096 NEW_UNITS_DIR tests/isolation/corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "logoffcheck/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using logoffcheck::CounterexampleDocument;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CounterexampleDocument document;
  try {
    document = logoffcheck::parse_counterexample_json(text);
  } catch (const logoffcheck::InputError&) {
    return 0;  // rejected, with a message: the documented outcome
  }
  // Anything the reader accepts, the writer must write back readably.
  const CounterexampleDocument reread =
      logoffcheck::parse_counterexample_json(logoffcheck::write_counterexample_json(document));
  if (!(reread == document)) std::abort();
  return 0;
}
