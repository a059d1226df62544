// Hostile providers through the library (docs/isolation.md): what the
// isolating runner makes of a store's output, of a thread that crashes after
// its call returned, and of unbounded allocation; how the engine reports a
// failure that does not recur; and how the documents keep both.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "logoffcheck/builtin.h"
#include "logoffcheck/document.h"
#include "logoffcheck/engine.h"
#include "logoffcheck/in_process.h"
#include "logoffcheck/isolation.h"
#include "logoffcheck/runner.h"
#include "logoffcheck/sanitizers.h"

namespace logoffcheck {
namespace {

IMsgStore* open_reference(IMAPISupport* support) {
  return find_builtin_provider("reference")->open_store(support);
}

// The reference store, with a StoreLogoff that first does `Before`.
template <void (*Before)(ULONG flags)>
class Wrapped final : public IMsgStore {
 public:
  explicit Wrapped(IMAPISupport* support) : inner_(open_reference(support)) {}
  ULONG AddRef() override { return inner_->AddRef(); }
  ULONG Release() override {
    const ULONG left = inner_->Release();
    if (left == 0) delete this;
    return left;
  }
  HRESULT StoreLogoff(ULONG* flags) override {
    Before(flags != nullptr ? *flags : 0);
    return inner_->StoreLogoff(flags);
  }

 private:
  IMsgStore* inner_;
};

template <void (*Before)(ULONG flags)>
IMsgStore* open_wrapped(IMAPISupport* support) {
  return new Wrapped<Before>(support);
}

void print(ULONG) {
  std::printf("to stdout\n");
  std::fprintf(stderr, "to stderr\n");
}

void crash_later(ULONG flags) {
  if (flags != LOGOFF_PURGE) return;
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    raise(SIGSEGV);
  }).detach();
}

void allocate_without_end(ULONG flags) {
  if (flags != LOGOFF_PURGE) return;
  static std::vector<char*> eaten;
  for (;;) eaten.push_back(new char[8 << 20]);
}

TEST(HostileProvider, WhatAStorePrintsIsCapturedPerCase) {
  IsolatingRunner runner(Provider("printing", &open_wrapped<&print>), {}, IsolationOptions{});
  const CaseResult printed = runner.run(std::vector<Step>{store_logoff(LOGOFF_NO_WAIT)});
  EXPECT_FALSE(printed.failed());
  EXPECT_EQ(printed.provider_output_bytes, 20u);
  EXPECT_NE(printed.provider_output.find("to stdout\n"), std::string::npos);
  EXPECT_NE(printed.provider_output.find("to stderr\n"), std::string::npos);
  // The next case starts with an empty capture.
  const CaseResult silent = runner.run(std::vector<Step>{add_ref()});
  EXPECT_EQ(silent.provider_output_bytes, 0u);
  EXPECT_TRUE(silent.provider_output.empty());
}

TEST(HostileProvider, AThreadThatCrashesAfterTheCallReturnedIsThatCallsFault) {
  IsolatingRunner runner(Provider("late", &open_wrapped<&crash_later>), {}, IsolationOptions{});
  // Cases that start no thread first, so that the crash happens in a worker
  // that has played others.
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(runner.run(std::vector<Step>{store_logoff(LOGOFF_NO_WAIT)}).failed());
  }
  const CaseResult result =
      runner.run(std::vector<Step>{add_ref(), store_logoff(LOGOFF_PURGE), add_ref()});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.violation->clause, ClauseId::RC_3);
  EXPECT_EQ(result.violation_step, 1u) << "attributed to StoreLogoff, not to a later call";
  const Observation& observed = result.records.at(1).observed;
  EXPECT_EQ(observed.outcome, CallOutcome::signaled);
  EXPECT_EQ(observed.fault_detail, SIGSEGV);
  EXPECT_TRUE(observed.fault_after_return);
  EXPECT_GE(observed.fault_delay_ms, 25u);
  EXPECT_NE(result.violation->observed.find("ms after it returned"), std::string::npos)
      << result.violation->observed;
}

