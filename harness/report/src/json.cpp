#include "json.h"

#include <algorithm>
#include <cmath>

namespace logoffcheck::json {

namespace {

bool is_flat(const Json& value) {
  return std::none_of(value.begin(), value.end(),
                      [](const Json& member) { return member.is_structured(); });
}

// Pretty-printing that keeps small flat objects and arrays on one line, so a
// step or a clause reads as one line of the document.
void dump_pretty(const Json& value, int indent, std::string& out) {
  if (!value.is_structured()) {
    out += dump_scalar(value);
    return;
  }
  const bool object = value.is_object();
  const char open = object ? '{' : '[';
  const char close = object ? '}' : ']';
  if (value.empty()) {
    out += open;
    out += close;
    return;
  }
  const bool one_line = is_flat(value);
  const std::string inner(one_line ? 0 : static_cast<std::size_t>(indent + 2), ' ');
  out += open;
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out += ',';
    if (one_line) {
      if (!first) out += ' ';
    } else {
      out += '\n';
      out += inner;
    }
    first = false;
    if (object) {
      out += dump_scalar(it.key());
      out += ": ";
    }
    dump_pretty(it.value(), indent + 2, out);
  }
  if (!one_line) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent), ' ');
  }
  out += close;
}

std::string_view type_name(const Json& value) {
  if (value.is_number_float()) return "a fractional number";
  if (value.is_number_integer() && !value.is_number_unsigned()) return "a negative number";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_null()) return "null";
  if (value.is_array()) return "an array";
  return "an object";
}

// Bounds the work nlohmann::json does before it starts: the size of the text
// and the nesting depth (its DOM is recursive, so depth is stack).
void check_bounds(std::string_view text) {
  if (text.size() > kMaxDocumentBytes) {
    throw InputError("the document is " + std::to_string(text.size()) + " bytes; the limit is " +
                     std::to_string(kMaxDocumentBytes));
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        throw InputError("malformed JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                         " levels at byte " + std::to_string(i + 1));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

}  // namespace

std::string dump_scalar(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string dump_document(const Json& document) {
  std::string out;
  dump_pretty(document, 0, out);
  out += '\n';
  return out;
}

Json parse(std::string_view text) {
  check_bounds(text);
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& error) {
    // A parse_error, or an out_of_range for a number too large for any type
    // ("1E400"). what() is "[json.exception.parse_error.101] parse error at ...".
    std::string message = error.what();
    const std::size_t start = message.find("] ");
    if (start != std::string::npos) message.erase(0, start + 2);
    throw InputError("malformed JSON: " + message);
  }
}

[[noreturn]] void input_error(const std::string& path, const std::string& problem) {
  throw InputError(path.empty() ? problem : path + ": " + problem);
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string quote_input(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string shown(text.substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  return dump_scalar(Json(shown));
}

void expect_type(bool ok, const Json& value, const std::string& path, std::string_view wanted) {
  if (ok) return;
  input_error(path, "expected " + std::string(wanted) + ", found " + std::string(type_name(value)));
}

void expect_object(const Json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed) {
  expect_type(value.is_object(), value, path, "an object");
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      input_error(path, "unknown key " + quote_input(it.key()));
    }
  }
}

const Json& member(const Json& object, std::string_view key, const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end()) input_error(path, "missing key \"" + std::string(key) + "\"");
  return *it;
}

std::string read_string(const Json& object, std::string_view key, const std::string& path) {
  const Json& value = member(object, key, path);
  const std::string where = join_path(path, key);
  expect_type(value.is_string(), value, where, "a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > kMaxTextField) {
    input_error(where, "longer than " + std::to_string(kMaxTextField) + " bytes");
  }
  return text;
}

bool read_bool(const Json& object, std::string_view key, const std::string& path) {
  const Json& value = member(object, key, path);
  expect_type(value.is_boolean(), value, join_path(path, key), "true or false");
  return value.get<bool>();
}

std::uint64_t read_unsigned(const Json& value, const std::string& path, std::uint64_t max) {
  expect_type(value.is_number_unsigned(), value, path, "a non-negative integer");
  const auto number = value.get<std::uint64_t>();
  if (number > max) input_error(path, std::to_string(number) + " is above " + std::to_string(max));
  return number;
}

std::uint64_t read_unsigned(const Json& object, std::string_view key, const std::string& path,
                            std::uint64_t max) {
  return read_unsigned(member(object, key, path), join_path(path, key), max);
}

double read_seconds(const Json& object, std::string_view key, const std::string& path) {
  const Json& value = member(object, key, path);
  const std::string where = join_path(path, key);
  expect_type(value.is_number(), value, where, "a number");
  const double seconds = value.get<double>();
  if (!std::isfinite(seconds) || seconds < 0) input_error(where, "expected a non-negative number");
  return seconds;
}

Profile read_profile(const Json& object, const std::string& path) {
  std::string choices;  // "\"deferred\" or \"eager\""
  for (const Profile profile : kProfiles) {
    if (!choices.empty()) choices += " or ";
    choices += "\"" + std::string(profile_name(profile)) + "\"";
  }
  return read_name<Profile>(object, "profile", path, parse_profile, choices);
}

void read_schema_version(const Json& object, const std::string& path) {
  const std::uint64_t version = read_unsigned(object, "schema_version", path);
  if (version != kReportSchemaVersion) {
    input_error(join_path(path, "schema_version"),
                "this logoffcheck reads version " + std::to_string(kReportSchemaVersion) +
                    ", the document is version " + std::to_string(version));
  }
}

}  // namespace logoffcheck::json
