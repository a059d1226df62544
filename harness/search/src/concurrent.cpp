// Concurrent histories as a case kind of the driver (driver.h): a case is a
// ConcurrentCase, played `repeat` times by a HistoryRunner, each history
// judged by the linearizability checker, and shrunk by removing a thread, a
// stretch of the prefix or one thread's call.
#include "logoffcheck/concurrent.h"

#include <rapidcheck.h>

#include <algorithm>
#include <chrono>

#include "driver.h"
#include "logoffcheck/generate.h"
#include "shrink_schedule.h"

namespace logoffcheck {

namespace {

// "logoffcc": concurrent cases draw from streams of their own, all
// RapidCheck's Random as sequential cases do.
constexpr std::uint64_t kConcurrentStreamTag = 0x6c6f676f66666363ull;

// The streams of one concurrent case.
enum class Stream : std::uint64_t { prefix = 0, threads = 1, schedule = 2 };

rc::Random case_random(std::uint64_t seed, std::uint64_t index, Stream stream) {
  return rc::Random(
      rc::Random::Key{seed, index, kConcurrentStreamTag, static_cast<std::uint64_t>(stream)});
}

// Numbers below a bound, from RapidCheck's Random.
class Numbers {
 public:
  explicit Numbers(rc::Random random) : random_(random) {}
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(random_.next() % n); }

 private:
  rc::Random random_;
};

// A client call a thread may make (never a Release: the caller decides
// those), under the caller rules of `profile`.
Step thread_call(Numbers& numbers, Profile profile) {
  switch (numbers.below(profile == Profile::eager ? 5 : 6)) {
    case 0:
      return store_logoff_null();
    case 1:
      return store_logoff(numbers.below(2) == 0 ? 0 : LOGOFF_ABORT | LOGOFF_ORDERLY);
    case 5:
      return store_logoff(kInputFlags[numbers.below(kInputFlags.size())]);
    default:
      return add_ref();
  }
}

// One thread's run: `held` references handed over at its start; Releases
// only of references it holds, keeping one until its last call when
// `keep_one`, and Releasing what it holds at its end when `keep_one`.
std::vector<Step> thread_run(Numbers& numbers, const ConcurrentConfig& config, ULONG held,
                             bool keep_one) {
  std::vector<Step> steps;
  const std::uint32_t length = 1 + numbers.below(config.max_thread_calls);
  const Profile profile = config.run.case_options.profile;
  for (std::uint32_t i = 0; i < length; ++i) {
    const ULONG floor = keep_one ? 1 : 0;
    if (held > floor && numbers.below(5) < 2) {
      steps.push_back(release());
      --held;
      continue;
    }
    const Step step = thread_call(numbers, profile);
    steps.push_back(step);
    if (step.action == Action::AddRef) ++held;
  }
  if (keep_one) steps.insert(steps.end(), held, release());
  return steps;
}

// Every case one removal smaller than `c`: a thread, a prefix stretch, a
// thread's call. Only those that keep the caller rules.
std::vector<ConcurrentCase> smaller_cases(const ConcurrentCase& c, Profile profile) {
  std::vector<ConcurrentCase> candidates;
  const auto offer = [&](ConcurrentCase candidate) {
    if (concurrent_case_valid(candidate, profile)) candidates.push_back(std::move(candidate));
  };
  for (std::size_t t = 0; t < c.threads.size(); ++t) {
    ConcurrentCase candidate = c;
    candidate.threads.erase(candidate.threads.begin() + static_cast<std::ptrdiff_t>(t));
    offer(std::move(candidate));
  }
  for (std::size_t half = c.prefix.size() / 2; half >= 1; half /= 2) {
    for (std::size_t start = 0; start + half <= c.prefix.size(); start += half) {
      ConcurrentCase candidate = c;
      const auto begin = candidate.prefix.begin() + static_cast<std::ptrdiff_t>(start);
      candidate.prefix.erase(begin, begin + static_cast<std::ptrdiff_t>(half));
      offer(std::move(candidate));
    }
  }
  for (std::size_t t = 0; t < c.threads.size(); ++t) {
    for (std::size_t i = 0; i < c.threads[t].size(); ++i) {
      ConcurrentCase candidate = c;
      candidate.threads[t].erase(candidate.threads[t].begin() + static_cast<std::ptrdiff_t>(i));
      offer(std::move(candidate));
    }
  }
  // An AddRef and a later Release of the same thread together: alone,
  // either would break the caller rules.
  for (std::size_t t = 0; t < c.threads.size(); ++t) {
    const std::vector<Step>& steps = c.threads[t];
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].action != Action::AddRef) continue;
      for (std::size_t j = i + 1; j < steps.size(); ++j) {
        if (steps[j].action != Action::Release) continue;
        ConcurrentCase candidate = c;
        auto& thread = candidate.threads[t];
        thread.erase(thread.begin() + static_cast<std::ptrdiff_t>(j));
        thread.erase(thread.begin() + static_cast<std::ptrdiff_t>(i));
        offer(std::move(candidate));
        break;
      }
    }
  }
  // A prefix AddRef with a Release of a thread that was handed it.
  for (std::size_t p = 0; p < c.prefix.size(); ++p) {
    if (c.prefix[p].action != Action::AddRef) continue;
    for (std::size_t t = 0; t < c.threads.size(); ++t) {
      const auto last = std::find_if(c.threads[t].rbegin(), c.threads[t].rend(),
                                     [](const Step& s) { return s.action == Action::Release; });
      if (last == c.threads[t].rend()) continue;
      ConcurrentCase candidate = c;
      candidate.prefix.erase(candidate.prefix.begin() + static_cast<std::ptrdiff_t>(p));
      candidate.threads[t].erase(std::next(last).base() - c.threads[t].begin() +
                                 candidate.threads[t].begin());
      offer(std::move(candidate));
    }
    break;
  }
  return candidates;
}

