// Finding Wine, its prefix and the agent (WineSetup::locate), and starting
// Windows programs under Wine: the part of the Windows agent that knows Wine,
// not the agent's protocol.
#include "wine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>

#include "logoffcheck/sandbox.h"
#include "logoffcheck/windows_agent.h"

namespace logoffcheck {
namespace windows_agent {

namespace fs = std::filesystem;

namespace {

// A prefix being created may take this long.
constexpr auto kPrefixTimeout = std::chrono::seconds(180);

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool executable(const fs::path& path) {
  return ::access(path.c_str(), X_OK) == 0 && fs::is_regular_file(path);
}

std::optional<fs::path> on_path(std::string_view name) {
  const std::string path = environment("PATH");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const fs::path candidate = fs::path(path.substr(start, end - start)) / name;
    if (end > start && executable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

constexpr std::string_view kInstallWine =
    "certifying a Windows DLL needs Wine (64-bit): on Debian, apt-get install wine wine64 "
    "(scripts/setup does), or point LOGOFFCHECK_WINE at a Wine loader";

constexpr std::string_view kInstallWine32 =
    "certifying a 32-bit Windows DLL needs Wine's 32-bit loader: on Debian, dpkg "
    "--add-architecture i386 && apt-get update && apt-get install wine32:i386 (scripts/setup "
    "does), or point LOGOFFCHECK_WINE32 at a 32-bit Wine loader";

fs::path find_wine(int bits) {
  const char* variable = bits == 32 ? "LOGOFFCHECK_WINE32" : "LOGOFFCHECK_WINE";
  const std::string_view install = bits == 32 ? kInstallWine32 : kInstallWine;
  if (const std::string chosen = environment(variable); !chosen.empty()) {
    if (!executable(chosen)) {
      throw ConfigurationError(std::string(variable) + "=" + chosen + " is not an executable; " +
                               std::string(install));
    }
    return chosen;
  }
  if (bits == 32) {
    // Debian's wine32 package: the 32-bit loader, beside its wineserver.
    if (executable("/usr/lib/wine/wine") && executable("/usr/lib/wine/wineserver32")) {
      return "/usr/lib/wine/wine";
    }
    throw ConfigurationError("Wine's 32-bit loader is not installed: " + std::string(install));
  }
  if (executable("/usr/lib/wine/wine64")) return "/usr/lib/wine/wine64";
  for (const std::string_view name : {"wine64", "wine"}) {
    if (auto found = on_path(name)) return *found;
  }
  throw ConfigurationError("Wine is not installed: " + std::string(install));
}

fs::path find_agent(int bits) {
  const char* variable = bits == 32 ? "LOGOFFCHECK_WINDOWS_AGENT32" : "LOGOFFCHECK_WINDOWS_AGENT";
  const std::string file = bits == 32 ? "logoffcheck-agent32.exe" : "logoffcheck-agent.exe";
  if (const std::string chosen = environment(variable); !chosen.empty()) {
    if (!fs::is_regular_file(chosen)) {
      throw ConfigurationError(std::string(variable) + "=" + chosen + ": no such file");
    }
    return chosen;
  }
  std::vector<fs::path> candidates;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(self.parent_path() / file);
    candidates.push_back(self.parent_path().parent_path() / "lib" / "logoffcheck" / file);
  }
#if defined(LOGOFFCHECK_WINDOWS_AGENT_PATH) && defined(LOGOFFCHECK_WINDOWS_AGENT32_PATH)
  candidates.emplace_back(bits == 32 ? LOGOFFCHECK_WINDOWS_AGENT32_PATH
                                     : LOGOFFCHECK_WINDOWS_AGENT_PATH);
#endif
  for (const fs::path& candidate : candidates) {
    if (fs::is_regular_file(candidate, error)) return candidate;
  }
  throw ConfigurationError(
      "the " + std::string(bits == 32 ? "32-bit " : "") + "Windows agent (" + file +
      ") was not built: install the mingw-w64 cross compiler (Debian: apt-get install " +
      (bits == 32 ? "g++-mingw-w64-i686" : "g++-mingw-w64-x86-64") +
      ", or run scripts/setup) and rebuild logoffcheck, or point " + variable + " at the agent");
}

fs::path prefix_path() {
  if (const std::string chosen = environment("LOGOFFCHECK_WINEPREFIX"); !chosen.empty()) {
    return chosen;
  }
  if (const std::string cache = environment("XDG_CACHE_HOME"); !cache.empty()) {
    return fs::path(cache) / "logoffcheck" / "wine";
  }
  const std::string home = environment("HOME");
  if (home.empty()) {
    throw ConfigurationError(
        "no place for the Wine prefix: set LOGOFFCHECK_WINEPREFIX, XDG_CACHE_HOME or HOME");
  }
  return fs::path(home) / ".cache" / "logoffcheck" / "wine";
}

}  // namespace

// Mono and Gecko are not offered: a prefix for MAPI stores needs neither.
std::vector<std::string> wine_environment(const fs::path& wine, const fs::path& prefix) {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("WINEPREFIX=") || text.starts_with("WINEDEBUG=") ||
        text.starts_with("WINEDLLOVERRIDES=") || text.starts_with("WINELOADER=") ||
        text.starts_with("DISPLAY=") || text.starts_with("WAYLAND_DISPLAY=")) {
      continue;
    }
    variables.emplace_back(text);
  }
  variables.push_back("WINEPREFIX=" + prefix.string());
  variables.push_back("WINEDEBUG=-all");
  variables.push_back("WINEDLLOVERRIDES=mscoree,mshtml=");
  variables.push_back("WINELOADER=" + wine.string());
  return variables;
}

int stderr_file() {
  FILE* file = std::tmpfile();
  if (file == nullptr) throw InternalError("windows agent: cannot create a temporary file");
  const int fd = ::dup(fileno(file));
  std::fclose(file);
  return fd;
}

std::string tail_of(int fd) {
  std::string text;
  char buffer[4096];
  ::lseek(fd, 0, SEEK_SET);
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(got));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text;
}

