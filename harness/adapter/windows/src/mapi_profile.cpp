// The MAPI profile a Windows store DLL logs on with: the built-in one, and
// the text format of --mapi-profile files (docs/mapi-environment.md).
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "../protocol/profile_properties.h"
#include "logoffcheck/mapi.h"
#include "logoffcheck/mapi_environment.h"

namespace logoffcheck {

using namespace windows_agent;

namespace {

constexpr std::uint32_t kObjectTypeId = 0x0FFE;
constexpr std::uint32_t kProfileNameId = 0x3D12;

MapiProperty text_property(std::uint32_t tag, std::string_view text) {
  return {tag, std::vector<std::uint8_t>(text.begin(), text.end())};
}

MapiProperty uid_property(std::uint32_t tag, std::string_view sixteen) {
  return {tag, std::vector<std::uint8_t>(sixteen.begin(), sixteen.end())};
}

void put(std::vector<MapiProperty>& section, MapiProperty property) {
  for (MapiProperty& existing : section) {
    if ((existing.tag >> 16) == (property.tag >> 16)) {
      existing = std::move(property);
      return;
    }
  }
  section.push_back(std::move(property));
}

struct Line {
  const std::string& source;
  std::size_t number;

  [[noreturn]] void fail(const std::string& problem) const {
    throw ConfigurationError("--mapi-profile " + source + ", line " + std::to_string(number) +
                             ": " + problem + " (docs/mapi-environment.md)");
  }
};

std::uint32_t type_of(std::string_view word, const Line& line) {
  if (word == "long") return kPtLong;
  if (word == "boolean") return kPtBoolean;
  if (word == "string8") return kPtString8;
  if (word == "unicode") return kPtUnicode;
  if (word == "binary") return kPtBinary;
  line.fail("unknown type '" + std::string(word) +
            "'; expected long, boolean, string8, unicode or binary");
}

bool is_string_type(std::uint32_t type) { return type == kPtString8 || type == kPtUnicode; }

std::uint32_t tag_of(std::string_view word, std::uint32_t type, const Line& line) {
  for (const NamedProperty& known : kProfileProperties) {
    if (known.name != word) continue;
    const std::uint32_t usual = known.tag & 0xFFFF;
    if (usual != type && !(is_string_type(usual) && is_string_type(type))) {
      line.fail(std::string(word) + " is not of that type");
    }
    return (known.tag & 0xFFFF0000) | type;
  }
  const bool hex = word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X') &&
                   word.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string_view::npos;
  if (!hex || (word.size() != 6 && word.size() != 10)) {
    line.fail("unknown property '" + std::string(word) +
              "'; give a PR_ name of the documented list, a 4-digit identifier (0x6601) or a "
              "whole tag (0x66010003)");
  }
  const auto value =
      static_cast<std::uint32_t>(std::stoul(std::string(word.substr(2)), nullptr, 16));
  if (word.size() == 6) {
    if (value == 0 || value == 0xFFFF)
      line.fail("property identifier 0x0000 and 0xFFFF are not valid");
    return (value << 16) | type;
  }
  if ((value & 0xFFFF) != type) line.fail("the tag's type is not the type given");
  if ((value >> 16) == 0 || (value >> 16) == 0xFFFF) line.fail("the tag's identifier is not valid");
  return value;
}

std::vector<std::uint8_t> utf16(std::string_view utf8, const Line& line) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t code = 0;
    std::size_t extra = 0;
    if (c < 0x80)
      code = c;
    else if ((c & 0xE0) == 0xC0)
      code = c & 0x1F, extra = 1;
    else if ((c & 0xF0) == 0xE0)
      code = c & 0x0F, extra = 2;
    else if ((c & 0xF8) == 0xF0)
      code = c & 0x07, extra = 3;
    else
      line.fail("the string is not UTF-8");
    if (i + extra >= utf8.size()) line.fail("the string is not UTF-8");
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(utf8[i + k]);
      if ((next & 0xC0) != 0x80) line.fail("the string is not UTF-8");
      code = (code << 6) | (next & 0x3F);
    }
    i += extra + 1;
    auto unit = [&](std::uint32_t u) {
      out.push_back(static_cast<std::uint8_t>(u & 0xFF));
      out.push_back(static_cast<std::uint8_t>(u >> 8));
    };
    if (code >= 0x10000) {
      code -= 0x10000;
      unit(0xD800 + (code >> 10));
      unit(0xDC00 + (code & 0x3FF));
    } else {
      unit(code);
    }
  }
  return out;
}

// The quoted string at the start of `rest`, unescaped (\" and \\).
std::string quoted(std::string_view rest, const Line& line) {
  if (rest.empty() || rest.front() != '"') line.fail("a string value is written in double quotes");
  std::string text;
  std::size_t i = 1;
  for (; i < rest.size() && rest[i] != '"'; ++i) {
    if (rest[i] == '\\') {
      if (i + 1 >= rest.size() || (rest[i + 1] != '"' && rest[i + 1] != '\\')) {
        line.fail("only \\\" and \\\\ are escapes in a string");
      }
      ++i;
    }
    text += rest[i];
  }
  if (i >= rest.size()) line.fail("the string has no closing quote");
  const std::string_view after = rest.substr(i + 1);
  if (after.find_first_not_of(" \t") != std::string_view::npos) line.fail("text after the string");
  return text;
}

