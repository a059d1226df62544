// libFuzzer target for the readers of the verifier's own inputs (report.h):
// the counterexample reader, the report reader and the step parser. Whatever
// the bytes, each returns a value or throws InputError, as documented, and
// never crashes, hangs or leaks (the sanitizers judge that); a document a
// reader accepts survives a write and a second read unchanged.
//
//   fuzz_readers -runs=20000 -max_len=4096 NEW_UNITS_DIR tests/isolation/corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "logoffcheck/report.h"

namespace {

// The value `parse` returns, or nothing when it rejects the input with an
// InputError. Any other exception escapes, and libFuzzer reports it.
template <typename Parse>
auto accepted(Parse parse) -> std::optional<decltype(parse())> {
  try {
    return parse();
  } catch (const logoffcheck::InputError&) {
    return std::nullopt;  // rejected, with a message: the documented outcome
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace logoffcheck;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto document = accepted([&] { return parse_counterexample_json(text); })) {
    if (!(parse_counterexample_json(write_counterexample_json(*document)) == *document)) {
      std::abort();
    }
  }
  if (const auto report = accepted([&] { return parse_report_json(text); })) {
    if (!(parse_report_json(write_report_json(*report)) == *report)) std::abort();
  }
  accepted([&] { return parse_replayable_json(text); });
  accepted([&] { return parse_steps_json(text); });
  return 0;
}
