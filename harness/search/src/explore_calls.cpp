// explore_client_calls (explore.h, docs/exploration.md): every history of up
// to N client calls, environment runs reduced to one representative per
// environment the store or the model can tell apart.
#include <algorithm>
#include <deque>
#include <span>
#include <string>
#include <utility>

#include "logoffcheck/explore.h"

namespace logoffcheck {

namespace {

// What the spooler and the checks read of an environment (model.cpp): whether
// the logoff completed, whether the store is open elsewhere, and the activity
// bits. Environments with the same key answer every StoreLogoffTransports
// alike and leave environments with the same key.
std::uint32_t environment_key(const Environment& environment) {
  return (environment.logged_off ? 0x10u : 0u) | (environment.open_in_other_process ? 0x8u : 0u) |
         (activity(environment) >> 17);
}

struct Representative {
  std::vector<Step> run;  // the shortest run of environment events reaching it
  Environment reached;
};

// One representative per environment key reachable from `start`, breadth
// first (so each is reached by a shortest run, and `start` itself comes first).
const std::vector<Representative>& representatives(const Environment& start) {
  // A deque: callers hold references across later insertions.
  static std::deque<std::pair<Environment, std::vector<Representative>>> cache;
  for (const auto& [from, found] : cache) {
    if (from == start) return found;
  }
  std::vector<Representative> found;
  std::vector<std::uint32_t> keys;
  std::vector<Environment> seen = {start};
  std::deque<Representative> frontier = {{{}, start}};
  // A shortest run never queues more than one message beyond the start.
  const std::uint8_t max_outbox =
      static_cast<std::uint8_t>(std::max(start.outbox_queued, std::uint8_t{1}) + 1);
  while (!frontier.empty()) {
    Representative current = std::move(frontier.front());
    frontier.pop_front();
    const std::uint32_t key = environment_key(current.reached);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      keys.push_back(key);
      found.push_back(current);
    }
    for (std::size_t a = static_cast<std::size_t>(Action::InboundBegins); a < kActionCount; ++a) {
      const auto action = static_cast<Action>(a);
      const Environment next = apply_environment_event(current.reached, action);
      if (next.outbox_queued > max_outbox) continue;
      if (std::find(seen.begin(), seen.end(), next) != seen.end()) continue;
      seen.push_back(next);
      Representative longer{current.run, next};
      longer.run.push_back(environment(action));
      frontier.push_back(std::move(longer));
    }
  }
  cache.emplace_back(start, std::move(found));
  return cache.back().second;
}

// A run to make: a client-call sequence with a run of environment events in
// some of its gaps. `order` is its place in a depth-first walk (a sequence's
// index, then each branching's index), which decides between failures of
// one length as the walk would: runs are played in batches, a level of
// branching at a time, but chosen as if one at a time.
struct PlannedRun {
  std::size_t sequence = 0;  // into Explorer::sequences_
  // The gaps holding events, in order of gap: (gap, the representative run).
  std::vector<std::pair<std::size_t, const std::vector<Step>*>> gaps;
  std::size_t from_gap = 0;  // the first gap this run may still branch on
  std::vector<std::uint32_t> order;
};

// Runs handed to the runner at once: an isolating runner plays up to 64 in
// one message to its worker (isolation.h).
constexpr std::size_t kRunsPerBatch = 64;

// Client-call sequences gathered before they are played, with every
// branching they lead to, a level at a time: enough that each level fills
// whole batches.
constexpr std::size_t kSequencesPerWindow = 1024;

class Explorer {
 public:
  Explorer(CaseRunner& runner, const std::function<void(std::uint64_t)>& progress)
      : runner_(runner), options_(runner.options()), progress_(progress) {
    for (const Step& step : exploration_alphabet()) {
      if (is_client_call(step.action)) calls_.push_back(step);
    }
  }

  // Every caller-valid sequence of exactly `length` client calls.
  void explore_length(std::size_t length) {
    sequence_.clear();
    extend(initial_state(options_.profile), length);
    play_sequences();
  }

  ExplorationResult& result() { return result_; }

 private:
  // Extends the client-call sequence; the count and destruction do not depend
  // on the environment, so sequences with a call after the final Release
  // (the same as a shorter one) are never made.
  void extend(const State& state, std::size_t length) {
    if (sequence_.size() == length) {
      sequences_.push_back(sequence_);
      if (sequences_.size() == kSequencesPerWindow) play_sequences();
      return;
    }
    for (const Step& call : calls_) {
      if (state.destroyed) return;
      sequence_.push_back(call);
      extend(logoffcheck::step(state, call).next, length);
      sequence_.pop_back();
    }
  }

