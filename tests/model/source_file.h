// source_file.h — reading the project's own files (docs, sources) in tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace logoffcheck::testing {

// The whole text of `relative_path` under the source tree, or an empty string
// when it cannot be read. LOGOFFCHECK_SOURCE_DIR comes from tests/model's CMake.
inline std::string read_source_file(const std::string& relative_path) {
  std::ifstream file(std::string(LOGOFFCHECK_SOURCE_DIR) + "/" + relative_path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace logoffcheck::testing
