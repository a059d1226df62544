#include "certify_concurrent.h"

#include <cmath>
#include <iostream>

#include "command.h"
#include "logoffcheck/concurrent_document.h"
#include "logoffcheck/text.h"
#include "printing.h"
#include "progress.h"

namespace logoffcheck::cli {

namespace {

// The run as a report: the same verdict and per-clause table as a
// sequential run, RC-4 judged once per history, the concurrent
// counterexample, and no coverage (concurrent runs do not measure it).
Report concurrent_report(const ConcurrentRunResult& run, const RunConfig& config,
                         const std::string& provider) {
  Report report = report_of_config(config, provider);
  report.cases_run = run.cases_run;
  report.steps_run = run.calls_run;
  // Milliseconds, as make_report keeps them.
  report.seconds = std::round(run.seconds * 1000) / 1000;
  report.tally = run.tally;
  if (run.counterexample) {
    // The clause table shows the counterexample's clause failed, as a
    // sequential report does, also when the checker tallied no verdict for
    // it (a crash is RC-3 whatever the order, outside the order's tally).
    const auto failed = static_cast<std::size_t>(run.counterexample->judgement.violation.clause);
    if (report.tally.failed[failed] == 0) report.tally.failed[failed] = 1;
    report.concurrent_counterexample = make_concurrent_counterexample_document(
        *run.counterexample, provider, config.case_options, config.seed);
  }
  return report;
}

}  // namespace

std::unique_ptr<HistoryRunner> make_history_runner(const std::string& schedule,
                                                   const Provider& provider,
                                                   const CaseOptions& options,
                                                   std::uint32_t timeout_ms) {
  if (schedule.empty() || schedule == "free") {
    return make_isolated_history_runner(provider, options, timeout_ms);
  }
  if (schedule == "controlled") return make_controlled_history_runner(provider, options, timeout_ms);
  throw ConfigurationError("--schedule must be \"free\" or \"controlled\", not \"" + schedule +
                           "\"");
}

int certify_concurrently(const ChosenProvider& chosen, const RunConfig& config,
                         const ConcurrentArguments& concurrency, const IsolationArguments& isolation,
                         const Outputs& outputs) {
  if (!outputs.html.empty()) {
    throw ConfigurationError("--html is not written for --threads runs yet; use --report, "
                             "--junit or --counterexample");
  }
  if (isolation.no_isolate) {
    throw ConfigurationError("--threads always isolates: a lost race is often a use after free");
  }
  ConcurrentConfig concurrent;
  concurrent.run = config;
  concurrent.threads = concurrency.threads;
  concurrent.repeat = concurrency.repeat;
  const std::unique_ptr<HistoryRunner> runner = make_history_runner(
      concurrency.schedule, chosen.provider, config.case_options, isolation.timeout_ms);
  ProgressLine progress;
  concurrent.run.progress = progress.callback();
  const ConcurrentRunResult run = run_concurrent_certification(*runner, concurrent);
  progress.clear();

  const Report report = concurrent_report(run, config, chosen.provider.name());
  print_report_summary(std::cout, report, "certify");
  std::cout << "  threads  " << concurrency.threads << ", each case played " << concurrency.repeat
            << " times: " << run.histories_run << " histories"
            << (runner->controlled() ? ", under controlled schedules" : "") << "\n";
  const std::string table =
      run.counterexample ? format_concurrent_counterexample(*run.counterexample) : "";
  HtmlContext page;
  page.reproduce = certify_command(report) + " --threads " + std::to_string(concurrency.threads) +
                   " --repeat " + std::to_string(concurrency.repeat) +
                   (runner->controlled() ? " --schedule controlled" : "");
  outputs.write(report, table, page);
  if (!run.counterexample) return kConformant;
  std::cout << "\n" << table << "\n";
  print_violation(std::cout, run.counterexample->judgement.violation);
  std::cout << "\nReproduce: " << page.reproduce << "\n";
  return kNotConformant;
}

}  // namespace logoffcheck::cli
