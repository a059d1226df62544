#include <iostream>
#include "logoffcheck/builtin.h"
#include "logoffcheck/engine.h"
using namespace logoffcheck;
int main() {
  for (const auto& p : builtin_providers()) {
    RunConfig config; config.case_options.profile = p.profile;
    InProcessRunner runner(Provider(std::string(p.name), p.open_store), config.case_options);
    auto r = run_certification(runner, config);
    std::cout << p.name << ": cases " << r.cases_run << " steps " << r.steps_run << " s " << r.seconds << " conformant " << r.conformant() << "\n";
    if (r.counterexample) {
      for (auto& rec : r.counterexample->records) std::cout << "   " << describe_step(rec.step) << "\n";
      std::cout << "   " << clause_code(r.counterexample->violation.clause) << " expected " << r.counterexample->violation.expected << " observed " << r.counterexample->violation.observed << " shrink runs " << r.counterexample->shrink_runs << "\n";
    }
  }
}
