#include "shared_case.h"

#include <sys/mman.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "logoffcheck/errors.h"

namespace logoffcheck::isolation {

namespace {

constexpr std::size_t round_up(std::size_t size, std::size_t alignment) {
  return (size + alignment - 1) / alignment * alignment;
}

}  // namespace

void SharedHeader::reset(std::uint32_t steps) noexcept {
  step_count = steps;
  phase.store(Phase::opening, std::memory_order_relaxed);
  observations.store(0, std::memory_order_relaxed);
  player.store(0, std::memory_order_relaxed);
  fresh_player.store(false, std::memory_order_relaxed);
  settling_after.store(0, std::memory_order_relaxed);
  returned_at_ns.store(0, std::memory_order_relaxed);
  memory_exhausted.store(false, std::memory_order_relaxed);
  address_space_at_fault.store(0, std::memory_order_relaxed);
  message[0] = '\0';
}

constexpr std::size_t kBatchHeaderSize = round_up(sizeof(BatchHeader), 64);

SharedCase::SharedCase(std::size_t step_capacity, std::size_t slots, std::size_t history_capacity)
    : step_capacity_(step_capacity),
      slots_(std::max<std::size_t>(1, slots)),
      steps_offset_(round_up(sizeof(SharedHeader), 64)),
      observations_offset_(round_up(steps_offset_ + step_capacity * sizeof(Step), 64)),
      slot_size_(round_up(observations_offset_ + observation_capacity() * sizeof(Observation), 64)),
      history_capacity_(history_capacity),
      history_offset_(kBatchHeaderSize + slots_ * slot_size_),
      size_(history_offset_ + history_capacity * sizeof(HistorySlot)) {
  // Shared anonymous memory costs a fork nothing: its page tables are not copied.
  void* memory = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    throw InternalError(std::string("isolation: cannot map shared memory: ") +
                        std::strerror(errno));
  }
  base_ = static_cast<std::byte*>(memory);
  new (base_) BatchHeader;
  for (std::size_t index = 0; index < slots_; ++index) new (slot(index)) SharedHeader;
  reset_history_slots(history_capacity_);
}

std::span<HistorySlot> SharedCase::history_slots() const noexcept {
  return {std::launder(reinterpret_cast<HistorySlot*>(base_ + history_offset_)), history_capacity_};
}

void SharedCase::reset_history_slots(std::size_t count) const noexcept {
  for (std::size_t index = 0; index < count && index < history_capacity_; ++index) {
    new (base_ + history_offset_ + index * sizeof(HistorySlot)) HistorySlot;
  }
}

SharedCase::~SharedCase() { munmap(base_, size_); }

std::byte* SharedCase::slot(std::size_t index) const noexcept {
  return base_ + kBatchHeaderSize + index * slot_size_;
}

BatchHeader& SharedCase::batch() const noexcept {
  return *std::launder(reinterpret_cast<BatchHeader*>(base_));
}

SharedHeader& SharedCase::header(std::size_t index) const noexcept {
  return *std::launder(reinterpret_cast<SharedHeader*>(slot(index)));
}

Step* SharedCase::steps(std::size_t index) const noexcept {
  return reinterpret_cast<Step*>(slot(index) + steps_offset_);
}

Observation* SharedCase::observations(std::size_t index) const noexcept {
  return reinterpret_cast<Observation*>(slot(index) + observations_offset_);
}

bool send_message(int channel, const Message& message) noexcept {
  ssize_t sent;
  do {
    sent = send(channel, &message, sizeof message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent == static_cast<ssize_t>(sizeof message);
}

}  // namespace logoffcheck::isolation
