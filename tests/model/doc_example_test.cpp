// The example in docs/model.md, compiled and run; and a check that the doc
// still shows exactly this code.
#include <string>

#include <gtest/gtest.h>

#include "logoffcheck/model.h"
#include "source_file.h"

// BEGIN docs/model.md example
// Plays one lifetime of a deferred store and returns its final Release.
logoffcheck::Transition one_deferred_lifetime() {
  using namespace logoffcheck;
  State store = initial_state(Profile::deferred);
  store = step(store, add_ref()).next;                     // count 2
  store = step(store, store_logoff(LOGOFF_ORDERLY)).next;  // flag saved, no call (D2, LT-2)
  store = step(store, release()).next;                     // count 1, still no call (LT-2)
  return step(store, release());                           // the final Release (LT-1, LT-3)
}
// END docs/model.md example

namespace logoffcheck {
namespace {

TEST(DocExample, TheFinalReleaseCallsTransportsWithTheSavedFlag) {
  const Transition last = one_deferred_lifetime();
  EXPECT_TRUE(last.expected.final_release);
  EXPECT_EQ(last.expected.count_returned, 0u);
  EXPECT_TRUE(last.expected.transport_call_due);
  EXPECT_EQ(last.expected.transport_flag, LOGOFF_ORDERLY);
  EXPECT_EQ(last.expected.spooler.decided_by, SpoolerCase::orderly);  // SP-6
  EXPECT_EQ(last.expected.spooler.flags_out, LOGOFF_COMPLETE);
  EXPECT_TRUE(last.next.destroyed);
}

// The text between two marker lines of `text`, without the markers.
std::string between(const std::string& text, const std::string& begin, const std::string& end) {
  const auto start = text.find(begin);
  if (start == std::string::npos) return {};
  const auto body = text.find('\n', start) + 1;
  const auto stop = text.find(end, body);
  if (stop == std::string::npos) return {};
  return text.substr(body, stop - body);
}

TEST(DocExample, DocsModelMdShowsThisExampleVerbatim) {
  const std::string source = testing::read_source_file("tests/model/doc_example_test.cpp");
  const std::string doc = testing::read_source_file("docs/model.md");
  const std::string example =
      between(source, "// BEGIN docs/model.md example", "// END docs/model.md example");
  ASSERT_FALSE(example.empty()) << "the example markers are missing from doc_example_test.cpp";
  const std::string shown =
      between(doc, "<!-- example: tests/model/doc_example_test.cpp -->", "```\n");
  ASSERT_FALSE(shown.empty()) << "docs/model.md has no example block after its marker";
  // The block opens with ```cpp on the marker's next line.
  EXPECT_EQ(shown.substr(shown.find('\n') + 1), example);
}

}  // namespace
}  // namespace logoffcheck
