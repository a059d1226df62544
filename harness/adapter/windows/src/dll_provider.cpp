// What kind of provider a path is: a Windows DLL is recognised by its name
// and checked to be a Windows image here, before any Wine starts.
#include <cctype>
#include <cstdio>
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

int windows_dll_bits(const std::filesystem::path& dll) {
  const std::string name = dll.string();
  std::ifstream in(dll, std::ios::binary);
  unsigned char header[64] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  if (!in || header[0] != 'M' || header[1] != 'Z') {
    throw ConfigurationError("cannot load provider '" + name +
                             "': not a Windows DLL (no MZ header)");
  }
  // e_lfanew, then "PE\0\0" and the COFF header's Machine.
  const std::uint32_t pe = header[0x3C] | header[0x3D] << 8 | header[0x3E] << 16 |
                           static_cast<std::uint32_t>(header[0x3F]) << 24;
  unsigned char signature[6] = {};
  in.seekg(pe);
  in.read(reinterpret_cast<char*>(signature), sizeof signature);
  if (!in || signature[0] != 'P' || signature[1] != 'E' || signature[2] != 0 || signature[3] != 0) {
    throw ConfigurationError("cannot load provider '" + name +
                             "': not a Windows DLL (no PE header)");
  }
  const unsigned machine = signature[4] | signature[5] << 8;
  if (machine == 0x8664) return 64;
  if (machine == 0x014C) return 32;
  char code[8];
  std::snprintf(code, sizeof code, "0x%04X", machine);
  throw ConfigurationError("cannot load provider '" + name + "': a Windows DLL for machine " +
                           code + "; logoffcheck certifies x64 and i686 (32-bit) DLLs");
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
  windows_dll_bits(path);
  Provider provider(path, &refuse_in_process);
  provider.kind_ = ProviderKind::windows_dll;
  return provider;
}

}  // namespace logoffcheck
