#include "logoffcheck/step.h"

namespace logoffcheck {

std::optional<Action> parse_action(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kActionNames.size(); ++i) {
    if (kActionNames[i] == name) return static_cast<Action>(i);
  }
  return std::nullopt;
}

std::string describe_step(const Step& step) {
  std::string text(action_name(step.action));
  if (step.action == Action::StoreLogoff) {
    text += '(';
    text += step.null_flags_pointer ? std::string("NULL") : describe_flags(step.flags);
    text += ')';
  }
  return text;
}

std::string describe_step(const Step& step, bool name_store) {
  if (!name_store) return describe_step(step);
  return "store " + std::to_string(step.store) + ": " + describe_step(step);
}

}  // namespace logoffcheck
