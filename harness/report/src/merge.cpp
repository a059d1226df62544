#include "logoffcheck/merge.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace logoffcheck {

Report merge_reports(const std::vector<Report>& shards) {
  if (shards.empty()) throw InputError("merge: no reports given");
  const Report& first = shards.front();
  Report merged;
  merged.version = first.version;
  merged.provider = first.provider;
  merged.profile = first.profile;
  merged.strict = first.strict;
  merged.seed = first.seed;
  merged.cases_requested = first.cases_requested;
  merged.max_steps = first.max_steps;
  merged.stores = first.stores;
  merged.shard = {std::nullopt, first.shard.count};

  // Which report (1-based, as the user listed them) holds each shard.
  std::map<std::uint32_t, std::size_t> holder;
  // Shards of a --keep-going run (one holds more than one counterexample):
  // every shard ran all its cases, and every distinct failure is kept.
  bool keep_going = false;
  std::vector<CounterexampleDocument> found;
  for (std::size_t n = 0; n < shards.size(); ++n) {
    const Report& shard = shards[n];
    const std::string which = "report " + std::to_string(n + 1);
    const auto differs = [&](std::string_view field, const std::string& mine,
                             const std::string& theirs) {
      throw InputError(which + " has " + std::string(field) + " " + mine + ", report 1 has " +
                       theirs + ": only shards of the same run can be merged");
    };
    if (shard.provider != first.provider) differs("provider", shard.provider, first.provider);
    if (shard.profile != first.profile) {
      differs("profile", std::string(profile_name(shard.profile)),
              std::string(profile_name(first.profile)));
    }
    if (shard.strict != first.strict) {
      differs("strict", shard.strict ? "true" : "false", first.strict ? "true" : "false");
    }
    if (shard.seed != first.seed) {
      differs("seed", std::to_string(shard.seed), std::to_string(first.seed));
    }
    if (shard.cases_requested != first.cases_requested) {
      differs("cases_requested", std::to_string(shard.cases_requested),
              std::to_string(first.cases_requested));
    }
    if (shard.max_steps != first.max_steps) {
      differs("max_steps", std::to_string(shard.max_steps), std::to_string(first.max_steps));
    }
    if (shard.stores != first.stores) {
      differs("stores", std::to_string(shard.stores), std::to_string(first.stores));
    }
    if (shard.shard.count != first.shard.count) {
      differs("shard count", std::to_string(shard.shard.count), std::to_string(first.shard.count));
    }
    if (!shard.shard.index) throw InputError(which + " is already a merged report");
    const auto [at, inserted] = holder.emplace(*shard.shard.index, n + 1);
    if (!inserted) {
      throw InputError("shard " + std::to_string(*shard.shard.index) + " appears twice (reports " +
                       std::to_string(at->second) + " and " + std::to_string(n + 1) + ")");
    }
    merged.steps_run += shard.steps_run;
    merged.seconds += shard.seconds;
    merged.tally.add(shard.tally);
    // Coverage is the union of the shards' (absent if any shard predates it).
    if (n == 0) merged.coverage = shard.coverage;
    if (merged.coverage && shard.coverage) {
      merged.coverage->exercised.add(shard.coverage->exercised);
    } else {
      merged.coverage.reset();
    }
    // Every shard logged on the same way: the first shard's logon stands for them.
    if (!merged.logon_trace) merged.logon_trace = shard.logon_trace;
    // Off if any shard's store ran without it.
    if (shard.sandbox) merged.sandbox = merged.sandbox.value_or(true) && *shard.sandbox;
    if (shard.counterexample && shard.counterexample->concurrent()) {
      throw InputError("report " + std::to_string(n + 1) +
                       " holds a concurrent counterexample (a --threads run): merge does not "
                       "combine those; replay it with `logoffcheck replay`");
    }
    if (shard.counterexample && (!merged.counterexample || shard.counterexample->case_index <
                                                               merged.counterexample->case_index)) {
      merged.counterexample = shard.counterexample;
    }
    if (shard.counterexample) found.push_back(*shard.counterexample);
    found.insert(found.end(), shard.more_counterexamples.begin(), shard.more_counterexamples.end());
    keep_going = keep_going || !shard.more_counterexamples.empty();
    merged.cases_run += shard.cases_run;
  }
  for (std::uint32_t index = 0; index < first.shard.count; ++index) {
    if (!holder.contains(index)) {
      throw InputError("shard " + std::to_string(index) + " of " +
                       std::to_string(first.shard.count) + " is missing");
    }
  }
  if (keep_going) {
    // As one --keep-going run: the failures in case order, each distinct
    // failure (clause and observed) once.
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.case_index < b.case_index; });
    merged.counterexample = found.front();
    for (const CounterexampleDocument& other : found) {
      const auto same = [&](const CounterexampleDocument& kept) {
        return kept.violation.clause == other.violation.clause &&
               kept.violation.observed == other.violation.observed;
      };
      if (same(*merged.counterexample) || std::any_of(merged.more_counterexamples.begin(),
                                                      merged.more_counterexamples.end(), same)) {
        continue;
      }
      merged.more_counterexamples.push_back(other);
    }
  } else if (merged.counterexample) {
    // An unsharded run stops at the first failing case: it runs cases 0..f.
    merged.cases_run = merged.counterexample->case_index + 1;
  }
  merged.seconds = std::round(merged.seconds * 1000) / 1000;
  return merged;
}

}  // namespace logoffcheck
