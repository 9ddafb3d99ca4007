#include "frontend-gateway/presence/dialog_record.h"

#include <utility>

namespace xf::gw {

store::DialogState to_record(const sip::DialogState& dialog) {
  return {dialog.call_id, dialog.local_tag, dialog.remote_tag, dialog.remote_target,
          dialog.route_set};
}

Result<sip::Dialog> restore_dialog(const store::DialogState& stored, DialogEnds ends) {
  sip::DialogState state;
  state.call_id = stored.call_id;
  state.local_tag = stored.local_tag;
  state.remote_tag = stored.remote_tag;
  state.remote_target = stored.remote_target.empty() ? ends.remote_uri : stored.remote_target;
  state.route_set = stored.route_set;
  state.local_uri = std::move(ends.local_uri);
  state.remote_uri = std::move(ends.remote_uri);
  state.local_contact = std::move(ends.local_contact);
  state.local_cseq = ends.local_cseq;
  state.remote_cseq = ends.remote_cseq;
  return sip::Dialog::restore(std::move(state));
}

}  // namespace xf::gw