void throw_if_spooler_failed(const LinearizabilityResult& result) {
  if (result.linearizable) return;
  // The cause: RC-4 names the failure of the clause that no order
  // explained, which may be the spooler's.
  for (const ClauseId id : {result.cause, result.violation.clause}) {
    if (clause(id).party != Party::spooler) continue;
    throw InternalError("the simulated spooler broke " + std::string(clause_code(id)) +
                        ": expected " + result.violation.expected + ", answered " +
                        result.violation.observed);
  }
}

// The `repeat` histories of one play of a case, each judged.
struct JudgedPlays {
  std::vector<History> histories;
  std::vector<LinearizabilityResult> judgements;

  // The first history that failed with `clause` (any clause: nullopt).
  std::optional<std::size_t> first_failing(std::optional<ClauseId> clause = {}) const {
    for (std::size_t i = 0; i < judgements.size(); ++i) {
      if (judgements[i].linearizable) continue;
      if (!clause || judgements[i].violation.clause == *clause) return i;
    }
    return std::nullopt;
  }
  std::uint32_t failing_count(ClauseId clause) const {
    std::uint32_t count = 0;
    for (const LinearizabilityResult& judgement : judgements) {
      count += !judgement.linearizable && judgement.violation.clause == clause ? 1 : 0;
    }
    return count;
  }
};

// The kind of concurrent cases.
class ConcurrentKind {
 public:
  using Case = ConcurrentCase;
  using Result = JudgedPlays;
  using Runner = HistoryRunner;

  explicit ConcurrentKind(const ConcurrentConfig& config) : config_(config) {}

  void generate(std::uint64_t index, Case& c) const {
    c = generate_concurrent_case(config_, index);
  }

