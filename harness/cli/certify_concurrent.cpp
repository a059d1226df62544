#include "certify_concurrent.h"

#include <iostream>

#include "command.h"
#include "logoffcheck/concurrent_document.h"
#include "logoffcheck/text.h"
#include "printing.h"
#include "progress.h"

namespace logoffcheck::cli {

namespace {

// The summary's view of the run: the same per-clause table as a sequential
// run, RC-4 judged once per history.
Report summary_report(const ConcurrentRunResult& run, const RunConfig& config,
                      const std::string& provider) {
  Report report;
  report.provider = provider;
  report.profile = config.case_options.profile;
  report.strict = config.case_options.strict;
  report.seed = config.seed;
  report.cases_requested = config.cases;
  report.max_steps = config.max_steps;
  report.shard = {config.shard_index, config.shard_count};
  report.cases_run = run.cases_run;
  report.steps_run = run.calls_run;
  report.seconds = run.seconds;
  report.tally = run.tally;
  if (run.counterexample) {
    CounterexampleDocument found;
    found.violation = run.counterexample->judgement.violation;
    report.counterexample = found;
  }
  return report;
}

}  // namespace

int certify_concurrently(const ChosenProvider& chosen, const RunConfig& config,
                         const ConcurrentArguments& concurrency, const IsolationArguments& isolation,
                         const Outputs& outputs) {
  if (!outputs.report.empty() || !outputs.junit.empty()) {
    throw ConfigurationError("--report and --junit are not written for --threads runs yet; use "
                             "--counterexample for the concurrent counterexample");
  }
  if (isolation.no_isolate) {
    throw ConfigurationError("--threads always isolates: a lost race is often a use after free");
  }
  ConcurrentConfig concurrent;
  concurrent.run = config;
  concurrent.threads = concurrency.threads;
  concurrent.repeat = concurrency.repeat;
  const std::unique_ptr<HistoryRunner> runner =
      make_isolated_history_runner(chosen.provider, config.case_options, isolation.timeout_ms);
  ProgressLine progress;
  concurrent.run.progress = progress.callback();
  const ConcurrentRunResult run = run_concurrent_certification(*runner, concurrent);
  progress.clear();

  const Report report = summary_report(run, config, chosen.provider.name());
  print_report_summary(std::cout, report, "certify");
  std::cout << "  threads  " << concurrency.threads << ", each case played " << concurrency.repeat
            << " times: " << run.histories_run << " histories\n";
  if (!run.counterexample) return kConformant;
  std::cout << "\n" << format_concurrent_counterexample(*run.counterexample) << "\n";
  print_violation(std::cout, run.counterexample->judgement.violation);
  std::cout << "\nReproduce: " << certify_command(report) << " --threads " << concurrency.threads
            << " --repeat " << concurrency.repeat << "\n";
  if (!outputs.counterexample.empty()) {
    write_document(outputs.counterexample,
                   write_concurrent_counterexample_json(*run.counterexample,
                                                        chosen.provider.name(),
                                                        config.case_options, config.seed));
  }
  return kNotConformant;
}

}  // namespace logoffcheck::cli
