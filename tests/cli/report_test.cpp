// Tests of report.h: counterexample and report documents (written, and read with an InputError
// naming the place of every malformed input), shard merging, JUnit XML, tables, emitted gtests.
#include "logoffcheck/report.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "logoffcheck/builtin.h"
#include "logoffcheck/coverage.h"
#include "logoffcheck/in_process.h"

namespace logoffcheck {
namespace {

Provider builtin(std::string_view name) {
  const BuiltinProvider* found = find_builtin_provider(name);
  if (found == nullptr) throw std::logic_error("no builtin " + std::string(name));
  return Provider("builtin:" + std::string(name), found->open_store);
}

RunConfig small_run(std::uint64_t cases, std::uint32_t shard_index = 0,
                    std::uint32_t shard_count = 1) {
  RunConfig config;
  config.seed = 3;
  config.cases = cases;
  config.shard_index = shard_index;
  config.shard_count = shard_count;
  return config;
}

Report certify(std::string_view provider, const RunConfig& config) {
  InProcessRunner runner(builtin(provider), config.case_options);
  return make_report(run_certification(runner, config), config, "builtin:" + std::string(provider));
}

// The saves-first-flag mutant's minimal counterexample (its gallery entry).
const CounterexampleDocument& saves_first_flag() {
  static const CounterexampleDocument document = [] {
    const Report report = certify("saves-first-flag", small_run(10000));
    if (!report.counterexample) throw std::logic_error("saves-first-flag passed");
    return *report.counterexample;
  }();
  return document;
}

// The message of the InputError that parsing `text` throws ("" if none).
template <typename Parse>
std::string input_error(Parse parse, const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

std::string counterexample_error(const std::string& text) {
  return input_error([](std::string_view t) { return parse_counterexample_json(t); }, text);
}

std::string report_error(const std::string& text) {
  return input_error([](std::string_view t) { return parse_report_json(t); }, text);
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("no '" + from + "' in the document");
  return text.replace(at, from.size(), to);
}

// --- Counterexample documents ------------------------------------------------------

TEST(CounterexampleJson, TheMutantsCounterexampleIsThreeStepsNamingLT1) {
  const CounterexampleDocument& found = saves_first_flag();
  ASSERT_NE(found.sequential(), nullptr);
  EXPECT_EQ(found.sequential()->steps.size(), 3u);
  EXPECT_EQ(found.violation.clause, ClauseId::LT_1);
  EXPECT_EQ(found.sequential()->violation_step, 2u);
  const std::string json = write_counterexample_json(found);
  EXPECT_NE(json.find(R"({"call": "StoreLogoff", "flags": "0x00000002"})"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("clause": "LT-1", "step": 3)"), std::string::npos) << json;
}

Step arbitrary_step(int action, bool null_pointer, ULONG flags) {
  const auto chosen = static_cast<Action>(action);
  if (chosen != Action::StoreLogoff) return environment(chosen);
  return null_pointer ? store_logoff_null() : store_logoff(flags);
}

RC_GTEST_PROP(CounterexampleJson, WritingThenReadingGivesTheSameDocument, ()) {
  CounterexampleDocument document;
  document.provider =
      *rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~')));
  document.profile = *rc::gen::elementOf(kProfiles);
  document.strict = *rc::gen::arbitrary<bool>();
  document.seed = *rc::gen::arbitrary<std::uint64_t>();
  document.case_index = *rc::gen::arbitrary<std::uint64_t>();
  SequentialPart& part = document.part.emplace<SequentialPart>();
  part.steps = *rc::gen::nonEmpty(rc::gen::container<std::vector<Step>>(
      rc::gen::apply(arbitrary_step, rc::gen::inRange(0, static_cast<int>(kActionCount)),
                     rc::gen::arbitrary<bool>(), rc::gen::arbitrary<ULONG>())));
  std::vector<ClauseId> judged;
  for (const Clause& entry : kClauses) {
    if (entry.party == Party::provider && applies_to(entry.id, document.profile)) {
      judged.push_back(entry.id);
    }
  }
  document.violation.clause = *rc::gen::elementOf(judged);
  const auto text = rc::gen::container<std::string>(rc::gen::inRange<char>(' ', '~'));
  document.violation.expected = *text;
  document.violation.observed = *text;
  part.violation_step = *rc::gen::inRange<std::size_t>(0, part.steps.size());

  RC_ASSERT(parse_counterexample_json(write_counterexample_json(document)) == document);
}

TEST(CounterexampleJson, EveryTruncationIsAnInputError) {
  const std::string json = write_counterexample_json(saves_first_flag());
  for (std::size_t length = 0; length < json.size(); ++length) {
    // The document ends in "}\n": only the newline may go.
    if (length == json.size() - 1) continue;
    EXPECT_NE(counterexample_error(json.substr(0, length)), "") << "at length " << length;
  }
}

RC_GTEST_PROP(CounterexampleJson, AnyCorruptionParsesOrIsAnInputError, ()) {
  std::string json = write_counterexample_json(saves_first_flag());
  const auto edits = *rc::gen::inRange(1, 8);
  for (int i = 0; i < edits; ++i) {
    const auto at = *rc::gen::inRange<std::size_t>(0, json.size());
    json[at] = *rc::gen::arbitrary<char>();
  }
  try {
    parse_counterexample_json(json);
  } catch (const InputError&) {
    // Rejected with a message: fine. Any other exception fails the property.
  }
}

struct Corruption {
  std::string name;
  std::string from;
  std::string to;
  std::string message;
};

void PrintTo(const Corruption& corruption, std::ostream* out) { *out << corruption.name; }

class CounterexampleErrors : public ::testing::TestWithParam<Corruption> {};

TEST_P(CounterexampleErrors, NameTheProblemAndWhereItIs) {
  const Corruption& corruption = GetParam();
  CounterexampleDocument document = saves_first_flag();
  document.case_index = 7;  // a value the corruptions can name
  const std::string json =
      replace(write_counterexample_json(document), corruption.from, corruption.to);
  EXPECT_EQ(counterexample_error(json), corruption.message) << json;
}

INSTANTIATE_TEST_SUITE_P(
    Corruptions, CounterexampleErrors,
    ::testing::Values(
        Corruption{"FlagsNotHex", "\"0x00000002\"", "\"2\"",
                   "steps[1].flags: expected a hex string like \"0x00000002\" or null"},
        Corruption{"FlagsTooLong", "\"0x00000002\"", "\"0x000000002\"",
                   "steps[1].flags: expected a hex string like \"0x00000002\" or null"},
        Corruption{"FlagsSigned", "\"0x00000002\"", "\"0x-2\"",
                   "steps[1].flags: expected a hex string like \"0x00000002\" or null"},
        Corruption{"FlagsANumber", "\"0x00000002\"", "2",
                   "steps[1].flags: expected a hex string like \"0x00000002\" or null"},
        Corruption{"FlagsMissing", R"({"call": "StoreLogoff", "flags": "0x00000002"})",
                   R"({"call": "StoreLogoff"})", "steps[1]: missing key \"flags\""},
        Corruption{"FlagsOnAddRef", R"({"call": "Release"})",
                   R"({"call": "Release", "flags": null})", "steps[2]: unknown key \"flags\""},
        Corruption{"CallAndEnv", R"({"call": "Release"})",
                   R"({"call": "Release", "env": "MessageQueued"})",
                   "steps[2]: a step has exactly one of \"call\" or \"env\""},
        Corruption{"EnvAsCall", R"({"call": "Release"})", R"({"call": "MessageQueued"})",
                   "steps[2].call: unknown call \"MessageQueued\"; expected one of AddRef, "
                   "Release, StoreLogoff"},
        Corruption{"CallAsEnv", R"({"call": "Release"})", R"({"env": "Release"})",
                   "steps[2].env: unknown environment event \"Release\"; expected one of "
                   "InboundBegins, InboundEnds, OutboundBegins, OutboundEnds, MessageQueued, "
                   "OtherProcessOpens, OtherProcessCloses"},
        Corruption{"StepNotAnObject", R"({"call": "Release"})", R"("Release")",
                   "steps[2]: expected a step object like {\"call\": \"AddRef\"}, found a "
                   "string"},
        Corruption{"NegativeSeed", "\"seed\": 3", "\"seed\": -3",
                   "seed: expected a non-negative integer, found a negative number"},
        Corruption{"FractionalCase", "\"case_index\": 7", "\"case_index\": 0.5",
                   "case_index: expected a non-negative integer, found a fractional number"},
        Corruption{"UnknownProfile", "\"deferred\"", "\"lazy\"",
                   "profile: unknown value \"lazy\"; expected \"deferred\" or \"eager\""},
        Corruption{"StrictNotBool", "\"strict\": false", "\"strict\": 0",
                   "strict: expected true or false, found a number"},
        Corruption{"OtherSchema", "\"schema_version\": 1", "\"schema_version\": 2",
                   "schema_version: this logoffcheck reads version 1, the document is version 2"},
        Corruption{"EmptyProvider", "\"builtin:saves-first-flag\"", "\"\"", "provider: is empty"},
        Corruption{"StepZero", "\"step\": 3", "\"step\": 0",
                   "violation.step: 0 is not a step number between 1 and 3"},
        Corruption{"SpoolerClause", "\"LT-1\"", "\"SP-1\"",
                   "violation.clause: SP-1 binds the simulated spooler, not a provider"},
        Corruption{"ClauseOfTheOtherProfile", "\"LT-1\"", "\"SL-5\"",
                   "violation.clause: SL-5 does not apply to the deferred profile"},
        Corruption{"MisspeltKey", "\"violation\"", "\"violations\"", "unknown key \"violations\""}),
    [](const auto& info) { return info.param.name; });

TEST(CounterexampleJson, NullFlagsAreANullPointer) {
  const std::vector<Step> steps = parse_steps_json(
      R"([{"call": "StoreLogoff", "flags": null}, {"call": "StoreLogoff", "flags": "0XfF"},
          {"env": "OtherProcessOpens"}, {"call": "AddRef"}])");
  EXPECT_EQ(steps, (std::vector<Step>{store_logoff_null(), store_logoff(0xff),
                                      environment(Action::OtherProcessOpens), add_ref()}));
  try {
    parse_steps_json(R"({"call": "AddRef"})");
    ADD_FAILURE() << "an object accepted as steps";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "steps: expected an array of steps, found an object");
  }
}

TEST(CounterexampleJson, SizeDepthAndStepCountAreBounded) {
  EXPECT_NE(counterexample_error(std::string(kMaxDocumentBytes + 1, ' '))
                .find("the document is 16777217 bytes; the limit is 16777216"),
            std::string::npos);
  EXPECT_EQ(counterexample_error(std::string(1000, '[')),
            "malformed JSON: nested deeper than 32 levels at byte 33");
  // Brackets inside strings are not nesting.
  EXPECT_EQ(counterexample_error("\"" + std::string(1000, '[') + "\""),
            "expected an object, found a string");
  std::string many = "[";
  for (std::size_t i = 0; i <= kMaxCounterexampleSteps; ++i) many += "{\"call\":\"AddRef\"},";
  many.back() = ']';
  try {
    parse_steps_json(many);
    ADD_FAILURE() << "too many steps accepted";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "steps: 100001 steps; the limit is 100000");
  }
}

TEST(CounterexampleJson, ANumberTooLargeForAnyTypeIsAnInputError) {
  // Found by the fuzz target (tests/isolation/fuzz_readers.cpp): nlohmann::json throws out_of_range
  // for it.
  EXPECT_EQ(counterexample_error(R"({"seed": 17777777777E777777})"),
            "malformed JSON: number overflow parsing '17777777777E777777'");
}

TEST(CounterexampleJson, NotUtf8IsAnInputError) {
  EXPECT_NE(counterexample_error("{\"provider\": \"\xff\"}").find("malformed JSON"),
            std::string::npos);
}

// --- Reports ----------------------------------------------------------------------

TEST(ReportJson, WritingThenReadingGivesTheSameReport) {
  for (const std::string_view provider : {"reference", "saves-first-flag"}) {
    const Report report = certify(provider, small_run(500));
    EXPECT_EQ(parse_report_json(write_report_json(report)), report) << provider;
  }
}

TEST(ReportJson, TheSameRunGivesTheSameBytesApartFromSeconds) {
  Report first = certify("reference", small_run(500));
  Report second = certify("reference", small_run(500));
  first.seconds = second.seconds = 0;
  EXPECT_EQ(write_report_json(first), write_report_json(second));
}

TEST(ReportJson, ClauseStatusesFollowLevelStrictnessAndProfile) {
  ClauseTally tally;
  tally.failed[static_cast<std::size_t>(ClauseId::RC_1)] = 1;  // SHOULD
  tally.failed[static_cast<std::size_t>(ClauseId::LT_1)] = 1;  // MUST
  tally.passed[static_cast<std::size_t>(ClauseId::SL_1)] = 1;
  tally.passed[static_cast<std::size_t>(ClauseId::SL_5)] = 1;  // eager only
  const Profile deferred = Profile::deferred;
  EXPECT_EQ(clause_status(ClauseId::RC_1, tally, deferred, false), ClauseStatus::warn);
  EXPECT_EQ(clause_status(ClauseId::RC_1, tally, deferred, true), ClauseStatus::fail);
  EXPECT_EQ(clause_status(ClauseId::LT_1, tally, deferred, false), ClauseStatus::fail);
  EXPECT_EQ(clause_status(ClauseId::SL_1, tally, deferred, false), ClauseStatus::pass);
  EXPECT_EQ(clause_status(ClauseId::SL_2, tally, deferred, false), ClauseStatus::not_exercised);
  EXPECT_EQ(clause_status(ClauseId::SL_5, tally, deferred, false), ClauseStatus::not_exercised);
  EXPECT_EQ(clause_status(ClauseId::SL_5, tally, Profile::eager, false), ClauseStatus::pass);
}

TEST(ReportJson, DerivedFieldsMustAgreeWithTheCounts) {
  const std::string json = write_report_json(certify("reference", small_run(200)));
  EXPECT_EQ(report_error(
                replace(json, R"("id": "SL-1", "level": "MUST", "applies": true, "status": "pass")",
                        R"("id": "SL-1", "level": "MUST", "applies": true, "status": "fail")")),
            "clauses[0].status: expected \"pass\" for this clause, profile and counts");
  EXPECT_EQ(report_error(replace(json, "\"id\": \"SL-2\"", "\"id\": \"SL-3\"")),
            "clauses[1].id: expected \"SL-2\" (clauses are listed in catalog order), found "
            "\"SL-3\"");
  EXPECT_EQ(
      report_error(replace(json, "\"verdict\": \"conformant\"", "\"verdict\": \"non-conformant\"")),
      "verdict: expected \"conformant\" (the counterexample is null)");
  EXPECT_EQ(report_error(replace(json, "\"shard\": {\"index\": 0, \"count\": 1}",
                                 "\"shard\": {\"index\": 1, \"count\": 1}")),
            "shard.index: 1 is above 0");
  EXPECT_EQ(report_error(replace(json, "\"seconds\": ", "\"seconds\": -1, \"x\": ")),
            "stats: unknown key \"x\"");
}

TEST(ReportJson, EveryTruncationIsAnInputError) {
  Report report = certify("saves-first-flag", small_run(100));
  // A coverage list of two, not 675 (51,000 cuts took 15 minutes under ASan).
  ASSERT_TRUE(report.coverage.has_value());
  const TransitionSet& reachable = reachable_transitions(report.profile);
  report.coverage->exercised.bits = reachable.bits;
  for (int dropped = 0; dropped < 2; ++dropped) {
    std::size_t lowest = 0;
    while (!report.coverage->exercised.bits.test(lowest)) ++lowest;
    report.coverage->exercised.bits.reset(lowest);
  }
  const std::string json = write_report_json(report);
  ASSERT_NE(json.find("\"unexercised\": [\""), std::string::npos);
  for (std::size_t length = 0; length + 1 < json.size(); ++length) {
    EXPECT_NE(report_error(json.substr(0, length)), "") << "at length " << length;
  }
}

TEST(ReportJson, ReplayReadsACounterexampleOrAFailingReport) {
  const CounterexampleDocument& found = saves_first_flag();
  EXPECT_EQ(parse_replayable_json(write_counterexample_json(found)), found);
  const Report failing = certify("saves-first-flag", small_run(10000));
  EXPECT_EQ(parse_replayable_json(write_report_json(failing)), *failing.counterexample);
  const std::string conformant = write_report_json(certify("reference", small_run(100)));
  EXPECT_EQ(input_error([](std::string_view t) { return parse_replayable_json(t); }, conformant),
            "a report of a conformant run: it holds no counterexample to replay");
}

// --- Merging ------------------------------------------------------------------------

std::vector<Report> shards_of(std::string_view provider, std::uint64_t cases, std::uint32_t count) {
  std::vector<Report> shards;
  for (std::uint32_t index = 0; index < count; ++index) {
    shards.push_back(certify(provider, small_run(cases, index, count)));
  }
  return shards;
}

TEST(Merge, ConformantShardsAddUpToTheWholeRun) {
  const Report whole = certify("reference", small_run(900));
  const Report merged = merge_reports(shards_of("reference", 900, 3));
  EXPECT_TRUE(merged.conformant());
  EXPECT_EQ(merged.cases_run, whole.cases_run);
  EXPECT_EQ(merged.steps_run, whole.steps_run);
  EXPECT_EQ(merged.tally, whole.tally);
  EXPECT_EQ(merged.shard, (ShardInfo{std::nullopt, 3}));
}

TEST(Merge, FailingShardsGiveTheWholeRunsFirstCounterexampleAndCaseCount) {
  const Report whole = certify("saves-first-flag", small_run(10000));
  ASSERT_FALSE(whole.conformant());
  for (const std::uint32_t count : {2u, 3u, 5u}) {
    const Report merged = merge_reports(shards_of("saves-first-flag", 10000, count));
    ASSERT_FALSE(merged.conformant()) << count << " shards";
    EXPECT_EQ(merged.counterexample, whole.counterexample) << count << " shards";
    EXPECT_EQ(merged.cases_run, whole.counterexample->case_index + 1) << count << " shards";
  }
}

TEST(Merge, RejectsReportsOfDifferentRuns) {
  std::vector<Report> shards = shards_of("reference", 40, 2);
  const auto merge_error = [](const std::vector<Report>& reports) {
    try {
      merge_reports(reports);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  std::vector<Report> other_seed = shards;
  other_seed[1].seed = 4;
  EXPECT_EQ(merge_error(other_seed),
            "report 2 has seed 4, report 1 has 3: only shards of the same run can be merged");
  std::vector<Report> other_provider = shards;
  other_provider[1].provider = "builtin:reference-eager";
  EXPECT_NE(merge_error(other_provider).find("report 2 has provider builtin:reference-eager"),
            std::string::npos);
  std::vector<Report> strict = shards;
  strict[0].strict = true;
  EXPECT_NE(merge_error(strict).find("report 2 has strict false, report 1 has true"),
            std::string::npos);
  EXPECT_EQ(merge_error({shards[1], shards[1]}), "shard 1 appears twice (reports 1 and 2)");
  EXPECT_EQ(merge_error({shards[1]}), "shard 0 of 2 is missing");
  EXPECT_EQ(merge_error({}), "merge: no reports given");
  const Report merged = merge_reports(shards);
  EXPECT_EQ(merge_error({merged}), "report 1 is already a merged report");
}

// --- JUnit ---------------------------------------------------------------------------

TEST(Junit, OneTestcasePerClauseFailuresCarryTheCounterexample) {
  const std::string xml = write_junit_xml(certify("saves-first-flag", small_run(10000)));
  const std::regex testcase("<testcase ");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(xml.begin(), xml.end(), testcase), std::sregex_iterator()),
      static_cast<std::ptrdiff_t>(kClauseCount));
  EXPECT_NE(xml.find("<testcase classname=\"logoffcheck.deferred\" name=\"LT-1 The final "
                     "Release passes"),
            std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"LT-1\" message=\"LT-1: expected "
                     "StoreLogoffTransports(LOGOFF_ORDERLY)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
}

TEST(Junit, EscapesMarkupInNamesAndText) {
  Report report = certify("saves-first-flag", small_run(10000));
  report.provider = "lib<&>\"'.so";
  report.counterexample->violation.observed = "<b>&\x01";
  const std::string xml = write_junit_xml(report);
  EXPECT_NE(xml.find("value=\"lib&lt;&amp;&gt;&quot;&apos;.so\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("observed &lt;b&gt;&amp;?"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<b>"), std::string::npos);
}

// --- Text ------------------------------------------------------------------------------

TEST(Text, TablesAlignColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(format_table({"a", "long header", "c"}, {{"wide cell", "x", ""}, {"", "", "z"}}),
            "a          long header  c\n"
            "---------  -----------  -\n"
            "wide cell  x\n"
            "                        z\n");
}

TEST(Text, StepSummariesSayWhatWasExpectedAndObserved) {
  InProcessRunner runner(builtin("reference"), CaseOptions{});
  const CaseResult result =
      runner.run(std::vector<Step>{add_ref(), store_logoff(LOGOFF_ORDERLY), release()});
  ASSERT_FALSE(result.failed());
  ASSERT_EQ(result.records.size(), 4u);  // the case appends the final Release
  const std::vector<std::pair<std::string, std::string>> summaries = {
      {"returns 2", "returned 2"},
      {"S_OK, no transport call", "S_OK, *lpulFlags=LOGOFF_ORDERLY"},
      {"returns 1", "returned 1"},
      {"returns 0, StoreLogoffTransports(LOGOFF_ORDERLY)",
       "returned 0, StoreLogoffTransports(LOGOFF_ORDERLY)"},
  };
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    EXPECT_EQ(summarize_expected(result.records[i]), summaries[i].first) << "step " << i + 1;
    EXPECT_EQ(summarize_observed(result.records[i]), summaries[i].second) << "step " << i + 1;
  }
}

TEST(Text, TheStepTableMarksTheViolatingStep) {
  InProcessRunner runner(builtin("saves-first-flag"), CaseOptions{});
  const CounterexampleDocument& found = saves_first_flag();
  const CaseResult result = runner.run(found.sequential()->steps);
  ASSERT_TRUE(result.failed());
  const std::string table =
      format_step_table(result.records, result.violation, result.violation_step);
  EXPECT_TRUE(std::regex_search(table, std::regex("\n3 +Release +StoreLogoffTransports\\("
                                                  "LOGOFF_ORDERLY\\).* LT-1\n$")))
      << table;
  // A document holds no observations: its table shows the violation only.
  const std::string document_table = format_counterexample_steps(found);
  EXPECT_TRUE(std::regex_search(document_table,
                                std::regex("\n2 +StoreLogoff +LOGOFF_ORDERLY +S_OK, no transport "
                                           "call\n3 +Release .* LT-1\n$")))
      << document_table;
}

// --- Emitted regression tests --------------------------------------------------------

TEST(EmitGtest, ABuiltinIsFoundByNameAndEveryStepIsSpelledOut) {
  CounterexampleDocument document = saves_first_flag();
  document.part = SequentialPart{{add_ref(), store_logoff_null(), store_logoff(0x3),
                                  environment(Action::MessageQueued), release(), release()},
                                 5};
  const std::string source = emit_gtest_source(document);
  for (const std::string_view expected :
       {"find_builtin_provider(\"saves-first-flag\")", "add_ref(),  // 1",
        "store_logoff_null(),  // 2", "store_logoff(0x00000003u),  // 3",
        "environment(Action::MessageQueued),  // 4", "release(),  // 6: LT-1 failed here",
        "TEST(LogoffcheckRegression, SavesFirstFlagSeed3Case", "Profile::deferred"}) {
    EXPECT_NE(source.find(expected), std::string::npos) << expected << "\n" << source;
  }
}

TEST(EmitGtest, ALibraryIsLoadedByItsPathAsAnEscapedLiteral) {
  CounterexampleDocument document = saves_first_flag();
  document.provider = "/tmp/a \"b\"\\c?.so";
  const std::string source = emit_gtest_source(document);
  EXPECT_NE(source.find(R"(Provider::load_library("/tmp/a \"b\"\\c\077.so"))"), std::string::npos)
      << source;
  EXPECT_EQ(source.find("builtin.h"), std::string::npos);
}

}  // namespace
}  // namespace logoffcheck
