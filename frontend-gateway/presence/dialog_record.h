// The dialog of a stored subscription, both ways: the store keeps its columns
// (store::DialogState) and the SIP layer works on a sip::Dialog. The subscriber and the notifier
// convert with this one pair of functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/core/result.h"
#include "frontend-gateway/sip/dialog.h"
#include "frontend-gateway/store/records.h"

namespace xf::gw {

// The columns the store keeps of a live dialog.
store::DialogState to_record(const sip::DialogState& dialog);

// What a stored dialog needs besides its columns to be a sip::Dialog again: the two URIs and
// our Contact, which the record keeps elsewhere or which follow from the current transport,
// and the CSeq numbers the record keeps next to the dialog.
struct DialogEnds {
  std::string local_uri;
  std::string remote_uri;
  std::string local_contact;
  std::uint32_t local_cseq = 0;
  std::optional<std::uint32_t> remote_cseq;
};

// A stored dialog whose peer has given no Contact yet (its 2xx did not come) targets the
// peer's URI, so that the proxy finds it.
Result<sip::Dialog> restore_dialog(const store::DialogState& stored, DialogEnds ends);

}  // namespace xf::gw
