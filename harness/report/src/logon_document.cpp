// A Windows DLL's logon trace in the report: the "logon_trace" array, one
// {"call", "result", "unsupported"} object per call (docs/report.md).
#include "json.h"

namespace logoffcheck::json {

Json logon_trace_json(const std::vector<LogonCall>& trace) {
  Json calls = Json::array();
  for (const LogonCall& call : trace) {
    calls.push_back(
        {{"call", call.call}, {"result", call.result}, {"unsupported", call.unsupported}});
  }
  return calls;
}

std::vector<LogonCall> read_logon_trace(const Json& value, const std::string& path) {
  expect_type(value.is_array(), value, path, "an array");
  std::vector<LogonCall> trace;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = index_path(path, i);
    expect_object(value[i], at, {"call", "result", "unsupported"});
    LogonCall call;
    call.call = read_string(value[i], "call", at);
    call.result = read_string(value[i], "result", at);
    call.unsupported = read_bool(value[i], "unsupported", at);
    if (call.call.empty()) input_error(join_path(at, "call"), "is empty");
    trace.push_back(std::move(call));
  }
  return trace;
}

}  // namespace logoffcheck::json
