// A reference store that guards its count with a std::mutex and holds it
// through the final Release's work: what a careful provider written with a
// lock (a critical section on Windows) looks like. Bundled as
// `builtin:reference-mutex`: the tests and benchmarks of controlled schedules
// (docs/concurrency.md) play it to show that a thread waiting for a lock
// another holds is recognised as blocked, never as hung.
#pragma once

#include <mutex>

#include "reference_store.h"

namespace logoffcheck::providers {

class MutexStore final : public ReferenceStore {
 public:
  using ReferenceStore::ReferenceStore;
  ULONG AddRef() override {
    const std::lock_guard lock(mutex_);
    return ++count_;
  }
  ULONG Release() override {
    std::unique_lock lock(mutex_);
    const ULONG remaining = --count_;
    if (remaining == 0) {
      final_release();
      lock.unlock();
      delete this;
    }
    return remaining;
  }
  HRESULT StoreLogoff(ULONG* lpulFlags) override {
    const std::lock_guard lock(mutex_);
    return ReferenceStore::StoreLogoff(lpulFlags);
  }

  static IMsgStore* open(IMAPISupport* support) { return new MutexStore(support); }

 private:
  std::mutex mutex_;
  ULONG count_ = 1;
};

}  // namespace logoffcheck::providers
