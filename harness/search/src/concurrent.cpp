#include "logoffcheck/concurrent.h"

#include <algorithm>
#include <chrono>

#include "logoffcheck/generate.h"
#include "shrink_schedule.h"

namespace logoffcheck {

namespace {

// "logoffcc": concurrent cases draw from a stream of their own.
constexpr std::uint64_t kConcurrentStreamTag = 0x6c6f676f66666363ull;

// splitmix64, the generator's and the schedules' source of numbers.
class Numbers {
 public:
  explicit Numbers(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t x = (state_ += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  std::uint32_t below(std::uint32_t n) noexcept { return static_cast<std::uint32_t>(next() % n); }

 private:
  std::uint64_t state_;
};

std::uint64_t case_key(std::uint64_t seed, std::uint64_t index) {
  Numbers numbers(seed ^ kConcurrentStreamTag);
  return numbers.next() ^ (index * 0xd1b54a32d192ed03ull);
}

// A client call a thread may make (never a Release: the caller decides
// those), under the caller rules of `profile`.
Step thread_call(Numbers& numbers, Profile profile) {
  switch (numbers.below(profile == Profile::eager ? 5 : 6)) {
    case 0: return store_logoff_null();
    case 1: return store_logoff(numbers.below(2) == 0 ? 0 : LOGOFF_ABORT | LOGOFF_ORDERLY);
    case 5: return store_logoff(kInputFlags[numbers.below(kInputFlags.size())]);
    default: return add_ref();
  }
}

// One thread's run: `held` references handed over at its start; Releases
// only of references it holds, keeping `keep_one` until its last call; at
// the end it Releases what it holds when `give_back_all`.
std::vector<Step> thread_run(Numbers& numbers, const ConcurrentConfig& config, ULONG held,
                             bool only_releases, bool keep_one) {
  std::vector<Step> steps;
  const std::uint32_t length = 1 + numbers.below(config.max_thread_calls);
  const Profile profile = config.run.case_options.profile;
  for (std::uint32_t i = 0; i < length && !only_releases; ++i) {
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
  if (keep_one || only_releases) steps.insert(steps.end(), held, release());
  return steps;
}

std::uint64_t schedule_seed(const ConcurrentConfig& config, std::uint64_t index) {
  return Numbers(case_key(config.run.seed, index) ^ 0x5ced).next();
}

bool fails_with(const std::vector<History>& histories, const CaseOptions& options,
                ClauseId clause, std::uint32_t* failed_runs = nullptr) {
  bool any = false;
  for (const History& history : histories) {
    const LinearizabilityResult result = check_linearizability(history, options);
    if (result.linearizable || result.violation.clause != clause) continue;
    any = true;
    if (failed_runs != nullptr) ++*failed_runs;
  }
  return any;
}

void throw_if_spooler_failed(const LinearizabilityResult& result) {
  if (result.linearizable || clause(result.cause).party != Party::spooler) return;
  throw InternalError("the simulated spooler broke " + std::string(clause_code(result.cause)) +
                      ": expected " + result.violation.expected + ", answered " +
                      result.violation.observed);
}

// Every case one removal smaller than `c`: a thread, a prefix step, a
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
      const auto last = std::find_if(c.threads[t].rbegin(), c.threads[t].rend(), [](const Step& s) {
        return s.action == Action::Release;
      });
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

ConcurrentCounterexample shrink(HistoryRunner& runner, const ConcurrentConfig& config,
                                const ConcurrentCase& failing, ClauseId clause,
                                std::uint64_t seed) {
  const CaseOptions& options = runner.options();
  ConcurrentCounterexample counterexample;
  counterexample.original = failing;
  ConcurrentCase current = failing;
  bool progressed = true;
  while (progressed && counterexample.shrink_cases < config.max_shrink_cases) {
    progressed = false;
    for (const ConcurrentCase& candidate : smaller_cases(current, options.profile)) {
      if (counterexample.shrink_cases >= config.max_shrink_cases) break;
      ++counterexample.shrink_cases;
      if (!fails_with(runner.play(candidate, config.repeat, seed + counterexample.shrink_cases),
                      options, clause)) {
        continue;
      }
      current = candidate;
      progressed = true;
      if (config.run.progress) {
        Progress status;
        status.shrinking = true;
        status.shrink_runs = counterexample.shrink_cases;
        status.shrunk_length = history_slots(current, options.profile);
        config.run.progress(status);
      }
      break;
    }
  }
  counterexample.shrunk = current;
  counterexample.repeat = config.repeat;
  if (runner.controlled()) {
    // A play is a function of its schedule: the fewest preemptions that
    // fail the shrunk case, and how often that very schedule fails.
    detail::shrink_schedule(runner, current, clause, config.repeat, seed ^ 0xf00dull,
                            counterexample);
    return counterexample;
  }
  // Fresh plays of the shrunk case: how often it fails, and one failing
  // history to show. A race that does not show again in a few rounds is
  // reported with the failing history of the original case.
  for (int round = 0; round < 4 && !counterexample.judgement.violation.expected.size(); ++round) {
    const std::vector<History> histories =
        runner.play(current, config.repeat, seed ^ (0xf00dull + static_cast<std::uint64_t>(round)));
    std::uint32_t failed_runs = 0;
    fails_with(histories, options, clause, &failed_runs);
    if (round == 0) counterexample.failed_runs = failed_runs;
    for (const History& history : histories) {
      LinearizabilityResult result = check_linearizability(history, options);
      if (!result.linearizable && result.violation.clause == clause) {
        counterexample.history = history;
        counterexample.judgement = std::move(result);
        break;
      }
    }
  }
  return counterexample;
}

}  // namespace

ConcurrentCase generate_concurrent_case(const ConcurrentConfig& config, std::uint64_t index) {
  const Profile profile = config.run.case_options.profile;
  const std::uint64_t key = case_key(config.run.seed, index);
  Numbers numbers(key);
  ConcurrentCase c;
  // The prefix: a sequential case of up to a quarter of max_steps, cut
  // before any Release to zero.
  const GenerationOptions prefix_options{profile, config.run.max_steps / 4};
  const int size = static_cast<int>(index % 101);
  c.prefix = play_prefix(profile, gen_steps(prefix_options)(
                                      rc::Random(rc::Random::Key{config.run.seed, index,
                                                                 kConcurrentStreamTag, 0}),
                                      size)
                                      .value())
                 .steps;
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
      c.threads.push_back(thread_run(numbers, config, 1 + extra, false, true));
    }
  } else {
    for (std::uint32_t t = 0; t < threads; ++t) {
      c.threads.push_back(thread_run(numbers, config, 0, false, false));
    }
  }
  return c;
}

std::optional<std::pair<History, LinearizabilityResult>> first_failure(
    const std::vector<History>& histories, const CaseOptions& options) {
  for (const History& history : histories) {
    LinearizabilityResult result = check_linearizability(history, options);
    throw_if_spooler_failed(result);
    if (!result.linearizable) return std::pair{history, std::move(result)};
  }
  return std::nullopt;
}

ConcurrentRunResult run_concurrent_certification(HistoryRunner& runner,
                                                 const ConcurrentConfig& config) {
  const RunConfig& run_config = config.run;
  if (config.threads < 2) throw ConfigurationError("a concurrent history needs 2 threads or more");
  if (config.repeat == 0) throw ConfigurationError("each case must be played at least once");
  if (run_config.shard_count == 0 || run_config.shard_index >= run_config.shard_count) {
    throw ConfigurationError("shard index " + std::to_string(run_config.shard_index) +
                             " is not below the shard count " +
                             std::to_string(run_config.shard_count));
  }
  const auto start = std::chrono::steady_clock::now();
  const CaseOptions& options = runner.options();
  ConcurrentRunResult run;
  Progress status;
  status.cases_total = run_config.cases / run_config.shard_count +
                       (run_config.shard_index < run_config.cases % run_config.shard_count);
  for (std::uint64_t index = run_config.shard_index; index < run_config.cases;
       index += run_config.shard_count) {
    const ConcurrentCase c = generate_concurrent_case(config, index);
    const std::uint64_t seed = schedule_seed(config, index);
    const std::vector<History> histories = runner.play(c, config.repeat, seed);
    ++run.cases_run;
    run.histories_run += histories.size();
    std::optional<std::pair<History, LinearizabilityResult>> failure;
    for (const History& history : histories) {
      LinearizabilityResult result = check_linearizability(history, options);
      throw_if_spooler_failed(result);
      run.tally.add(result.tally);
      run.calls_run += history.calls.size();
      if (!result.linearizable && !failure) failure.emplace(history, std::move(result));
    }
    if (failure) {
      ConcurrentCounterexample counterexample =
          shrink(runner, config, c, failure->second.violation.clause, seed);
      if (counterexample.judgement.violation.expected.empty()) {
        counterexample.history = failure->first;
        counterexample.judgement = failure->second;
        counterexample.shrunk = c;
      }
      counterexample.case_index = index;
      run.counterexample = std::move(counterexample);
      break;
    }
    if (run_config.progress && run.cases_run % 64 == 0) {
      status.cases_done = run.cases_run;
      run_config.progress(status);
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace logoffcheck
