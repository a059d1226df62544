// docs/provider-guide.md shows real code: its complete store is
// tests/engine/plugin_provider.cpp (which the fixtures build and certify),
// and every excerpt of the reference store is quoted verbatim.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../model/source_file.h"

namespace logoffcheck {
namespace {

using testing::read_source_file;

// The bodies of the ```<language> blocks of a Markdown text.
std::vector<std::string> fenced_blocks(const std::string& markdown, const std::string& language) {
  std::vector<std::string> blocks;
  const std::string open = "```" + language + "\n", close = "```\n";
  for (std::size_t start = markdown.find(open); start != std::string::npos;
       start = markdown.find(open, start)) {
    start += open.size();
    const std::size_t end = markdown.find(close, start);
    if (end == std::string::npos) break;
    blocks.push_back(markdown.substr(start, end - start));
    start = end + close.size();
  }
  return blocks;
}

std::vector<std::string> cpp_blocks(const std::string& markdown) {
  return fenced_blocks(markdown, "cpp");
}

const std::string kGuide = "docs/provider-guide.md";

TEST(ProviderGuide, ShowsThePluginSourceTheTestsBuildAndCertify) {
  const std::string plugin = read_source_file("tests/engine/plugin_provider.cpp");
  ASSERT_FALSE(plugin.empty());
  const std::vector<std::string> blocks = cpp_blocks(read_source_file(kGuide));
  EXPECT_NE(std::find(blocks.begin(), blocks.end(), plugin), blocks.end())
      << kGuide << " does not show tests/engine/plugin_provider.cpp as it is";
}

TEST(ProviderGuide, QuotesTheReferenceStoreVerbatim) {
  const std::string reference = read_source_file("providers/reference/reference_store.h");
  ASSERT_FALSE(reference.empty());
  std::size_t excerpts = 0;
  for (const std::string& block : cpp_blocks(read_source_file(kGuide))) {
    if (!block.starts_with("  ")) continue;  // excerpts are indented class members
    ++excerpts;
    EXPECT_NE(reference.find(block), std::string::npos) << "not in reference_store.h:\n" << block;
  }
  EXPECT_GE(excerpts, 5u);
}

// Section 6 shows the project tests/package builds against an installed
// logoffcheck, file for file.
TEST(ProviderGuide, ShowsThePackageConsumerTheTestsBuild) {
  const std::string guide = read_source_file(kGuide);
  const std::string cmake = read_source_file("tests/package/consumer/CMakeLists.txt");
  const std::string test = read_source_file("tests/package/consumer/conformance_test.cpp");
  ASSERT_FALSE(cmake.empty());
  ASSERT_FALSE(test.empty());
  const std::vector<std::string> cmake_blocks = fenced_blocks(guide, "cmake");
  EXPECT_NE(std::find(cmake_blocks.begin(), cmake_blocks.end(), cmake), cmake_blocks.end())
      << kGuide << " does not show tests/package/consumer/CMakeLists.txt as it is";
  const std::vector<std::string> blocks = cpp_blocks(guide);
  EXPECT_NE(std::find(blocks.begin(), blocks.end(), test), blocks.end())
      << kGuide << " does not show tests/package/consumer/conformance_test.cpp as it is";
}

}  // namespace
}  // namespace logoffcheck
