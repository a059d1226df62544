#include "logoffcheck/linearizability.h"

#include <array>
#include <bit>
#include <unordered_set>

namespace logoffcheck {

namespace {

using CallSet = std::array<std::uint64_t, kMaxHistoryCalls / 64>;

bool contains(const CallSet& set, std::size_t i) noexcept { return (set[i / 64] >> (i % 64)) & 1u; }

void insert(CallSet& set, std::size_t i) noexcept { set[i / 64] |= std::uint64_t{1} << (i % 64); }

struct Visited {
  CallSet calls;
  State state;
  friend bool operator==(const Visited&, const Visited&) = default;
};

struct VisitedHash {
  std::size_t operator()(const Visited& v) const noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    const auto add = [&h](std::uint64_t x) { h = (h ^ x) * 0x100000001b3ull; };
    for (std::uint64_t word : v.calls) add(word);
    const State& s = v.state;
    add(s.ref_count);
    add(s.saved_flag);
    for (ULONG accepted : s.accepted_inputs) add(accepted);
    add(s.accepted_count | (std::uint64_t{s.accepted_flags_alone} << 8));
    add((std::uint64_t{s.transports_called} << 0) | (std::uint64_t{s.complete_returned} << 1) |
        (std::uint64_t{s.destroyed} << 2) | (std::uint64_t{s.profile == Profile::eager} << 3));
    const Environment& e = s.environment;
    add((std::uint64_t{e.inbound_in_progress} << 0) | (std::uint64_t{e.outbound_in_progress} << 1) |
        (std::uint64_t{e.open_in_other_process} << 2) | (std::uint64_t{e.reception_enabled} << 3) |
        (std::uint64_t{e.logged_off} << 4) | (std::uint64_t{e.queues_flushed} << 5) |
        (std::uint64_t{e.outbox_queued} << 8));
    return static_cast<std::size_t>(h);
  }
};

// One judged call: the model's transition and the first violation that
// ends a case, if any.
struct Judged {
  Transition transition;
  std::optional<Violation> violation;
  StepVerdicts verdicts{};
};

Judged judge(const State& before, const HistoryCall& call, bool strict) {
  Judged judged;
  if (is_client_call(call.step.action) && !caller_may(before, call.step)) {
    // Only an order that breaks a caller rule gets here (a call after the
    // final Release): the order is impossible, not the store wrong.
    judged.violation = Violation{ClauseId::RC_4,
                                 "no call after the Release that took the count "
                                 "to zero",
                                 describe_step(call.step) + " after it"};
    return judged;
  }
  judged.transition = step(before, call.step);
  CheckResult first = check_step({before, call.step, judged.transition.expected, call.observed},
                                 strict, judged.verdicts);
  // The state the store's answer leads to (D3: accepted invalid input).
  judged.transition.next = answered(judged.transition, call.step, call.observed.result);
  if (first.verdict == Verdict::fail) judged.violation = std::move(first.violation);
  return judged;
}

class Search {
 public:
  Search(const History& history, const CaseOptions& options, LinearizabilityResult& result)
      : calls_(history.calls), strict_(options.strict), result_(result) {}

  // Explores orders of calls [first, end) from `state`, `done` ordered.
  bool explore(const State& state, const CallSet& done, std::size_t remaining,
               std::vector<std::size_t>& order) {
    ++result_.states_explored;
    if (remaining == 0) return true;
    std::uint64_t earliest_response = UINT64_MAX;
    for (std::size_t i = first_; i < calls_.size(); ++i) {
      if (!contains(done, i)) earliest_response = std::min(earliest_response, calls_[i].responded);
    }
    for (std::size_t i = first_; i < calls_.size(); ++i) {
      if (contains(done, i)) continue;
      // A call may come next only if no call still to order returned
      // before it began.
      if (calls_[i].invoked > earliest_response) continue;
      Judged judged = judge(state, calls_[i], strict_);
      if (judged.violation) {
        note_failure(order, i, state, std::move(*judged.violation));
        continue;
      }
      CallSet next = done;
      insert(next, i);
      if (!visited_.insert({next, judged.transition.next}).second) continue;
      order.push_back(i);
      note_progress(order);
      if (explore(judged.transition.next, next, remaining - 1, order)) return true;
      order.pop_back();
    }
    return false;
  }

  void start_at(std::size_t first) { first_ = first; }

 private:
  void note_progress(const std::vector<std::size_t>& order) {
    if (order.size() > result_.order.size()) {
      result_.order = order;
      failure_found_ = false;
    }
  }

