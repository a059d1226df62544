// Text as XML or HTML character data or attribute value, for the JUnit and
// HTML writers. Internal to harness/report.
#pragma once

#include <string>
#include <string_view>

namespace logoffcheck {

// `text` with & < > " ' as entities, and the control characters XML 1.0
// forbids (all but tab, newline and return) as '?'.
std::string markup_escape(std::string_view text);

}  // namespace logoffcheck
