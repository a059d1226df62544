// Private to harness/run: the pipe a fork server's workers write their
// stdout and stderr into, and the bounded tail of it the verifier keeps for
// the case being played (docs/isolation.md).
#pragma once

#include <cstdint>
#include <string>

namespace logoffcheck::isolation {

class OutputCapture {
 public:
  // Opens the pipe. Throws InternalError.
  OutputCapture();
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  // The end the verifier reads (non-blocking) and the end workers write.
  int read_end() const noexcept { return read_end_; }
  int write_end() const noexcept { return write_end_; }
  // Closes the write end in this process (the verifier keeps only the other).
  void close_write_end() noexcept;

  // Starts the capture of a new case.
  void start_case() noexcept;
  // Reads whatever the pipe holds now into the case's tail.
  void drain() noexcept;
  // The case's tail (printable: other bytes become '?') and byte count.
  std::string tail() const;
  std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  int read_end_ = -1;
  int write_end_ = -1;
  std::string ring_;  // the last bytes, oldest at `ring_start_` once full
  std::size_t ring_start_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace logoffcheck::isolation
