// What the commands print for people: the report summary, a counterexample
// with the command lines that reproduce and replay it.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "logoffcheck/case.h"
#include "logoffcheck/document.h"

namespace logoffcheck::cli {

// A word as a POSIX shell reads it back.
std::string shell_word(std::string_view word);

// The clause, its statement, expected and observed.
void print_violation(std::ostream& out, const Violation& violation);

// What the store printed during a case, each line marked as the provider's
// so that none can pass for the verifier's own.
void print_provider_output(std::ostream& out, const ProviderOutput& output);

// Provider, profile, seed, cases, verdict and the per-clause table.
void print_report_summary(std::ostream& out, const Report& report, std::string_view command);

// One note per IMAPISupport method beyond AddRef, Release and
// StoreLogoffTransports that the stores of `runners` called: only a Windows
// DLL's can (WindowsAgentRunner), and they were answered MAPI_E_NO_SUPPORT
// and not judged, which a provider author should know. One line each, or
// the empty string.
std::string unsupported_support_notes(std::span<const std::unique_ptr<CaseRunner>> runners);

// A Windows DLL's logon trace of the first of `runners` that has one
// (WindowsAgentRunner::logon_trace), or nullopt.
std::optional<std::vector<LogonCall>> logon_trace_of(
    std::span<const std::unique_ptr<CaseRunner>> runners);

// The trace as people read it: one numbered line per call with its result.
std::string format_logon_trace(const std::vector<LogonCall>& trace);

// The certify command line that finds the same counterexample again.
std::string certify_command(const Report& report);

// The report's counterexample, of either kind (format_counterexample), and
// its violation; how to reproduce it (report.run.reproduce, or
// certify_command when empty), and how to replay `counterexample_file` if
// one was written.
void print_counterexample(std::ostream& out, const Report& report,
                          const std::string& counterexample_file);

// Every counterexample of the report (--keep-going: more than one), each
// as print_counterexample shows one, under "Failure 2 of 3:" when there are
// several; the files are those --counterexample FILE writes
// (numbered_counterexample_path).
void print_counterexamples(std::ostream& out, const Report& report,
                           const std::string& counterexample_file);

}  // namespace logoffcheck::cli
