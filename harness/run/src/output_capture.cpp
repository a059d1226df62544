#include "output_capture.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "logoffcheck/case.h"
#include "logoffcheck/errors.h"

namespace logoffcheck::isolation {

OutputCapture::OutputCapture() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) {
    throw InternalError(std::string("isolation: cannot open the output pipe: ") +
                        std::strerror(errno));
  }
  read_end_ = ends[0];
  write_end_ = ends[1];
  fcntl(read_end_, F_SETFL, fcntl(read_end_, F_GETFL) | O_NONBLOCK);
  ring_.reserve(kProviderOutputTail);
}

OutputCapture::~OutputCapture() {
  close(read_end_);
  close_write_end();
}

void OutputCapture::close_write_end() noexcept {
  if (write_end_ >= 0) close(write_end_);
  write_end_ = -1;
}

void OutputCapture::start_case() noexcept {
  // What a store's stray thread wrote between cases is drained into the
  // next case's capture, as it is read: no read here, on the fast path.
  ring_.clear();
  ring_start_ = 0;
  bytes_ = 0;
}

void OutputCapture::drain() noexcept {
  char buffer[16384];
  for (;;) {
    const ssize_t length = read(read_end_, buffer, sizeof buffer);
    if (length < 0 && errno == EINTR) continue;
    if (length <= 0) return;
    bytes_ += static_cast<std::uint64_t>(length);
    for (ssize_t i = 0; i < length; ++i) {
      if (ring_.size() < kProviderOutputTail) {
        ring_.push_back(buffer[i]);
      } else {
        ring_[ring_start_] = buffer[i];
        ring_start_ = (ring_start_ + 1) % kProviderOutputTail;
      }
    }
  }
}

std::string OutputCapture::tail() const {
  std::string text = ring_.substr(ring_start_) + ring_.substr(0, ring_start_);
  // Reports are UTF-8 JSON and terminal text: show only what is surely
  // printable, and no escape sequences.
  for (char& c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte != '\n' && byte != '\t' && (byte < 0x20 || byte > 0x7e)) c = '?';
  }
  return text;
}

}  // namespace logoffcheck::isolation
