#include <algorithm>
#include <array>
#include <vector>

#include "logoffcheck/builtin.h"
#include "mutants/mutants.h"
#include "reference/mutex_store.h"
#include "reference/reference_store.h"
#include "sdk_sample/sdk_sample_store.h"

namespace logoffcheck {

namespace {

const std::array kReferences = {
    BuiltinProvider{"reference",
                    "careful deferred-profile store: saves the last valid flag and logs the "
                    "transports off in its final Release",
                    &providers::open_reference_store, Profile::deferred, std::nullopt, 0, false},
    BuiltinProvider{"reference-eager",
                    "careful eager-profile store: StoreLogoff asks the spooler at once; the final "
                    "Release sends LOGOFF_ABORT only if StoreLogoff never did",
                    &providers::open_reference_eager_store, Profile::eager, std::nullopt, 0, false},
    BuiltinProvider{"reference-mutex",
                    "the deferred reference store with its count guarded by a std::mutex, held "
                    "through the final Release's work: a store that locks (--schedule controlled "
                    "sees its waits as blocked, never hung)",
                    &providers::MutexStore::open, Profile::deferred, std::nullopt, 0, false},
    BuiltinProvider{"sdk-sample",
                    "the MAPI SDK sample store's logoff: saves StoreLogoff's flags as given, "
                    "writes LOGOFF_COMPLETE back, passes the saved flags (LOGOFF_ABORT by "
                    "default) in its last Release (SHOULD: SL-3 under --strict)",
                    &providers::open_sdk_sample_store, Profile::deferred, std::nullopt, 0, false},
};

std::vector<BuiltinProvider> all_providers() {
  std::vector<BuiltinProvider> all(kReferences.begin(), kReferences.end());
  for (const auto mutants : {providers::functional_mutants(), providers::should_only_mutants(),
                             providers::fault_mutants(), providers::race_mutants(),
                             providers::several_store_mutants()}) {
    all.insert(all.end(), mutants.begin(), mutants.end());
  }
  std::sort(all.begin() + kReferences.size(), all.end(),
            [](const BuiltinProvider& a, const BuiltinProvider& b) { return a.name < b.name; });
  return all;
}

}  // namespace

std::span<const BuiltinProvider> builtin_providers() noexcept {
  static const std::vector<BuiltinProvider> all = all_providers();
  return all;
}

const BuiltinProvider* find_builtin_provider(std::string_view name) noexcept {
  for (const BuiltinProvider& provider : builtin_providers()) {
    if (provider.name == name) return &provider;
  }
  return nullptr;
}

}  // namespace logoffcheck
