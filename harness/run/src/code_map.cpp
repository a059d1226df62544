#include "code_map.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace logoffcheck::detail {

namespace {

// The bundled providers' namespace, as it appears in mangled names.
constexpr const char* kProvidersNamespace = "11logoffcheck9providers";

// "logoffcheck::providers::(anonymous namespace)::Store::Release()" reads
// "Store::Release".
std::string short_name(const char* mangled) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled != nullptr ? demangled : mangled;
  std::free(demangled);
  for (const std::string noise : {"logoffcheck::providers::", "(anonymous namespace)::"}) {
    for (std::size_t at; (at = name.find(noise)) != std::string::npos;)
      name.erase(at, noise.size());
  }
  if (const std::size_t paren = name.find('('); paren != std::string::npos && paren > 0) {
    name.erase(paren);
  }
  return name;
}

// The functions of the ELF file at `path` loaded at `base`: the symbol
// table, or the dynamic one when the file is stripped. `only` keeps the
// mangled names that contain it.
std::vector<CodeMap::Range> functions(const std::string& path, std::uint64_t base,
                                      const char* only) {
  std::vector<CodeMap::Range> found;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return found;
  struct stat info {};
  fstat(fd, &info);
  const std::size_t size = static_cast<std::size_t>(info.st_size);
  void* mapped =
      size >= sizeof(Elf64_Ehdr) ? mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  close(fd);
  if (mapped == MAP_FAILED) return found;
  const auto* bytes = static_cast<const unsigned char*>(mapped);
  const auto* header = reinterpret_cast<const Elf64_Ehdr*>(bytes);
  const bool elf64 = std::memcmp(header->e_ident, ELFMAG, SELFMAG) == 0 &&
                     header->e_ident[EI_CLASS] == ELFCLASS64 &&
                     header->e_shoff + header->e_shnum * sizeof(Elf64_Shdr) <= size;
  if (elf64) {
    const auto* sections = reinterpret_cast<const Elf64_Shdr*>(bytes + header->e_shoff);
    for (const std::uint32_t wanted : {SHT_SYMTAB, SHT_DYNSYM}) {
      for (std::size_t s = 0; s < header->e_shnum && found.empty(); ++s) {
        const Elf64_Shdr& table = sections[s];
        if (table.sh_type != wanted || table.sh_link >= header->e_shnum) continue;
        const Elf64_Shdr& strings = sections[table.sh_link];
        if (table.sh_offset + table.sh_size > size || strings.sh_offset + strings.sh_size > size) {
          continue;
        }
        const auto* symbols = reinterpret_cast<const Elf64_Sym*>(bytes + table.sh_offset);
        const char* names = reinterpret_cast<const char*>(bytes + strings.sh_offset);
        for (std::size_t i = 0; i < table.sh_size / sizeof(Elf64_Sym); ++i) {
          const Elf64_Sym& symbol = symbols[i];
          if (ELF64_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_size == 0 ||
              symbol.st_value == 0 || symbol.st_name >= strings.sh_size) {
            continue;
          }
          const char* name = names + symbol.st_name;
          if (only != nullptr && std::strstr(name, only) == nullptr) continue;
          const std::uint64_t begin = base + symbol.st_value;
          found.push_back({begin, begin + symbol.st_size, short_name(name)});
        }
      }
      if (!found.empty()) break;
    }
  }
  munmap(mapped, size);
  std::sort(found.begin(), found.end(),
            [](const CodeMap::Range& a, const CodeMap::Range& b) { return a.begin < b.begin; });
  return found;
}

// The executable mappings of `path` in this process.
std::vector<CodeMap::Range> executable_mappings(const std::string& path) {
  std::vector<CodeMap::Range> ranges;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string span, permissions, offset, device, inode, file;
    fields >> span >> permissions >> offset >> device >> inode >> file;
    if (file != path || permissions.size() < 3 || permissions[2] != 'x') continue;
    const std::size_t dash = span.find('-');
    ranges.push_back({std::stoull(span.substr(0, dash), nullptr, 16),
                      std::stoull(span.substr(dash + 1), nullptr, 16), ""});
  }
  return ranges;
}

// The file mapped at `address` in this process, as /proc/self/maps names it
// (dladdr names the main program as it was invoked, which may be no path).
std::string mapped_file(std::uint64_t address) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string span, permissions, offset, device, inode, file;
    fields >> span >> permissions >> offset >> device >> inode >> file;
    const std::size_t dash = span.find('-');
    if (dash == std::string::npos) continue;
    const std::uint64_t begin = std::stoull(span.substr(0, dash), nullptr, 16);
    const std::uint64_t end = std::stoull(span.substr(dash + 1), nullptr, 16);
    if (address >= begin && address < end) return file;
  }
  return "";
}

}  // namespace

CodeMap CodeMap::of(const Provider& provider) {
  if (provider.kind() == ProviderKind::windows_dll) {
    throw ConfigurationError(
        "--schedule controlled plays native providers only, not a Windows "
        "DLL under Wine: use --schedule free");
  }
  Dl_info where{};
  const auto open = reinterpret_cast<const void*>(provider.open_store_function());
  if (dladdr(open, &where) == 0 || where.dli_fname == nullptr) {
    throw ConfigurationError("--schedule controlled cannot find the code of provider '" +
                             provider.name() + "'");
  }
  const std::string file = mapped_file(reinterpret_cast<std::uint64_t>(open));
  const auto base = reinterpret_cast<std::uint64_t>(where.dli_fbase);
  CodeMap map;
  if (provider.kind() == ProviderKind::linked) {
    map.symbols_ = functions(file, base, kProvidersNamespace);
    map.code_ = map.symbols_;
  } else {
    map.symbols_ = functions(file, base, nullptr);
    map.code_ = executable_mappings(file);
  }
  if (map.code_.empty()) {
    throw ConfigurationError("--schedule controlled cannot tell the code of provider '" +
                             provider.name() + "' from the verifier's in " + file +
                             " (a linked provider must be in namespace logoffcheck::providers, "
                             "and the binary keep its symbol table)");
  }
  return map;
}

bool CodeMap::contains(std::uint64_t address) const noexcept {
  auto after = std::upper_bound(code_.begin(), code_.end(), address,
                                [](std::uint64_t a, const Range& r) { return a < r.begin; });
  return after != code_.begin() && address < std::prev(after)->end;
}

std::string CodeMap::describe(std::uint64_t address) const {
  auto after = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                                [](std::uint64_t a, const Range& r) { return a < r.begin; });
  char text[64];
  if (after != symbols_.begin() && address < std::prev(after)->end) {
    std::snprintf(text, sizeof text, "+0x%llx",
                  static_cast<unsigned long long>(address - std::prev(after)->begin));
    return std::prev(after)->name + text;
  }
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(address));
  return text;
}

}  // namespace logoffcheck::detail