  // Plays the sequences gathered so far with empty gaps, then every
  // branching they lead to, a level at a time.
  void play_sequences() {
    std::vector<PlannedRun> level;
    for (std::size_t s = 0; s < sequences_.size(); ++s) {
      level.push_back(PlannedRun{s, {}, 0, {static_cast<std::uint32_t>(next_sequence_++)}});
    }
    while (!level.empty()) {
      std::vector<PlannedRun> next;
      play_level(level, next);
      level = std::move(next);
    }
    sequences_.clear();
  }

  // The steps of `run`, and for each, the gap whose span it is in.
  void input_of(const PlannedRun& run, std::vector<Step>& input,
                std::vector<std::size_t>& gap_of) const {
    const std::vector<Step>& sequence = sequences_[run.sequence];
    auto gap = run.gaps.begin();
    for (std::size_t g = 0; g <= sequence.size(); ++g) {
      if (gap != run.gaps.end() && gap->first == g) {
        for (const Step& event : *gap->second) {
          input.push_back(event);
          gap_of.push_back(g);
        }
        ++gap;
      }
      if (g < sequence.size()) {
        input.push_back(sequence[g]);
        gap_of.push_back(g);
      }
    }
  }

  // Plays the runs of one level of branching, kRunsPerBatch at a time, and
  // gathers the runs they branch into in `next`.
  void play_level(const std::vector<PlannedRun>& level, std::vector<PlannedRun>& next) {
    for (std::size_t from = 0; from < level.size(); from += kRunsPerBatch) {
      const std::span<const PlannedRun> batch =
          std::span(level).subspan(from, std::min(kRunsPerBatch, level.size() - from));
      steps_.clear();
      gap_of_.clear();
      offsets_.assign(1, 0);
      for (const PlannedRun& run : batch) {
        input_of(run, steps_, gap_of_);
        offsets_.push_back(steps_.size());
      }
      inputs_.clear();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        inputs_.emplace_back(steps_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
      }
      const std::span<CaseResult> results(results_.data(), batch.size());
      // A batch stops after a failing run: the rest go in the next.
      for (std::size_t played = 0; played < batch.size();) {
        played +=
            runner_.run_batch(std::span(inputs_).subspan(played), true, results.subspan(played));
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        account(results[i], batch[i].order);
        branch(batch[i], inputs_[i],
               std::span<const std::size_t>(gap_of_.data() + offsets_[i], inputs_[i].size()),
               results[i], next);
      }
    }
  }

  // The runs that `run`, played as `result`, branches into: for the first
  // gaps from `from_gap` on whose choice matters, one per representative
  // environment run that the span after the gap tells apart.
  void branch(const PlannedRun& run, std::span<const Step> input,
              std::span<const std::size_t> gap_of, const CaseResult& result,
              std::vector<PlannedRun>& next) {
    const std::size_t calls = sequences_[run.sequence].size();
    // The model state at each executed step, and the gap whose span it is in.
    std::vector<State> before;
    std::vector<std::size_t> span;
    State state = initial_state(options_.profile);
    std::size_t position = 0;
    for (std::size_t r = 0; r < result.records.size(); ++r) {
      while (position < input.size() && !caller_may(state, input[position])) ++position;
      span.push_back(position < input.size() ? gap_of[position] : calls);
      before.push_back(state);
      const StepRecord& record = result.records[r];
      state = answered(logoffcheck::step(state, record.step), record.step, record.observed.result);
      ++position;
    }
    std::uint32_t branches = 0;
    for (std::size_t g = run.from_gap; g <= calls; ++g) {
      // The span's records: the gap's own events are none (it is empty), so
      // its first record is its client call (or the first final Release).
      std::size_t first = 0;
      while (first < span.size() && span[first] != g) ++first;
      if (first == span.size()) continue;
      const bool filled = std::any_of(run.gaps.begin(), run.gaps.end(),
                                      [g](const auto& gap) { return gap.first == g; });
      if (filled) continue;
      std::size_t last = first;
      while (last < span.size() && span[last] == g) ++last;
      if (!reads_environment(result, first, last)) continue;
      const std::vector<Representative>& reps = representatives(before[first].environment);
      std::vector<std::string> signatures;
      for (const Representative& rep : reps) {
        std::string signature = signature_of(result, before, first, last, rep.reached);
        if (std::find(signatures.begin(), signatures.end(), signature) != signatures.end()) {
          continue;
        }
        signatures.push_back(std::move(signature));
        if (signatures.size() == 1) continue;  // the run just made
        PlannedRun child{run.sequence, run.gaps, g + 1, run.order};
        child.gaps.emplace_back(g, &rep.run);
        child.order.push_back(branches++);
        next.push_back(std::move(child));
      }
    }
  }

