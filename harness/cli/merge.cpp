// `logoffcheck merge`: the reports of a run's shards combined into one
// verdict (docs/cli.md).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "files.h"
#include "logoffcheck/merge.h"
#include "logoffcheck/text.h"
#include "printing.h"

namespace logoffcheck::cli {

namespace {

struct MergeArguments {
  std::vector<std::string> files;
  Outputs outputs;
};

int merge(const MergeArguments& arguments) {
  std::vector<Report> shards;
  for (const std::string& file : arguments.files) {
    shards.push_back(
        parse_file(file, [](std::string_view text) { return parse_report_json(text); }));
  }
  Report merged = merge_reports(shards);
  print_report_summary(std::cout, merged, "merge of");
  // Printed, the counterexample is reproduced by certify over every shard's
  // cases; the failures of --keep-going shards, by certify --keep-going (which
  // alone plays on past the first); the page says how the merged report was made.
  if (merged.counterexample) {
    merged.run.reproduce = certify_command(merged);
    if (!merged.more_counterexamples.empty()) merged.run.reproduce += " --keep-going";
    print_counterexamples(std::cout, merged, arguments.outputs.counterexample);
  }
  merged.run.command_name = "merge";
  merged.run.reproduce = "logoffcheck merge";
  for (const std::string& file : arguments.files) merged.run.reproduce += " " + shell_word(file);
  arguments.outputs.write(merged);
  return merged.conformant() ? kConformant : kNotConformant;
}

}  // namespace

Command add_merge_command(CLI::App& app) {
  auto arguments = std::make_shared<MergeArguments>();
  CLI::App* command =
      app.add_subcommand("merge", "Combine the reports of a run's shards into one verdict");
  command->add_option("reports", arguments->files, "Shard reports (JSON)")->required();
  add_output_options(*command, arguments->outputs);
  return {command, [arguments] { return merge(*arguments); }};
}

}  // namespace logoffcheck::cli