  std::size_t play_batch(Runner& runner, std::span<const Case> cases,
                         std::span<const std::uint64_t> indices, std::span<Result> results) const {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      play(runner, cases[i], false, {indices[i], 0}, results[i]);
      if (failure(results[i])) return i + 1;
    }
    return cases.size();
  }

  // Play k of case i draws its `repeat` schedules from case i's stream, k
  // plays apart, so that no two plays of a run share one.
  void play(Runner& runner, const Case& c, bool, detail::PlayKey key, Result& result) const {
    const std::uint64_t schedule =
        case_random(config_.run.seed, key.case_index, Stream::schedule).next() +
        key.play * config_.repeat;
    result.histories = runner.play(c, config_.repeat, schedule);
    result.judgements.clear();
    for (const History& history : result.histories) {
      result.judgements.push_back(check_linearizability(history, runner.options()));
    }
  }

  void account(const Result& result, detail::Totals& totals) const {
    ++totals.cases;
    for (std::size_t i = 0; i < result.histories.size(); ++i) {
      throw_if_spooler_failed(result.judgements[i]);
      ++totals.plays;
      totals.steps += result.histories[i].calls.size();
      totals.overlapping_plays += calls_overlapped(result.histories[i]) ? 1 : 0;
      totals.tally.add(result.judgements[i].tally);
    }
  }

  std::optional<ClauseId> failure(const Result& result) const {
    const std::optional<std::size_t> failing = result.first_failing();
    if (!failing) return std::nullopt;
    return result.judgements[*failing].violation.clause;
  }
  bool fails_with(const Result& result, ClauseId clause) const {
    return result.first_failing(clause).has_value();
  }

  Case shrink_start(const Case& c, const Result&) const { return c; }
  rc::Seq<Case> smaller(const Case& c) const {
    return rc::seq::fromContainer(smaller_cases(c, config_.run.case_options.profile));
  }
  std::size_t length(const Case& c) const {
    return history_slots(c, config_.run.case_options.profile);
  }
  std::uint64_t max_shrink_runs() const { return config_.max_shrink_cases; }

  // Under a controlled runner a play is a function of its schedule: the
  // shrunk case is shown failing under the schedule with the fewest
  // preemptions found, and counted over plays of that very schedule.
  void finish(Runner& runner, const detail::Found<ConcurrentKind>& found,
              detail::Shrunk<ConcurrentKind>& shrunk) const {
    if (!runner.controlled()) return;
    const ClauseId clause = *failure(found.result);
    const std::uint64_t seed =
        case_random(config_.run.seed, found.index, Stream::schedule).next() ^ 0xf00dull;
    std::optional<detail::ScheduledFailure> scheduled =
        detail::shrink_schedule(runner, shrunk.smallest, clause, config_.repeat, seed);
    if (!scheduled) return;  // as the driver shrank it
    shrunk.recurred = true;
    shrunk.shown = JudgedPlays{{std::move(scheduled->history)}, {std::move(scheduled->judgement)}};
    JudgedPlays replays;
    replays.histories = std::move(scheduled->replays);
    for (const History& history : replays.histories) {
      replays.judgements.push_back(check_linearizability(history, runner.options()));
    }
    shrunk.fresh = std::move(replays);
  }

 private:
  const ConcurrentConfig& config_;
};

void check_config(const ConcurrentConfig& config) {
  if (config.threads < 2) throw ConfigurationError("a concurrent history needs 2 threads or more");
  if (config.repeat == 0) throw ConfigurationError("each case must be played at least once");
}

ConcurrentCounterexample counterexample_of(const detail::Found<ConcurrentKind>& found,
                                           detail::Shrunk<ConcurrentKind>& shrunk,
                                           const ConcurrentConfig& config) {
  const ClauseId clause = *ConcurrentKind(config).failure(found.result);
  ConcurrentCounterexample counterexample;
  counterexample.case_index = found.known ? 0 : found.index;
  if (found.known) counterexample.corpus_entry = found.index;
  counterexample.original = found.found_case;
  counterexample.shrunk = shrunk.smallest;
  counterexample.shrink_cases = shrunk.shrink_runs;
  counterexample.repeat = config.repeat;
  counterexample.replays = shrunk.replays;
  counterexample.replays_failed = shrunk.replays_failed;
  // The history shown fails with the clause: one of the shrunk case's, or
  // the one found when the failure never recurred.
  const JudgedPlays& shown = shrunk.recurred ? shrunk.shown : found.result;
  const std::size_t failing = *shown.first_failing(clause);
  counterexample.history = shown.histories[failing];
  counterexample.judgement = shown.judgements[failing];
  // How often a fresh play of the shrunk case failed.
  counterexample.failed_runs = (shrunk.fresh ? *shrunk.fresh : shrunk.shown).failing_count(clause);
  return counterexample;
}

ConcurrentRunResult run_result_of(detail::Outcome<ConcurrentKind>& outcome,
                                  const ConcurrentConfig& config) {
  ConcurrentRunResult run;
  run.cases_run = outcome.totals.cases;
  run.histories_run = outcome.totals.plays;
  run.calls_run = outcome.totals.steps;
  run.overlapping_histories = outcome.totals.overlapping_plays;
  run.tally = outcome.totals.tally;
  run.seconds = outcome.seconds;
  run.corpus_cases_run = outcome.known_played;
  if (!outcome.found) return run;
  run.counterexample = counterexample_of(*outcome.found, *outcome.shrunk, config);
  // --keep-going: every other distinct failure.
  for (auto& [found, shrunk] : outcome.more) {
    run.more_counterexamples.push_back(counterexample_of(found, shrunk, config));
  }
  return run;
}

}  // namespace