void ensure_wine_server(const fs::path& wine, const fs::path& prefix) {
  // The prefix is 64-bit (wineboot made it with the 64-bit loader), and a
  // 32-bit server refuses it: 32-bit agents share the 64-bit one too.
  const fs::path folder = wine.parent_path();
  fs::path server;
  for (const char* name : {"wineserver64", "wineserver", "wineserver32"}) {
    server = folder / name;
    if (executable(server)) break;
  }
  if (const std::string chosen = environment("WINESERVER"); !chosen.empty()) server = chosen;
  if (!executable(server)) {
    throw ConfigurationError("no Wine server beside " + wine.string() +
                             " to start outside the sandbox: set WINESERVER, or use "
                             "--sandbox off");
  }
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const pid_t pid =
      spawn({server.string(), "-p30"}, wine_environment(wine, prefix), null, null, null);
  ::close(null);
  // It returns once the server is ready (or found one running).
  wait_for(pid, Clock::now() + std::chrono::seconds(30));
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int stdin_fd,
            int stdout_fd, int error_fd, bool sandboxed, const std::vector<std::string>& writable) {
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);
  std::vector<char*> variables;
  for (const std::string& variable : env) variables.push_back(const_cast<char*>(variable.c_str()));
  variables.push_back(nullptr);
  std::vector<const char*> folders;
  for (const std::string& folder : writable) folders.push_back(folder.c_str());
  const std::string failure_prefix = "logoffcheck: ";
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    throw InternalError(std::string("windows agent: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(stdin_fd, 0);
    ::dup2(stdout_fd, 1);
    ::dup2(error_fd, 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    SandboxStep failed{};
    if (sandboxed && (!enter_namespaces(false, failed) || !seal_file_system(folders, failed))) {
      const std::string why = failure_prefix + sandbox_failure(failed, errno) + "\n";
      if (::write(2, why.data(), why.size()) < 0) ::_exit(126);
      ::_exit(126);
    }
    ::execve(arguments[0], arguments.data(), variables.data());
    ::_exit(127);
  }
  return pid;
}

int wait_for(pid_t pid, Clock::time_point deadline) {
  int status = 0;
  for (;;) {
    const pid_t ended = ::waitpid(pid, &status, WNOHANG);
    if (ended == pid) return status;
    if (ended < 0 && errno != EINTR) return 0;
    if (Clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    ::usleep(2000);
  }
}

namespace {

// A prefix wineboot has set up (Wine writes its registry files later, when
// the wineserver exits, so the verifier leaves its own mark).
bool prefix_ready(const fs::path& prefix) {
  return fs::exists(prefix / ".logoffcheck-ready") || fs::exists(prefix / "system.reg");
}

// Creates the prefix once per user: concurrent verifiers wait on a lock
// while the first one runs wineboot.
void ensure_prefix(const fs::path& wine, const fs::path& prefix) {
  if (prefix_ready(prefix)) return;
  std::error_code error;
  fs::create_directories(prefix.parent_path(), error);
  if (error) {
    throw ConfigurationError("cannot create the Wine prefix's folder " +
                             prefix.parent_path().string() + ": " + error.message());
  }
  const std::string lock_path = prefix.string() + ".lock";
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    throw ConfigurationError("cannot lock " + lock_path + ": " + std::strerror(errno));
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  if (prefix_ready(prefix)) return;
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const int errors = stderr_file();
  const pid_t pid = spawn({wine.string(), "wineboot", "--init"}, wine_environment(wine, prefix),
                          null_fd, null_fd, errors);
  ::close(null_fd);
  const int status = wait_for(pid, Clock::now() + kPrefixTimeout);
  const std::string output = tail_of(errors);
  ::close(errors);
  if (status != 0 || !fs::exists(prefix / "drive_c")) {
    throw ConfigurationError(
        "Wine could not create its prefix at " + prefix.string() +
        (status < 0
             ? " (wineboot did not finish)"
             : " (wineboot exited with status " + std::to_string(WEXITSTATUS(status)) + ")") +
        (output.empty() ? "" : ": " + output) +
        "; check that wine and wine64 are installed (scripts/setup), remove the folder and "
        "retry, or set LOGOFFCHECK_WINEPREFIX");
  }
  std::ofstream(prefix / ".logoffcheck-ready") << "created by logoffcheck with wineboot --init\n";
}

}  // namespace

std::string windows_path(const fs::path& path) {
  std::string text = "Z:" + path.string();
  std::replace(text.begin(), text.end(), '/', '\\');
  return text;
}

std::string hex(std::uint64_t value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%0*llX", digits, static_cast<unsigned long long>(value));
  return text;
}

}  // namespace windows_agent

WineSetup WineSetup::locate(int bits) {
  using namespace windows_agent;
  WineSetup setup;
  setup.bits = bits;
  setup.wine = find_wine(bits);
  setup.agent = find_agent(bits);
  setup.prefix = prefix_path();
  ensure_prefix(setup.wine, setup.prefix);
  return setup;
}

}  // namespace logoffcheck