  // Whether any step of the span could answer or be judged differently in
  // another environment: a StoreLogoffTransports call made or due, or a
  // deferred StoreLogoff that left something other than its input in
  // *lpulFlags (SL-4 allows activity bits, which the environment decides; the
  // input itself, and LOGOFF_COMPLETE, are allowed in every environment).
  static bool reads_environment(const CaseResult& result, std::size_t first, std::size_t last) {
    for (std::size_t r = first; r < last; ++r) {
      const StepRecord& record = result.records[r];
      if (record.observed.transport_call_count > 0 || record.expected.transport_call_due) {
        return true;
      }
      if (record.expected.output == OutputRule::input_activity_or_complete &&
          record.observed.output_flags != record.step.flags &&
          record.observed.output_flags != LOGOFF_COMPLETE) {
        return true;
      }
    }
    return false;
  }

  // What the span would show in `environment`: the answers the store's own
  // calls would get (if they differ from the run's, the store may go another
  // way, and the environment's key stands for it), the clauses' verdicts on
  // what was observed, and what the model expected of the spooler.
  std::string signature_of(const CaseResult& result, const std::vector<State>& before,
                           std::size_t first, std::size_t last,
                           const Environment& environment) const {
    std::string signature;
    State state = before[first];
    state.environment = environment;
    Environment spooler = environment;
    for (std::size_t r = first; r < last; ++r) {
      const StepRecord& record = result.records[r];
      const Observation& observed = record.observed;
      if (observed.transport_call_count > kRecordedTransportCalls) {
        return "key " + std::to_string(environment_key(environment));
      }
      for (std::size_t i = 0; i < recorded_transport_calls(observed); ++i) {
        const TransportCall& call = observed.transport_calls[i];
        if (call.flags_pointer_null) return "key " + std::to_string(environment_key(environment));
        const SpoolerAnswer answer = spooler_store_logoff_transports(spooler, call.flags_in);
        if (answer.result != call.result || answer.flags_out != call.flags_out) {
          return "key " + std::to_string(environment_key(environment));
        }
        spooler = answer.after;
      }
      const Transition transition = logoffcheck::step(state, record.step);
      StepVerdicts verdicts{};
      const CheckResult first_failure = check_step(
          {state, record.step, transition.expected, observed}, options_.strict, verdicts);
      for (const Clause& entry : kClauses) {
        if (entry.party == Party::spooler) continue;
        signature +=
            static_cast<char>('0' + static_cast<int>(verdicts[static_cast<std::size_t>(entry.id)]));
      }
      signature += '|' + std::to_string(transition.expected.spooler.result) + ',' +
                   std::to_string(transition.expected.spooler.flags_out) + ',' +
                   std::to_string(transition.expected.output_flags) + ';';
      if (first_failure.verdict == Verdict::fail) break;
      state = answered(transition, record.step, observed.result);
      spooler = state.environment;
    }
    if (!state.destroyed && state.environment.logged_off) {
      signature += "after " + std::to_string(environment_key(state.environment));
    }
    return signature;
  }

  void account(const CaseResult& result, const std::vector<std::uint32_t>& order) {
    ++result_.sequences_run;
    result_.steps_run += result.executed.size();
    result_.tally.add(result.tally);
    result_.coverage.add(result.coverage);
    if (result.failed() && (!result_.shortest_failure ||
                            result.executed.size() < result_.shortest_failure->executed.size() ||
                            (result.executed.size() == result_.shortest_failure->executed.size() &&
                             order < shortest_order_))) {
      result_.shortest_failure = result;
      shortest_order_ = order;
    }
    if (progress_ && result_.sequences_run % 4096 == 0) progress_(result_.sequences_run);
  }

  CaseRunner& runner_;
  CaseOptions options_;
  const std::function<void(std::uint64_t)>& progress_;
  std::vector<Step> calls_;
  std::vector<Step> sequence_;
  std::vector<std::vector<Step>> sequences_;  // gathered for the next batch
  std::size_t next_sequence_ = 0;
  // A batch's inputs and results, reused.
  std::vector<Step> steps_;
  std::vector<std::size_t> gap_of_;  // for each of steps_, its span's gap
  std::vector<std::size_t> offsets_;
  std::vector<std::span<const Step>> inputs_;
  std::vector<CaseResult> results_ = std::vector<CaseResult>(kRunsPerBatch);
  ExplorationResult result_;
  std::vector<std::uint32_t> shortest_order_;
};

}  // namespace

ExplorationResult explore_client_calls(CaseRunner& runner, std::size_t max_client_calls,
                                       const std::function<void(std::uint64_t)>& progress) {
  Explorer explorer(runner, progress);
  for (std::size_t length = 0; length <= max_client_calls; ++length) {
    // Nothing with `length` client calls executes fewer than `length` steps.
    const auto& found = explorer.result().shortest_failure;
    if (found && found->executed.size() <= length) break;
    explorer.explore_length(length);
  }
  ExplorationResult& result = explorer.result();
  if (result.shortest_failure) {
    const std::vector<Step> executed = result.shortest_failure->executed;
    runner.run(executed, true, *result.shortest_failure);
  }
  return std::move(result);
}

}  // namespace logoffcheck