  // The first failure at the deepest point reached is the one reported.
  void note_failure(const std::vector<std::size_t>& order, std::size_t call, const State& before,
                    Violation violation) {
    if (order.size() < result_.order.size() || failure_found_) return;
    if (order.size() > result_.order.size()) result_.order = order;
    failure_found_ = true;
    result_.unexplained = call;
    result_.before_unexplained = before;
    result_.cause = violation.clause;
    result_.violation = std::move(violation);
  }

  const std::vector<HistoryCall>& calls_;
  bool strict_;
  LinearizabilityResult& result_;
  std::size_t first_ = 0;
  bool failure_found_ = false;
  std::unordered_set<Visited, VisitedHash> visited_;
};

// "Release (thread 2)", "Release (client)".
std::string describe_call(const HistoryCall& call) {
  return describe_step(call.step) + (call.thread == kClientThread
                                         ? std::string(" (client)")
                                         : " (thread " + std::to_string(call.thread + 1) + ")");
}

}  // namespace

LinearizabilityResult check_linearizability(const History& history, const CaseOptions& options) {
  LinearizabilityResult result;
  const std::vector<HistoryCall>& calls = history.calls;
  State state = initial_state(options.profile);

  // The prefix is sequential: judged step by step, its own clauses.
  for (std::size_t i = 0; i < history.prefix_length; ++i) {
    Judged judged = judge(state, calls[i], options.strict);
    result.tally.add(judged.verdicts);
    if (judged.violation) {
      result.unexplained = i;
      result.before_unexplained = state;
      result.cause = judged.violation->clause;
      result.violation = std::move(*judged.violation);
      return result;
    }
    result.order.push_back(i);
    state = judged.transition.next;
  }
  // A call that crashed, threw, exited or hung is RC-3 whatever the order.
  for (std::size_t i = history.prefix_length; i < calls.size(); ++i) {
    if (calls[i].completed && calls[i].observed.outcome == CallOutcome::returned) continue;
    Judged judged = judge(state, calls[i], options.strict);
    result.unexplained = i;
    result.before_unexplained = state;
    result.cause = ClauseId::RC_3;
    result.violation = judged.violation.value_or(
        Violation{ClauseId::RC_3, describe_step(calls[i].step) + " returns",
                  describe_step(calls[i].step) + " " + describe_outcome(calls[i].observed)});
    return result;
  }

  const std::size_t prefix_order = result.order.size();
  CallSet done{};
  for (std::size_t i = 0; i < history.prefix_length; ++i) insert(done, i);
  std::vector<std::size_t> order = result.order;
  const std::size_t remaining = calls.size() - history.prefix_length;
  if (!options.strict) {
    // An order in which the SHOULD clauses hold too, if there is one: the
    // warnings of the tally are then those no order avoids.
    LinearizabilityResult strict_result = result;
    Search strict_search(history, {options.profile, true}, strict_result);
    strict_search.start_at(history.prefix_length);
    if (strict_search.explore(state, done, remaining, order)) {
      result.linearizable = true;
      result.states_explored = strict_result.states_explored;
    }
  }
  if (!result.linearizable) {
    order = result.order;
    Search search(history, options, result);
    search.start_at(history.prefix_length);
    result.linearizable = search.explore(state, done, remaining, order);
  }

  const auto rc4 = static_cast<std::size_t>(ClauseId::RC_4);
  if (result.linearizable) {
    result.order = order;
    for (std::size_t k = prefix_order; k < order.size(); ++k) {
      const Judged judged = judge(state, calls[order[k]], options.strict);
      result.tally.add(judged.verdicts);
      state = judged.transition.next;
    }
    ++result.tally.passed[rc4];
    return result;
  }
  if (result.violation.expected.empty()) {
    // Every way on was a state already explored from elsewhere: name the
    // first call no order reached.
    CallSet ordered{};
    for (std::size_t i : result.order) insert(ordered, i);
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (!contains(ordered, i)) {
        result.unexplained = i;
        break;
      }
    }
    result.violation = Violation{ClauseId::RC_4, "an order of the calls that explains them all",
                                 "none explains " + describe_call(calls[result.unexplained])};
  }
  // Calls that never overlapped are no concurrency bug: report the clause
  // that failed, as a sequential run would.
  bool overlapped = false;
  for (std::size_t i = history.prefix_length + 1; i < calls.size(); ++i) {
    if (calls[i].invoked < calls[i - 1].responded) overlapped = true;
  }
  if (!overlapped && result.cause != ClauseId::RC_4) return result;
  ++result.tally.failed[rc4];
  const HistoryCall& culprit = calls[result.unexplained];
  result.violation =
      Violation{ClauseId::RC_4,
                describe_call(culprit) + " after " + std::to_string(result.order.size()) +
                    " calls in order: " + result.violation.expected + " (" +
                    std::string(clause_code(result.cause)) + ")",
                result.violation.observed};
  return result;
}

}  // namespace logoffcheck