std::vector<std::uint8_t> value_of(std::uint32_t type, std::string_view rest, const Line& line) {
  std::vector<std::uint8_t> bytes;
  if (type == kPtString8) {
    const std::string text = quoted(rest, line);
    return {text.begin(), text.end()};
  }
  if (type == kPtUnicode) return utf16(quoted(rest, line), line);
  const std::string word(rest.substr(0, rest.find_first_of(" \t")));
  if (rest.substr(word.size()).find_first_not_of(" \t") != std::string_view::npos) {
    line.fail("one value per line");
  }
  if (type == kPtBoolean) {
    if (word != "true" && word != "false") line.fail("a boolean is true or false");
    return {static_cast<std::uint8_t>(word == "true"), 0};
  }
  if (type == kPtLong) {
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(word, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (word.empty() || used != word.size() || value < -2147483648LL || value > 0xFFFFFFFFLL) {
      line.fail("a long is a 32-bit integer, decimal or 0x hex");
    }
    const auto bits = static_cast<std::uint32_t>(value);
    for (int shift = 0; shift < 32; shift += 8)
      bytes.push_back(static_cast<std::uint8_t>(bits >> shift));
    return bytes;
  }
  if (word.size() % 2 != 0 ||
      word.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    line.fail("a binary value is an even number of hex digits");
  }
  for (std::size_t i = 0; i < word.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(word.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

}  // namespace

MapiProfile MapiProfile::builtin() {
  MapiProfile profile;
  profile.provider = {
      text_property(0x3001001E, "logoffcheck store"),                       // PR_DISPLAY_NAME
      text_property(0x3006001E, "logoffcheck store provider"),              // PR_PROVIDER_DISPLAY
      uid_property(0x3D0C0102, std::string_view("logoffcheck-svc\0", 16)),  // PR_SERVICE_UID
      uid_property(0x300C0102, "logoffcheck-prov"),                         // PR_PROVIDER_UID
      {0x30090003, {0, 0, 0, 0}},                                           // PR_RESOURCE_FLAGS
  };
  profile.global = {text_property(0x3D12001E, "logoffcheck")};  // PR_PROFILE_NAME
  return profile;
}

MapiProfile parse_mapi_profile(std::string_view text, const std::string& source) {
  MapiProfile profile = MapiProfile::builtin();
  std::vector<MapiProperty>* section = nullptr;
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view row = text.substr(start, end - start);
    start = end + 1;
    ++number;
    const Line line{source, number};
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    const std::size_t first = row.find_first_not_of(" \t");
    if (first == std::string_view::npos || row[first] == '#') continue;
    row = row.substr(first);
    if (row.front() == '[') {
      const std::string_view name = row.substr(0, row.find_last_not_of(" \t") + 1);
      if (name == "[provider]")
        section = &profile.provider;
      else if (name == "[global]")
        section = &profile.global;
      else
        line.fail("unknown section " + std::string(name) + "; expected [provider] or [global]");
      continue;
    }
    if (section == nullptr) line.fail("a property before [provider] or [global]");
    const std::size_t tag_end = row.find_first_of(" \t");
    const std::string_view tag_word = row.substr(0, tag_end);
    std::string_view rest = tag_end == std::string_view::npos ? "" : row.substr(tag_end);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    const std::size_t type_end = rest.find_first_of(" \t");
    const std::string_view type_word = rest.substr(0, type_end);
    if (type_word.empty()) line.fail("expected TAG TYPE VALUE");
    rest = type_end == std::string_view::npos ? "" : rest.substr(type_end);
    rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
    if (rest.empty()) line.fail("expected TAG TYPE VALUE: no value");
    const std::uint32_t type = type_of(type_word, line);
    const std::uint32_t tag = tag_of(tag_word, type, line);
    if ((tag >> 16) == kObjectTypeId) line.fail("PR_OBJECT_TYPE is computed (MAPI_PROFSECT)");
    if ((tag >> 16) == kProfileNameId && section != &profile.global) {
      line.fail("PR_PROFILE_NAME is the profile's: set it in [global]");
    }
    if ((tag >> 16) >= 0x8000)
      line.fail("profile sections have no named properties (0x8000 and up)");
    put(*section, MapiProperty{tag, value_of(type, rest, line)});
  }
  return profile;
}

MapiProfile read_mapi_profile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigurationError("--mapi-profile " + path.string() + ": cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20)) {
    throw ConfigurationError("--mapi-profile " + path.string() + ": larger than 1 MiB");
  }
  return parse_mapi_profile(text.str(), path.string());
}

std::string mapi_result_name(std::uint32_t result) {
  for (const NamedValue<HRESULT>& known : kHresultNames) {
    if (static_cast<std::uint32_t>(known.value) == result) return std::string(known.name);
  }
  static constexpr struct {
    std::uint32_t value;
    std::string_view name;
  } kMore[] = {
      {0x80040103, "MAPI_E_BAD_CHARWIDTH"}, {0x8004010F, "MAPI_E_NOT_FOUND"},
      {0x80040110, "MAPI_E_VERSION"},       {0x80040111, "MAPI_E_LOGON_FAILED"},
      {0x8004011A, "MAPI_E_COMPUTED"},      {0x8004011C, "MAPI_E_UNCONFIGURED"},
      {0x80040301, "MAPI_E_BAD_VALUE"},     {0x80040307, "MAPI_E_UNEXPECTED_ID"},
      {0x80040501, "MAPI_E_USER_CANCEL"},   {0x80040605, "MAPI_E_NOT_INITIALIZED"},
      {0x80070005, "MAPI_E_NO_ACCESS"},     {0x8007000E, "MAPI_E_NOT_ENOUGH_MEMORY"},
      {0x80004002, "E_NOINTERFACE"},        {0x80004001, "E_NOTIMPL"},
      {0x8000FFFF, "E_UNEXPECTED"},         {0x00040380, "MAPI_W_ERRORS_RETURNED"},
  };
  for (const auto& known : kMore) {
    if (known.value == result) return std::string(known.name);
  }
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", result);
  return text;
}

}  // namespace logoffcheck
