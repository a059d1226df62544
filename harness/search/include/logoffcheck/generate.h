// logoffcheck/generate.h — test cases as values: RapidCheck generators and
// shrinks for `std::vector<Step>`.
//
// Sequences are generated as plain vectors (not rc::state commands): on the
// project's machine that ran about 400 times faster with equally small shrunk
// counterexamples (DEVELOPERS.md). Generation walks the model so that the
// caller rules hold (no call after the final Release, eager: only Release
// after LOGOFF_COMPLETE) and reference counts above one are common; shrinking
// removes chunks and simplifies single steps towards AddRef, then Release,
// then StoreLogoff(LOGOFF_NO_WAIT), ...
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include <rapidcheck.h>

#include "logoffcheck/model.h"
#include "logoffcheck/step.h"

namespace logoffcheck {

struct GenerationOptions {
  Profile profile = Profile::deferred;
  // The most steps one case has before its final Releases. RapidCheck's size
  // (0..100) scales the length between 0 and this.
  std::uint32_t max_steps = 64;
  // The stores a case may open (certify --stores, 1..kMaxStores): each step
  // goes to one of them, each store's steps respecting the caller rules on
  // its own. With 1, a case is what it was before stores existed, draw for
  // draw.
  std::uint32_t stores = 1;
};

// Sequences of steps that respect the caller rules of `options.profile`.
rc::Gen<std::vector<Step>> gen_steps(const GenerationOptions& options);

// The value gen_steps(options) generates from `random` at `size`, written
// into `steps` (whose old contents go): the same sequence without the shrink
// tree, for a caller that only runs it and shrinks a failure on its own (the
// engine). Reusing `steps` spares an allocation per case.
void generate_steps(const GenerationOptions& options, rc::Random random, int size,
                    std::vector<Step>& steps);

// Any single step, valid or not, weighted like gen_steps' choices.
rc::Gen<Step> gen_step();

// How complex a step is for shrinking: lower is simpler.
int step_rank(const Step& step) noexcept;

// The simpler versions of a step, simplest first.
rc::Seq<Step> shrink_step(const Step& step);

// The cases with one store fewer than `steps` (each store with steps, all of
// its steps removed), then `steps` with its stores renumbered 0, 1, ... and
// (store 0 is opened by every case, steps or not) with store 0 kept and the
// others renumbered 1, 2, ...; none for a case of one store.
std::vector<std::vector<Step>> fewer_stores(const std::vector<Step>& steps);

// `steps` with the shrinks gen_steps uses: remove a store, remove chunks,
// then simplify steps.
rc::Shrinkable<std::vector<Step>> shrinkable_steps(std::vector<Step> steps);

// RapidCheck's way to print a step in a counterexample.
void showValue(const Step& step, std::ostream& os);

}  // namespace logoffcheck

namespace rc {
template <>
struct Arbitrary<logoffcheck::Step> {
  static Gen<logoffcheck::Step> arbitrary() { return logoffcheck::gen_step(); }
};
}  // namespace rc
