// A provider author's conformance test, built against an installed logoffcheck.
#include <logoffcheck/builtin.h>
#include <logoffcheck/conformance.h>

#include <string>

// The store under test (the provider guide's complete store), linked in.
extern "C" logoffcheck::IMsgStore* logoffcheck_open_store(logoffcheck::IMAPISupport* support);

LOGOFFCHECK_CONFORMANCE_TEST(MyStore, logoffcheck_open_store, logoffcheck::Profile::deferred)

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A deferred store does not call the spooler from StoreLogoff: under the
// eager profile the check must fail and say which clause and where.
TEST(MyStore, FailsTheEagerProfileNamingTheClause) {
  logoffcheck::RunConfig config;
  config.case_options.profile = logoffcheck::Profile::eager;
  const ::testing::AssertionResult result = logoffcheck::conforms(logoffcheck_open_store, config);
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_TRUE(contains(message, "SL-5 (MUST)")) << message;
  EXPECT_TRUE(contains(message, "minimal counterexample")) << message;
}

// The bundled mutants come with the package, for trying the check out.
TEST(BundledMutant, SavesFirstFlagIsCaughtByLt1) {
  const logoffcheck::BuiltinProvider* mutant =
      logoffcheck::find_builtin_provider("saves-first-flag");
  ASSERT_NE(mutant, nullptr);
  const ::testing::AssertionResult result = logoffcheck::conforms(mutant->open_store);
  ASSERT_FALSE(result);
  const std::string message = result.message();
  EXPECT_TRUE(contains(message, "LT-1 (MUST)")) << message;
  EXPECT_TRUE(contains(message, "observed: StoreLogoffTransports(LOGOFF_NO_WAIT)")) << message;
}

}  // namespace
