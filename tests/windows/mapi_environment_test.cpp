// The MAPI environment a Windows store DLL logs on to
// (docs/mapi-environment.md): the profile file format, the support methods
// the SDK sample's Logon needs (traced call by call), a Logon that fails
// naming the method it needed, and 32-bit DLLs under Wine's 32-bit loader.
#include "logoffcheck/mapi_environment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "logoffcheck/engine.h"
#include "logoffcheck/windows_runner.h"

namespace logoffcheck {
namespace {

std::string test_dll(const std::string& name) {
  return std::string(LOGOFFCHECK_WINDOWS_TEST_DLL_DIR) + "/" + name;
}

std::string parse_error(const std::string& text) {
  try {
    parse_mapi_profile(text, "test.profile");
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return "no error";
}

const MapiProperty* find(const std::vector<MapiProperty>& section, std::uint32_t tag) {
  const auto found = std::find_if(section.begin(), section.end(),
                                  [&](const MapiProperty& p) { return p.tag == tag; });
  return found == section.end() ? nullptr : &*found;
}

TEST(MapiProfile, TheBuiltInProfileNamesTheProfileAndTheService) {
  const MapiProfile profile = MapiProfile::builtin();
  ASSERT_NE(find(profile.global, 0x3D12001E), nullptr);    // PR_PROFILE_NAME
  EXPECT_NE(find(profile.provider, 0x3001001E), nullptr);  // PR_DISPLAY_NAME
  ASSERT_NE(find(profile.provider, 0x3D0C0102), nullptr);  // PR_SERVICE_UID
  EXPECT_EQ(find(profile.provider, 0x3D0C0102)->value.size(), 16u);
}

TEST(MapiProfile, AFileSetsPropertiesOfBothSectionsOverTheBuiltInOnes) {
  const MapiProfile profile = parse_mapi_profile(
      "# a comment\n[provider]\nPR_DISPLAY_NAME string8 \"My \\\"store\\\"\"\n"
      "0x6600 long -2\n0x66010102 binary 0aFF\n0x6602 unicode \"\xc3\xa9\"\n"
      "0x6603 boolean true\n[global]\nPR_PROFILE_NAME string8 \"Outlook\"\n",
      "test.profile");
  EXPECT_EQ(find(profile.provider, 0x3001001E)->value,
            (std::vector<std::uint8_t>{'M', 'y', ' ', '"', 's', 't', 'o', 'r', 'e', '"'}));
  EXPECT_EQ(find(profile.provider, 0x66000003)->value,
            (std::vector<std::uint8_t>{0xFE, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(find(profile.provider, 0x66010102)->value, (std::vector<std::uint8_t>{0x0A, 0xFF}));
  EXPECT_EQ(find(profile.provider, 0x6602001F)->value, (std::vector<std::uint8_t>{0xE9, 0x00}));
  EXPECT_EQ(find(profile.provider, 0x6603000B)->value, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(find(profile.global, 0x3D12001E)->value,
            (std::vector<std::uint8_t>{'O', 'u', 't', 'l', 'o', 'o', 'k'}));
  EXPECT_EQ(profile.global.size(), 1u);  // replaced, not added
}

TEST(MapiProfile, BadInputNamesTheFileTheLineAndTheProblem) {
  EXPECT_NE(parse_error("0x6600 long 1\n").find("test.profile, line 1: a property before"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n\nPR_NOPE long 1\n").find("line 3: unknown property"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n0x6600 float 1\n").find("unknown type 'float'"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n0x66000003 binary 00\n").find("not the type given"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n0x6600 binary 0\n").find("even number of hex digits"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n0x6600 string8 \"open\n").find("no closing quote"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n0x6600 long 4294967296\n").find("32-bit integer"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\nPR_PROFILE_NAME string8 \"x\"\n").find("set it in [global]"),
            std::string::npos);
  EXPECT_NE(parse_error("[provider]\n0x8001 long 1\n").find("no named properties"),
            std::string::npos);
  EXPECT_NE(parse_error("[extra]\n").find("unknown section [extra]"), std::string::npos);
  EXPECT_NE(parse_error("[global]\nPR_OBJECT_TYPE long 9\n").find("computed"), std::string::npos);
}

bool traced(const std::vector<LogonCall>& trace, const std::string& start,
            const std::string& result) {
  return std::any_of(trace.begin(), trace.end(), [&](const LogonCall& call) {
    return call.call.starts_with(start) && call.result == result;
  });
}

// The SDK sample's Logon, call by call, and its store certified.
void expect_sample_logon(const std::string& dll) {
  WindowsAgentRunner runner(dll, {}, 5000);
  RunConfig config;
  config.cases = 200;
  const RunResult run = run_certification(runner, config);
  EXPECT_TRUE(run.conformant());
  const std::vector<LogonCall> trace = runner.logon_trace();
  ASSERT_FALSE(trace.empty());
  EXPECT_TRUE(trace.front().call.starts_with("MSProviderInit(")) << trace.front().call;
  EXPECT_EQ(trace.front().result, "S_OK");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"IMAPISupport::OpenProfileSection(NULL, MAPI_MODIFY)", "S_OK"},
      {"IProfSect(provider)::GetProps([PR_DISPLAY_NAME 0x6600001E 0x66010102]",
       "MAPI_W_ERRORS_RETURNED"},
      {"MAPIFreeBuffer(buffer)", "S_OK"},
      {"IMAPISupport::NewUID()", "S_OK"},
      {"IProfSect(provider)::SetProps([0x6600001E 0x66010102])", "S_OK"},
      {"IProfSect(provider)::SaveChanges(0x00000000)", "S_OK"},
      {"IMAPISupport::ModifyProfile(0x00000000)", "S_OK"},
      {"IProfSect(provider)::Release() (the last reference)", "S_OK"},
      {"IMAPISupport::SetProviderUID(", "S_OK"},
      {"IMAPISupport::Subscribe(16-byte key, fnevExtended, 0x00000000, ptr) -> connection 1",
       "S_OK"},
      {"IMAPISupport::Subscribe(16-byte key, fnevExtended, 0x00000000, ptr) -> connection 2",
       "S_OK"},
      {"MAPIAllocateBuffer(", "S_OK"},
      {"IMAPISupport::AddRef()", ""},  // the store's reference: the count is the verifier's
      {"IMSProvider::Logon(", "S_OK"},
  };
  std::size_t at = 0;
  for (const auto& [start, result] : expected) {
    while (at < trace.size() && !trace[at].call.starts_with(start)) ++at;
    ASSERT_LT(at, trace.size()) << "not traced in order: " << start;
    if (!result.empty()) {
      EXPECT_EQ(trace[at].result, result) << start;
    }
  }
  EXPECT_TRUE(runner.unsupported_support_calls().empty());
}

TEST(MapiEnvironment, TheSdkSamplesLogonLogsOnAndItsStoreConforms) {
  expect_sample_logon(test_dll("sample-logon-reference.dll"));
}

TEST(MapiEnvironment, TheSdkSamplesLogonLogsOnAs32BitDllToo) {
  expect_sample_logon(test_dll("sample-logon-reference-32.dll"));
}

TEST(MapiEnvironment, BehindTheSamplesLogonTheFirstFlagWinsMutantFailsLt1AtStep3) {
  WindowsAgentRunner runner(test_dll("sample-logon-saves-first-flag.dll"), {}, 5000);
  RunConfig config;
  config.cases = 500;
  const RunResult run = run_certification(runner, config);
  ASSERT_FALSE(run.conformant());
  EXPECT_EQ(run.counterexample->violation.clause, ClauseId::LT_1);
  EXPECT_EQ(run.counterexample->records.size(), 3u);
  EXPECT_EQ(run.counterexample->violation_step, 2u);
}

TEST(MapiEnvironment, AProfileWithTheStoresConfigurationSkipsNewUid) {
  MapiProfile profile = MapiProfile::builtin();
  profile.provider.push_back({0x6600001E, {'D', ':', '/', 'm', 'i', 'n', 'e'}});
  profile.provider.push_back({0x66010102, std::vector<std::uint8_t>(16, 0x42)});
  WindowsAgentRunner runner(test_dll("sample-logon-reference.dll"), {}, 5000, profile);
  EXPECT_FALSE(runner.run(std::vector<Step>{}).failed());
  const std::vector<LogonCall> trace = runner.logon_trace();
  EXPECT_TRUE(traced(trace, "IProfSect(provider)::GetProps(", "S_OK"));
  EXPECT_FALSE(traced(trace, "IMAPISupport::NewUID", "S_OK"));
  EXPECT_TRUE(
      traced(trace, "IMAPISupport::SetProviderUID(42424242424242424242424242424242, ", "S_OK"));
}

TEST(MapiEnvironment, ALogonThatNeedsAnUnsupportedMethodSaysWhich) {
  WindowsAgentRunner runner(test_dll("sample-logon-needs-address-book.dll"), {}, 5000);
  std::string message = "no ConfigurationError";
  try {
    runner.run(std::vector<Step>{});
  } catch (const ConfigurationError& error) {
    message = error.what();
  }
  EXPECT_NE(message.find("IMSProvider::Logon failed with MAPI_E_NO_SUPPORT after "
                         "IMAPISupport::OpenAddressBook, which logoffcheck does not support"),
            std::string::npos)
      << message;
  // Every call of the logon, in order.
  EXPECT_NE(message.find("1. IMAPISupport::OpenProfileSection(NULL, MAPI_MODIFY) -> S_OK"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("IMAPISupport::OpenAddressBook -> MAPI_E_NO_SUPPORT (not supported by "
                         "logoffcheck)"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace logoffcheck
