#include "case_interpreter.h"

#include <bit>
#include <cstring>
#include <exception>
#include <string>

#include "logoffcheck/in_process.h"
#include "logoffcheck/sanitizers.h"
#include "logoffcheck/support.h"

#if defined(LOGOFFCHECK_LSAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace logoffcheck {

namespace {

// A case that ends at a violation abandons its store: calling a store that
// just broke the contract again could crash the verifier, so it is never
// released. Under LeakSanitizer the abandoned store is marked as expected,
// so that leak reports stay about the verifier's own memory.
void abandon_store([[maybe_unused]] IMsgStore& store) noexcept {
#if defined(LOGOFFCHECK_LSAN)
  __lsan_ignore_object(&store);
#endif
}

}  // namespace

bool CaseInterpreter::judge(const State& before, const Step& step, const Expectation& expected,
                            const Observation& observed, bool record, CaseResult& result) {
  if (record) result.records.push_back({step, expected, observed});
  const StepContext context{before, step, expected, observed};
  StepVerdicts verdicts;
  const std::optional<ClauseId> failed = judge_step(context, options_.strict, verdicts);
  if (judging_ == Judging::verdict_only) {
    if (failed) result.violation.emplace().clause = *failed;
    return !failed;
  }
  step_tally_.add(verdicts, result.tally);
  if (!failed) return true;
  // Words only for the clause that ends the case.
  result.violation = std::move(check(*failed, context).violation);
  result.violation_step = result.executed.size() - 1;
  result.violation_record = StepRecord{step, expected, observed};
  return false;
}

namespace {

// The client call of `step`, its result and how it ended, into `observed`.
void make_client_call(IMsgStore& store, const Step& step, Observation& observed) noexcept {
  try {
    switch (step.action) {
      case Action::AddRef:
        observed.count_returned = store.AddRef();
        break;
      case Action::Release:
        observed.count_returned = store.Release();
        break;
      case Action::StoreLogoff: {
        ULONG flags = step.flags;
        observed.result = store.StoreLogoff(step.null_flags_pointer ? nullptr : &flags);
        observed.output_flags = step.null_flags_pointer ? 0 : flags;
        break;
      }
      default:
        break;
    }
  } catch (const std::exception& error) {
    observed.outcome = CallOutcome::threw;
    set_fault_text(observed, error.what());
  } catch (...) {
    observed.outcome = CallOutcome::threw;
    set_fault_text(observed, "an exception not derived from std::exception");
  }
}

}  // namespace

bool call_store(IMsgStore& store, SimulatedSupport& support, const Step& step,
                Observation& observed) noexcept {
  support.begin_step(observed);
  make_client_call(store, step, observed);
  support.end_step();
  return observed.outcome == CallOutcome::returned;
}

bool call_store_concurrently(IMsgStore& store, SimulatedSupport& support, const Step& step,
                             Observation& observed) noexcept {
  support.begin_thread_step(observed);
  make_client_call(store, step, observed);
  support.end_thread_step();
  return observed.outcome == CallOutcome::returned;
}

IMsgStore& open_checked_store(const Provider& provider, SimulatedSupport& support) {
  IMsgStore* store = nullptr;
  try {
    store = provider.open_store(support);
  } catch (const std::exception& error) {
    throw ConfigurationError("provider '" + provider.name() +
                             "' threw from logoffcheck_open_store: " + error.what());
  } catch (...) {
    throw ConfigurationError("provider '" + provider.name() +
                             "' threw from logoffcheck_open_store");
  }
  support.end_creation();
  if (store == nullptr) {
    throw ConfigurationError("provider '" + provider.name() +
                             "' returned nullptr from logoffcheck_open_store: it opened no store");
  }
  return *store;
}

void InProcessRunner::run(std::span<const Step> steps, bool record, CaseResult& result) {
  CaseStores stores(provider_);
  stores.open_first();
  const std::uint32_t alive = CaseInterpreter(options_).run(
      steps, record, result,
      [&](const Step& step, Observation& observed) { return stores.call(step, observed); },
      [&](const Step& step) { stores.environment_event(step); });
  stores.each_alive(alive, [](IMsgStore& store) { abandon_store(store); });
}

}  // namespace logoffcheck
