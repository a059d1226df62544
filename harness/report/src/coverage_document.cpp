// The report's model coverage: its figures, and its "coverage" object in JSON
// with a reader that trusts nothing derived (docs/report.md, "Model coverage").
#include <cmath>

#include "json.h"

namespace logoffcheck {

namespace {

// The reachable transitions of `profile`, in index order: the positions the
// "transitions" string's bits stand for.
std::vector<std::size_t> reachable_indices(Profile profile) {
  std::vector<std::size_t> indices;
  const TransitionSet& reachable = reachable_transitions(profile);
  for (std::size_t i = 0; i < kTransitionCount; ++i) {
    if (reachable.bits.test(i)) indices.push_back(i);
  }
  return indices;
}

constexpr std::string_view kHexDigits = "0123456789abcdef";

// One hex digit per four reachable transitions, the first transition in the
// digit's lowest bit.
std::string encode_transitions(const TransitionSet& exercised, Profile profile) {
  const std::vector<std::size_t> indices = reachable_indices(profile);
  std::string hex((indices.size() + 3) / 4, '0');
  for (std::size_t n = 0; n < indices.size(); ++n) {
    if (!exercised.bits.test(indices[n])) continue;
    const auto digit = static_cast<std::size_t>(kHexDigits.find(hex[n / 4]));
    hex[n / 4] = kHexDigits[digit | (std::size_t{1} << (n % 4))];
  }
  return hex;
}

TransitionSet decode_transitions(const std::string& hex, const std::string& path, Profile profile) {
  const std::vector<std::size_t> indices = reachable_indices(profile);
  if (hex.size() != (indices.size() + 3) / 4) {
    json::input_error(path, "expected " + std::to_string((indices.size() + 3) / 4) +
                                " hex digits, one per four reachable transitions of the profile");
  }
  TransitionSet set;
  for (std::size_t d = 0; d < hex.size(); ++d) {
    const std::size_t digit = kHexDigits.find(hex[d]);
    if (digit == std::string_view::npos) json::input_error(path, "expected lowercase hex digits");
    for (std::size_t bit = 0; bit < 4; ++bit) {
      if ((digit & (std::size_t{1} << bit)) == 0) continue;
      const std::size_t n = d * 4 + bit;
      if (n >= indices.size()) json::input_error(path, "a bit past the reachable transitions");
      set.bits.set(indices[n]);
    }
  }
  return set;
}

}  // namespace

bool Report::passed() const noexcept {
  if (!conformant()) return false;
  if (!coverage || !coverage->minimum_percent) return true;
  const std::size_t reachable = reachable_transitions(profile).count();
  // The same rounding as coverage_figures, without allocating.
  const double percent =
      reachable == 0 ? 100.0
                     : std::round(1000.0 * static_cast<double>(coverage->exercised.count()) /
                                  static_cast<double>(reachable)) /
                           10;
  return percent >= *coverage->minimum_percent;
}

CoverageFigures coverage_figures(const Report& report) {
  CoverageFigures figures;
  for (std::size_t row = 0; row < figures.spooler_rows.size(); ++row) {
    const auto id = static_cast<ClauseId>(static_cast<std::size_t>(ClauseId::SP_1) + row);
    figures.spooler_rows[row] = report.tally.exercised(id) > 0;
  }
  if (!report.coverage) return figures;
  const TransitionSet& reachable = reachable_transitions(report.profile);
  figures.reachable = reachable.count();
  figures.exercised = (report.coverage->exercised.bits & reachable.bits).count();
  figures.percent = figures.reachable == 0
                        ? 100.0
                        : std::round(1000.0 * static_cast<double>(figures.exercised) /
                                     static_cast<double>(figures.reachable)) /
                              10;
  for (std::size_t i = 0; i < kTransitionCount; ++i) {
    if (reachable.bits.test(i) && !report.coverage->exercised.bits.test(i)) {
      figures.unexercised.push_back(i);
    }
  }
  if (report.coverage->minimum_percent) {
    figures.meets_minimum = figures.percent >= *report.coverage->minimum_percent;
  }
  return figures;
}

namespace json {

Json coverage_json(const Report& report) {
  const CoverageFigures figures = coverage_figures(report);
  Json rows = Json::object();
  for (std::size_t row = 0; row < figures.spooler_rows.size(); ++row) {
    rows["SP-" + std::to_string(row + 1)] = figures.spooler_rows[row];
  }
  Json unexercised = Json::array();
  for (const std::size_t index : figures.unexercised) {
    unexercised.push_back(describe_transition(index));
  }
  const std::optional<double>& minimum = report.coverage->minimum_percent;
  return {
      {"transitions", encode_transitions(report.coverage->exercised, report.profile)},
      {"exercised", figures.exercised},
      {"reachable", figures.reachable},
      {"percent", figures.percent},
      {"minimum_percent", minimum ? Json(*minimum) : Json(nullptr)},
      {"meets_minimum", figures.meets_minimum},
      {"spooler_rows", std::move(rows)},
      {"unexercised", std::move(unexercised)},
  };
}

ReportCoverage read_coverage(const Json& value, const std::string& path, Profile profile) {
  expect_object(value, path,
                {"transitions", "exercised", "reachable", "percent", "minimum_percent",
                 "meets_minimum", "spooler_rows", "unexercised"});
  ReportCoverage coverage;
  coverage.exercised = decode_transitions(read_string(value, "transitions", path),
                                          join_path(path, "transitions"), profile);
  const Json& minimum = member(value, "minimum_percent", path);
  if (!minimum.is_null()) {
    expect_type(minimum.is_number() && minimum.get<double>() >= 0 && minimum.get<double>() <= 100,
                minimum, join_path(path, "minimum_percent"), "a number from 0 to 100, or null");
    coverage.minimum_percent = minimum.get<double>();
  }
  return coverage;
}

}  // namespace json

}  // namespace logoffcheck
