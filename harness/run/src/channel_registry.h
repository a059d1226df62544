// Private to harness/run: the channels of the fork servers an isolating
// runner (isolation.cpp) has running, which every newly forked server must
// close (docs/isolation.md).
#pragma once

#include <mutex>
#include <vector>

namespace logoffcheck::isolation {

// The verifier's ends of the channels of every running fork server, one
// registry per process. A new server closes its copies of the others' ends:
// otherwise a runner's workers would not see their channel close when their
// runner stops.
class ChannelRegistry {
 public:
  void add(int channel) {
    const std::lock_guard lock(mutex_);
    channels_.push_back(channel);
  }
  void remove(int channel) {
    const std::lock_guard lock(mutex_);
    std::erase(channels_, channel);
  }
  std::vector<int> snapshot() const {
    const std::lock_guard lock(mutex_);
    return channels_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<int> channels_;
};

inline ChannelRegistry& running_channels() {
  static ChannelRegistry registry;
  return registry;
}

}  // namespace logoffcheck::isolation
