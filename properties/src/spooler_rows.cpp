#include "spooler_rows.h"

#include "logoffcheck/model.h"

namespace logoffcheck::detail {

SpoolerRow row_for(const TransportCall& call) {
  if (!valid_call_flags(call)) return SpoolerRow::sp1;
  if (call.before.open_in_other_process) return SpoolerRow::sp2;
  if (call.before.logged_off) return SpoolerRow::none;  // already released: no row
  switch (call.flags_in) {
    case LOGOFF_ABORT:
    case LOGOFF_QUIET:
      return activity(call.before) != 0 ? SpoolerRow::sp3 : SpoolerRow::sp4;
    case LOGOFF_NO_WAIT:
      return SpoolerRow::sp5;
    case LOGOFF_ORDERLY:
      return SpoolerRow::sp6;
    case LOGOFF_PURGE:
      return SpoolerRow::sp7;
    default:
      return SpoolerRow::none;
  }
}

bool row_holds(SpoolerRow row, const TransportCall& call, std::string_view& why) {
  const Environment& before = call.before;
  const Environment& after = call.after;
  const auto completes = [&](bool queue_sent) {
    if (call.result != S_OK || call.flags_out != LOGOFF_COMPLETE) {
      why = "S_OK with LOGOFF_COMPLETE";
      return false;
    }
    if (after.inbound_in_progress || after.outbound_in_progress) {
      why = "in-progress messages finished";
      return false;
    }
    if (queue_sent ? after.outbox_queued != 0 : after.outbox_queued != before.outbox_queued) {
      why = queue_sent ? "the outbox queue sent" : "the outbox queue left as it was";
      return false;
    }
    if (after.reception_enabled || !after.logged_off) {
      why = "reception disabled and the store logged off";
      return false;
    }
    return true;
  };
  switch (row) {
    case SpoolerRow::sp1:
      why = "MAPI_E_INVALID_PARAMETER and nothing changed";
      return call.result == MAPI_E_INVALID_PARAMETER && after == before;
    case SpoolerRow::sp2:
      why = "S_OK with LOGOFF_COMPLETE and nothing changed";
      return call.result == S_OK && call.flags_out == LOGOFF_COMPLETE && after == before;
    case SpoolerRow::sp3:
      why = "S_OK with the activity bits and no logoff";
      return call.result == S_OK && call.flags_out == activity(before) && after == before;
    case SpoolerRow::sp4:
      why = "S_OK with LOGOFF_COMPLETE and the store logged off";
      return call.result == S_OK && call.flags_out == LOGOFF_COMPLETE && after.logged_off &&
             !after.reception_enabled;
    case SpoolerRow::sp5:
      return completes(true);
    case SpoolerRow::sp6:
      return completes(false);
    case SpoolerRow::sp7:
      if (!completes(true)) return false;
      why = "FlushQueues invoked";
      return after.queues_flushed;
    case SpoolerRow::none:
      break;
  }
  return true;
}

}  // namespace logoffcheck::detail
