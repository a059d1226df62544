// What kind of provider a path is: a Windows DLL is recognised by its name
// and checked to be a Windows image here, before any Wine starts.
#include <cctype>
#include <filesystem>
#include <fstream>

#include "logoffcheck/windows_agent.h"

namespace logoffcheck {

namespace {

IMsgStore* refuse_in_process(IMAPISupport*) {
  throw ConfigurationError(
      "a Windows DLL cannot be called in this process: it runs under Wine, through a "
      "WindowsAgentRunner (make_runner picks one for a .dll)");
}

}  // namespace

bool is_windows_provider_path(std::string_view path) noexcept {
  if (path.size() < 4) return false;
  std::string tail(path.substr(path.size() - 4));
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".dll";
}

Provider Provider::windows_dll(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(path, error)) {
    throw ConfigurationError("cannot load provider '" + path + "': no such file");
  }
  if (!fs::is_regular_file(path, error)) {
    throw ConfigurationError("cannot load provider '" + path + "': not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {};
  in.read(magic, 2);
  if (!in || magic[0] != 'M' || magic[1] != 'Z') {
    throw ConfigurationError("cannot load provider '" + path +
                             "': not a Windows DLL (no MZ header)");
  }
  Provider provider(path, &refuse_in_process);
  provider.kind_ = ProviderKind::windows_dll;
  return provider;
}

}  // namespace logoffcheck