TEST(HostileProvider, AllocationBeyondTheMemoryLimitNamesTheLimit) {
#if defined(LOGOFFCHECK_ASAN)
  GTEST_SKIP() << "AddressSanitizer's shadow memory exceeds any address-space limit";
#endif
  IsolationOptions isolation;
  isolation.memory_limit_mb = 256;
  IsolatingRunner runner(Provider("hungry", &open_wrapped<&allocate_without_end>), {}, isolation);
  const CaseResult result = runner.run(std::vector<Step>{store_logoff(LOGOFF_PURGE)});
  ASSERT_TRUE(result.failed());
  EXPECT_EQ(result.violation->clause, ClauseId::RC_3);
  EXPECT_NE(result.violation->observed.find("exceeded the memory limit of 256 MiB"),
            std::string::npos)
      << result.violation->observed;
}

// Fails (SL-1) on the first valid StoreLogoff in the process, never again.
bool flaky_failed_once = false;

class FlakyStore final : public IMsgStore {
 public:
  explicit FlakyStore(IMAPISupport* support) : inner_(open_reference(support)) {}
  ULONG AddRef() override { return inner_->AddRef(); }
  ULONG Release() override {
    const ULONG left = inner_->Release();
    if (left == 0) delete this;
    return left;
  }
  HRESULT StoreLogoff(ULONG* flags) override {
    if (flags != nullptr && is_single_input_flag(*flags) && !flaky_failed_once) {
      flaky_failed_once = true;
      return MAPI_E_CALL_FAILED;
    }
    return inner_->StoreLogoff(flags);
  }

 private:
  IMsgStore* inner_;
};

IMsgStore* open_flaky(IMAPISupport* support) { return new FlakyStore(support); }

TEST(HostileProvider, AFailureThatDoesNotRecurIsReportedAsFoundAndMarked) {
  flaky_failed_once = false;
  InProcessRunner runner(Provider("flaky", &open_flaky), {});
  RunConfig config;
  config.cases = 1000;
  const RunResult run = run_certification(runner, config);
  ASSERT_TRUE(run.counterexample.has_value());
  const Counterexample& found = *run.counterexample;
  EXPECT_EQ(found.violation.clause, ClauseId::SL_1);
  EXPECT_EQ(found.replays, kFlakyReplays);
  EXPECT_EQ(found.replays_failed, 0u);
  ASSERT_FALSE(found.records.empty()) << "the failure as found, with its step table";
  EXPECT_EQ(found.records[found.violation_step].observed.result, MAPI_E_CALL_FAILED);

  const CounterexampleDocument document =
      make_counterexample_document(found, "flaky", config.case_options, config.seed);
  ASSERT_TRUE(document.replays.has_value());
  EXPECT_EQ(document.replays->runs, kFlakyReplays);
  EXPECT_EQ(parse_counterexample_json(write_counterexample_json(document)), document);
}

TEST(HostileProvider, ProviderOutputIsAnOptionalFieldOfTheCounterexample) {
  Counterexample found;
  found.records.push_back({store_logoff(LOGOFF_QUIET), {}, {}});
  found.violation = {ClauseId::SL_1, "S_OK", "MAPI_E_CALL_FAILED"};
  const CounterexampleDocument quiet = make_counterexample_document(found, "p", {}, 1);
  EXPECT_FALSE(quiet.provider_output.has_value());
  EXPECT_EQ(write_counterexample_json(quiet).find("provider_output"), std::string::npos)
      << "documents of stores that print nothing stay as they were";

  found.provider_output = "  verdict  CONFORMANT\n";
  found.provider_output_bytes = 1 << 20;
  const CounterexampleDocument noisy = make_counterexample_document(found, "p", {}, 1);
  ASSERT_TRUE(noisy.provider_output.has_value());
  EXPECT_EQ(noisy.provider_output->bytes, 1u << 20);
  EXPECT_EQ(parse_counterexample_json(write_counterexample_json(noisy)), noisy);
}

}  // namespace
}  // namespace logoffcheck
