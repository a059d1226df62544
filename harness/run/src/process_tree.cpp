#include "process_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace logoffcheck::isolation {

namespace {

// A store that forks faster than it is killed is still ended: each round
// kills every child there is, and a round never waits long. The bound only
// keeps a pathological fork loop from holding the case forever.
constexpr int kMaxRounds = 1000;

bool has_children() noexcept {
  siginfo_t info{};
  // WNOWAIT: only asks; ECHILD means there is no child at all.
  return waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD;
}

// Calls `visit(pid)` for each child of each thread of this process
// (/proc/self/task/TID/children lists the children of one thread).
template <typename Visit>
void for_each_child(Visit&& visit) noexcept {
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return;
  while (const dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    char path[320];
    std::snprintf(path, sizeof path, "/proc/self/task/%s/children", task->d_name);
    const int file = open(path, O_RDONLY | O_CLOEXEC);
    if (file < 0) continue;
    char text[4096];
    const ssize_t length = read(file, text, sizeof text - 1);
    close(file);
    if (length <= 0) continue;
    text[length] = '\0';
    char* cursor = text;
    while (*cursor != '\0') {
      char* end = nullptr;
      const long pid = std::strtol(cursor, &end, 10);
      if (end == cursor) break;
      visit(static_cast<pid_t>(pid));
      cursor = end;
    }
  }
  closedir(tasks);
}

}  // namespace

bool die_with_parent(pid_t parent) noexcept {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  return getppid() == parent;
}

void adopt_orphans() noexcept { prctl(PR_SET_CHILD_SUBREAPER, 1); }

void end_children_except(std::span<const pid_t> keep) noexcept {
  const auto kept = [&](pid_t pid) {
    return std::find(keep.begin(), keep.end(), pid) != keep.end();
  };
  for (int round = 0; round < kMaxRounds && has_children(); ++round) {
    std::vector<pid_t> ended;
    for_each_child([&](pid_t child) {
      if (!kept(child)) ended.push_back(child);
    });
    if (ended.empty()) return;  // only `keep` are left
    for (const pid_t child : ended) kill(child, SIGKILL);
    // Reaps only what it killed: how a kept child ended is its owner's news.
    // A killed child's own children re-parent here, for the next round.
    for (const pid_t child : ended) {
      while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
}

std::size_t thread_count() noexcept {
  // The link count of /proc/self/task is 2 plus the threads: one fstat of a
  // directory kept open, far cheaper than reading /proc/self/stat. A store
  // may close it or put another file in its place, so anything but a
  // directory with at least three links opens it again.
  static int task_directory = -1;
  struct stat status {};
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (task_directory < 0 || attempt == 1) {
      if (task_directory >= 0) close(task_directory);
      task_directory = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (task_directory < 0) return 0;
    }
    if (fstat(task_directory, &status) == 0 && S_ISDIR(status.st_mode) && status.st_nlink > 2) {
      return static_cast<std::size_t>(status.st_nlink - 2);
    }
  }
  return 0;
}

}  // namespace logoffcheck::isolation
