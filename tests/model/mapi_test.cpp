// The MAPI vocabulary: flag predicates and how flags, HRESULTs and steps are
// rendered for people (mapi.h, step.h).
#include <gtest/gtest.h>

#include "logoffcheck/mapi.h"
#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace logoffcheck {
namespace {

TEST(FlagHelpers, EachInputFlagAloneIsASingleInputFlag) {
  for (ULONG flag : kInputFlags) EXPECT_TRUE(is_single_input_flag(flag)) << describe_flags(flag);
}

TEST(FlagHelpers, ZeroSeveralOutputOnlyOrUnknownBitsAreNotASingleInputFlag) {
  for (ULONG flags :
       {ULONG{0}, LOGOFF_NO_WAIT | LOGOFF_ORDERLY, LOGOFF_ABORT | LOGOFF_QUIET, kInputFlagMask,
        LOGOFF_COMPLETE, LOGOFF_INBOUND, LOGOFF_OUTBOUND, LOGOFF_OUTBOUND_QUEUE,
        LOGOFF_ABORT | LOGOFF_INBOUND, ULONG{0x20}, ULONG{0x80000000}}) {
    EXPECT_FALSE(is_single_input_flag(flags)) << format_hex(flags);
  }
}

TEST(FlagHelpers, MasksPartitionTheKnownBits) {
  EXPECT_EQ(kInputFlagMask & kOutputFlagMask, 0u);
  EXPECT_EQ(kOutputFlagMask, LOGOFF_COMPLETE | kActivityFlagMask);
  EXPECT_EQ(kKnownFlagMask, kInputFlagMask | kOutputFlagMask);
}

TEST(FlagHelpers, FlagNameNamesSingleBitsOnly) {
  EXPECT_EQ(flag_name(LOGOFF_PURGE), "LOGOFF_PURGE");
  EXPECT_EQ(flag_name(LOGOFF_OUTBOUND_QUEUE), "LOGOFF_OUTBOUND_QUEUE");
  EXPECT_TRUE(flag_name(LOGOFF_NO_WAIT | LOGOFF_ORDERLY).empty());
  EXPECT_TRUE(flag_name(0x20).empty());
}

TEST(DescribeFlags, RendersEveryShapeOfMask) {
  struct Case {
    ULONG flags;
    const char* text;
  };
  for (const Case& c : {
           Case{0, "0 (no flags)"},
           Case{LOGOFF_ORDERLY, "LOGOFF_ORDERLY"},
           Case{LOGOFF_COMPLETE, "LOGOFF_COMPLETE"},
           Case{LOGOFF_INBOUND | LOGOFF_OUTBOUND, "LOGOFF_INBOUND|LOGOFF_OUTBOUND"},
           Case{LOGOFF_NO_WAIT | LOGOFF_ORDERLY, "0x00000003 (LOGOFF_NO_WAIT|LOGOFF_ORDERLY)"},
           Case{LOGOFF_COMPLETE | LOGOFF_INBOUND, "0x00030000 (LOGOFF_COMPLETE|LOGOFF_INBOUND)"},
           Case{0x20, "0x00000020 (unknown 0x00000020)"},
           Case{LOGOFF_ABORT | 0x100, "0x00000108 (LOGOFF_ABORT|unknown 0x00000100)"},
       }) {
    EXPECT_EQ(describe_flags(c.flags), c.text);
  }
}

TEST(DescribeHresult, NamesKnownHresultsAndPrintsOthersInHex) {
  EXPECT_EQ(describe_hresult(S_OK), "S_OK");
  EXPECT_EQ(describe_hresult(MAPI_E_INVALID_PARAMETER), "MAPI_E_INVALID_PARAMETER");
  EXPECT_EQ(describe_hresult(MAPI_E_UNKNOWN_FLAGS), "MAPI_E_UNKNOWN_FLAGS");
  EXPECT_EQ(describe_hresult(static_cast<HRESULT>(0x80001234u)), "0x80001234");
  EXPECT_EQ(format_hex(0x2a), "0x0000002A");
}

TEST(DescribeHresult, FailedIsTheSeverityBit) {
  EXPECT_FALSE(failed(S_OK));
  for (const auto& named : kHresultNames) {
    EXPECT_EQ(failed(named.value), named.value != S_OK) << named.name;
  }
}

TEST(Steps, DescribeStepShowsTheStoreLogoffArgument) {
  EXPECT_EQ(describe_step(add_ref()), "AddRef");
  EXPECT_EQ(describe_step(store_logoff(LOGOFF_ORDERLY)), "StoreLogoff(LOGOFF_ORDERLY)");
  EXPECT_EQ(describe_step(store_logoff_null()), "StoreLogoff(NULL)");
  EXPECT_EQ(describe_step(environment(Action::MessageQueued)), "MessageQueued");
}

TEST(Steps, ActionAndProfileNamesParseBack) {
  for (std::size_t i = 0; i < kActionCount; ++i) {
    const auto action = static_cast<Action>(i);
    EXPECT_EQ(parse_action(action_name(action)), action);
  }
  EXPECT_FALSE(parse_action("addref").has_value());
  for (Profile profile : kProfiles) EXPECT_EQ(parse_profile(profile_name(profile)), profile);
  EXPECT_FALSE(parse_profile("lazy").has_value());
}

}  // namespace
}  // namespace logoffcheck
