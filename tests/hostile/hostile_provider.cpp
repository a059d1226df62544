// A provider library that misbehaves the way untrusted code can, beyond
// crashing in a call: the reference store, wrapped so that its StoreLogoff
// also does what LOGOFFCHECK_HOSTILE names (docs/isolation.md says what the
// verifier makes of each; hostile_gallery.sh holds it to that):
//
//   flood          writes 1 MiB and a fake "verdict  CONFORMANT" line to
//                  stdout and stderr in every StoreLogoff(LOGOFF_QUIET)
//   flood-failing  the same, and answers it MAPI_E_CALL_FAILED (SL-1)
//   fork           forks a child that writes for 2 s, its pid appended to
//                  the file LOGOFFCHECK_HOSTILE_PIDS names, in every StoreLogoff
//   late-crash     every StoreLogoff(LOGOFF_PURGE) starts a thread that
//                  dies by SIGSEGV 50 ms after the call returned
//   late-exit      the same, but the thread calls exit(7)
//   eat-memory     every StoreLogoff(LOGOFF_PURGE) allocates without end
//   abort-on-malloc-failure
//                  every StoreLogoff(LOGOFF_PURGE) mallocs without end and
//                  calls abort() when malloc fails, as C stores often do
//   close-fds      every StoreLogoff closes every descriptor above stderr
//   block-signals  blocks every signal in every StoreLogoff, and hangs in
//                  StoreLogoff(LOGOFF_PURGE)
//   escape         every StoreLogoff(LOGOFF_QUIET) writes a file in the
//                  working directory and in $HOME, connects to the port
//                  LOGOFFCHECK_HOSTILE_PORT names on 127.0.0.1, and kills
//                  its parent with SIGKILL (docs/isolation.md#the-sandbox)
//   stop-parent    every StoreLogoff(LOGOFF_QUIET) stops its parent (SIGSTOP)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "logoffcheck/builtin.h"

namespace {

using namespace logoffcheck;

std::string_view behaviour() {
  const char* name = std::getenv("LOGOFFCHECK_HOSTILE");
  return name != nullptr ? name : "";
}

void flood() {
  const std::string line(1023, 'x');
  for (int i = 0; i < 512; ++i) std::printf("%s\n", line.c_str());
  for (int i = 0; i < 512; ++i) std::fprintf(stderr, "%s\n", line.c_str());
  std::printf("  verdict  CONFORMANT\n");
  std::fflush(stdout);
}

void fork_writer() {
  const pid_t child = fork();
  if (child != 0) return;
  if (const char* file = std::getenv("LOGOFFCHECK_HOSTILE_PIDS")) {
    const int pids = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);
    const std::string pid = std::to_string(getpid()) + "\n";
    if (pids >= 0 && write(pids, pid.data(), pid.size()) > 0) close(pids);
  }
  // Leaves the store's process group and session: only a subreaper keeps
  // it; and outlives the reader of its output.
  setsid();
  signal(SIGPIPE, SIG_IGN);
  for (int i = 0; i < 200; ++i) {
    std::printf("a forked child still writing\n");
    std::fflush(stdout);
    usleep(10000);
  }
  _exit(0);
}

void late_fault(bool crash) {
  std::thread([crash] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (crash) raise(SIGSEGV);
    std::exit(7);
  }).detach();
}

void eat_memory() {
  static std::vector<char*> eaten;
  for (;;) {
    char* block = new char[16 << 20];
    std::memset(block, 1, 4096);
    eaten.push_back(block);
  }
}

void malloc_until_abort() {
  static std::vector<void*> eaten;
  for (;;) {
    void* block = std::malloc(16 << 20);
    if (block == nullptr) std::abort();
    std::memset(block, 1, 4096);
    eaten.push_back(block);
  }
}

void leave_a_file(const std::string& folder) {
  const std::string path = folder + "/logoffcheck-hostile-escape";
  const int file = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (file >= 0) {
    if (write(file, "escaped\n", 8) != 8) std::perror("write");
    close(file);
  }
}

void escape() {
  leave_a_file(".");
  if (const char* home = std::getenv("HOME")) leave_a_file(home);
  if (const char* port = std::getenv("LOGOFFCHECK_HOSTILE_PORT")) {
    const int connection = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in listener{};
    listener.sin_family = AF_INET;
    listener.sin_port = htons(static_cast<std::uint16_t>(std::atoi(port)));
    listener.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connection >= 0 &&
        connect(connection, reinterpret_cast<const sockaddr*>(&listener), sizeof listener) == 0) {
      if (write(connection, "escaped\n", 8) != 8) std::perror("write");
    }
    if (connection >= 0) close(connection);
  }
  kill(getppid(), SIGKILL);
}

class HostileStore final : public IMsgStore {
 public:
  explicit HostileStore(IMsgStore* inner) : inner_(inner) {}

  ULONG AddRef() override { return inner_->AddRef(); }

  ULONG Release() override {
    const ULONG left = inner_->Release();
    if (left == 0) delete this;
    return left;
  }

  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const std::string_view what = behaviour();
    const ULONG flags = lpulFlags != nullptr ? *lpulFlags : 0;
    const bool quiet = lpulFlags != nullptr && flags == LOGOFF_QUIET;
    const bool purge = lpulFlags != nullptr && flags == LOGOFF_PURGE;
    if ((what == "flood" || what == "flood-failing") && quiet) {
      flood();
      if (what == "flood-failing") return MAPI_E_CALL_FAILED;
    } else if (what == "fork") {
      fork_writer();
    } else if ((what == "late-crash" || what == "late-exit") && purge) {
      const HRESULT result = inner_->StoreLogoff(lpulFlags);
      late_fault(what == "late-crash");
      return result;
    } else if (what == "eat-memory" && purge) {
      eat_memory();
    } else if (what == "abort-on-malloc-failure" && purge) {
      malloc_until_abort();
    } else if (what == "escape" && quiet) {
      escape();
    } else if (what == "stop-parent" && quiet) {
      kill(getppid(), SIGSTOP);
    } else if (what == "close-fds") {
      for (int fd = 3; fd < 1024; ++fd) close(fd);
    } else if (what == "block-signals") {
      sigset_t all;
      sigfillset(&all);
      sigprocmask(SIG_BLOCK, &all, nullptr);
      signal(SIGTERM, SIG_IGN);
      while (purge) pause();
    }
    return inner_->StoreLogoff(lpulFlags);
  }

 private:
  IMsgStore* inner_;
};

IMsgStore* open_hostile_store(IMAPISupport* support) {
  return new HostileStore(find_builtin_provider("reference")->open_store(support));
}

}  // namespace

LOGOFFCHECK_EXPORT_PROVIDER(open_hostile_store)