ConcurrentCase generate_concurrent_case(const ConcurrentConfig& config, std::uint64_t index) {
  const Profile profile = config.run.case_options.profile;
  Numbers numbers(case_random(config.run.seed, index, Stream::threads));
  ConcurrentCase c;
  // The prefix: a sequential case of up to a quarter of max_steps, cut
  // before any Release to zero.
  const GenerationOptions prefix_options{profile, config.run.max_steps / 4};
  std::vector<Step> prefix;
  generate_steps(prefix_options, case_random(config.run.seed, index, Stream::prefix),
                 static_cast<int>(index % 101), prefix);
  c.prefix = play_prefix(profile, prefix).steps;
  State state = play_prefix(profile, c.prefix).after;
  const std::uint32_t threads = config.threads;
  if (state.complete_returned) {
    // Eager, after LOGOFF_COMPLETE: the threads can only Release references
    // the client hands them, and the client keeps one.
    ULONG spare = state.ref_count - 1;
    for (std::uint32_t t = 0; t < threads; ++t) {
      const ULONG handed = t + 1 == threads ? spare : numbers.below(spare + 1);
      spare -= handed;
      c.threads.push_back(std::vector<Step>(handed, release()));
    }
    return c;
  }
  const bool hand_over_all = numbers.below(2) == 0;
  if (hand_over_all) {
    // The client takes a reference for every thread it starts, as a
    // program passing the store to a thread does, and keeps none.
    while (state.ref_count < threads) {
      c.prefix.push_back(add_ref());
      ++state.ref_count;
    }
    ULONG spare = state.ref_count - threads;
    for (std::uint32_t t = 0; t < threads; ++t) {
      const ULONG extra = t + 1 == threads ? spare : numbers.below(spare + 1);
      spare -= extra;
      c.threads.push_back(thread_run(numbers, config, 1 + extra, true));
    }
  } else {
    for (std::uint32_t t = 0; t < threads; ++t) {
      c.threads.push_back(thread_run(numbers, config, 0, false));
    }
  }
  return c;
}

LinearizabilityResult judge_history(const History& history, const CaseOptions& options) {
  LinearizabilityResult result = check_linearizability(history, options);
  throw_if_spooler_failed(result);
  return result;
}

std::optional<std::pair<History, LinearizabilityResult>> first_failure(
    const std::vector<History>& histories, const CaseOptions& options) {
  for (const History& history : histories) {
    LinearizabilityResult result = judge_history(history, options);
    if (!result.linearizable) return std::pair{history, std::move(result)};
  }
  return std::nullopt;
}

bool calls_overlapped(const History& history) noexcept {
  const std::vector<HistoryCall>& calls = history.calls;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].thread == kClientThread) continue;
    for (std::size_t j = i + 1; j < calls.size(); ++j) {
      if (calls[j].thread == kClientThread || calls[j].thread == calls[i].thread) continue;
      if (calls[i].invoked < calls[j].responded && calls[j].invoked < calls[i].responded) {
        return true;
      }
    }
  }
  return false;
}

ConcurrentRunResult run_concurrent_certification(HistoryRunner& runner,
                                                 const ConcurrentConfig& config) {
  check_config(config);
  HistoryRunner* const runners[] = {&runner};
  const ConcurrentKind kind(config);
  detail::Outcome<ConcurrentKind> outcome = detail::drive(
      kind, std::span<HistoryRunner* const>(runners), detail::DriverConfig::of(config.run),
      std::span<const ConcurrentCase>(config.corpus));
  return run_result_of(outcome, config);
}

ConcurrentRunResult run_concurrent_certification(const HistoryRunnerFactory& make_runner,
                                                 const ConcurrentConfig& config) {
  check_config(config);
  const ConcurrentKind kind(config);
  detail::Outcome<ConcurrentKind> outcome =
      detail::drive_jobs(kind, make_runner, detail::DriverConfig::of(config.run),
                         std::span<const ConcurrentCase>(config.corpus));
  return run_result_of(outcome, config);
}

}  // namespace logoffcheck
