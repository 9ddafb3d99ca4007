#include "frontend-gateway/sip/dialog.h"

#include <algorithm>
#include <utility>

#include "frontend-gateway/sip/sip_syntax.h"
#include "frontend-gateway/sip/sip_uri.h"

namespace xf::sip {

namespace {

// The URI inside a name-addr ("<sip:p.example.com;lr>" -> "sip:p.example.com;lr").
std::string_view uri_of_name_addr(std::string_view name_addr) {
  const auto open = name_addr.find('<');
  const auto close = name_addr.find('>', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return name_addr;
  return name_addr.substr(open + 1, close - open - 1);
}

// RFC 3261 §19.1.1: a route whose URI carries "lr" is a loose router.
bool is_loose_route(std::string_view name_addr) {
  auto uri = SipUri::parse(uri_of_name_addr(name_addr));
  return uri.ok() && uri->param("lr").has_value();
}

bool is_sips(std::string_view uri) { return uri.size() > 5 && iequals(uri.substr(0, 5), "sips:"); }

// A URI that may stand as a Request-URI or inside <>; SipMessage checks the rest when it is used.
Status check_uri(std::string_view uri, std::string_view what) {
  if (uri.empty() || !is_header_safe(uri) ||
      uri.find_first_of("<> \t\",") != std::string_view::npos ||
      uri.find(':') == std::string_view::npos) {
    return fail(Errc::invalid_argument, std::string(what) + " is not a URI");
  }
  return {};
}

Status check_state(const DialogState& s) {
  if (s.call_id.empty() || !is_header_safe(s.call_id) ||
      s.call_id.find_first_of(" \t<>\"") != std::string::npos) {
    return fail(Errc::invalid_argument, "dialog Call-ID is empty or malformed");
  }
  if (!is_token(s.local_tag)) return fail(Errc::invalid_argument, "local tag is not a token");
  if (!s.remote_tag.empty() && !is_token(s.remote_tag)) {
    return fail(Errc::invalid_argument, "remote tag is not a token");
  }
  if (auto ok = check_uri(s.local_uri, "local URI"); !ok) return ok;
  if (auto ok = check_uri(s.remote_uri, "remote URI"); !ok) return ok;
  if (auto ok = check_uri(s.remote_target, "remote target"); !ok) return ok;
  if (!s.local_contact.empty()) {
    if (auto ok = check_uri(s.local_contact, "local Contact"); !ok) return ok;
  }
  if (s.local_cseq > Dialog::kMaxCseq) return fail(Errc::invalid_argument, "local CSeq too large");
  if (s.route_set.size() > Dialog::kMaxRoutes) {
    return fail(Errc::limit_exceeded, "route set too long");
  }
  for (const auto& route : s.route_set) {
    if (route.empty() || !is_header_safe(route) || route.find(',') != std::string::npos ||
        route.find('<') == std::string::npos || route.find('>') == std::string::npos) {
      return fail(Errc::invalid_argument, "route set entry is not a name-addr");
    }
  }
  return {};
}

}  // namespace

DialogId DialogId::of_incoming_request(const SipMessage& request) {
  return {request.call_id(), request.to().tag, request.from().tag};
}

DialogId DialogId::of_incoming_response(const SipMessage& response) {
  return {response.call_id(), response.from().tag, response.to().tag};
}

std::string DialogId::key() const { return call_id + '\n' + local_tag + '\n' + remote_tag; }

Result<Dialog> Dialog::create_uac(const SipMessage& request, const SipMessage& response,
                                  std::string_view local_contact) {
  if (!request.is_request() || !response.is_response()) {
    return fail(Errc::invalid_argument, "create_uac takes our request and its response");
  }
  if (response.status_code() < 200 || response.status_code() > 299) {
    return fail(Errc::invalid_argument, "only a 2xx creates a dialog here");
  }
  if (response.call_id() != request.call_id() || response.from().tag != request.from().tag ||
      response.cseq_number() != request.cseq_number()) {
    return fail(Errc::protocol_error, "response does not answer the request");
  }
  auto target = response.contact_uri();
  if (!target) return fail(Errc::protocol_error, "2xx creating a dialog has no Contact");
  DialogState s;
  s.call_id = request.call_id();
  s.local_tag = request.from().tag;
  // RFC 3261 §12.1.2: a 2xx without a To tag (RFC 2543 peer) gives a null remote tag.
  s.remote_tag = response.to().tag;
  s.local_uri = request.from().uri;
  s.remote_uri = request.to().uri;
  s.remote_target = *target;
  s.local_contact = std::string(local_contact);
  s.local_cseq = request.cseq_number();
  s.route_set = response.record_routes();
  std::reverse(s.route_set.begin(), s.route_set.end());
  s.secure = is_sips(request.request_uri());
  return restore(std::move(s));
}

Result<Dialog> Dialog::create_uac_from_notify(const SipMessage& subscribe, const SipMessage& notify,
                                              std::string_view local_contact) {
  if (!subscribe.is_request() || notify.method() != "NOTIFY") {
    return fail(Errc::invalid_argument, "create_uac_from_notify takes a SUBSCRIBE and a NOTIFY");
  }
  if (notify.call_id() != subscribe.call_id() || notify.to().tag != subscribe.from().tag) {
    return fail(Errc::protocol_error, "NOTIFY does not belong to the subscription");
  }
  auto target = notify.contact_uri();
  if (!target) return fail(Errc::protocol_error, "NOTIFY has no Contact");
  DialogState s;
  s.call_id = subscribe.call_id();
  s.local_tag = subscribe.from().tag;
  s.remote_tag = notify.from().tag;
  s.local_uri = subscribe.from().uri;
  s.remote_uri = subscribe.to().uri;
  s.remote_target = *target;
  s.local_contact = std::string(local_contact);
  s.local_cseq = subscribe.cseq_number();
  s.remote_cseq = notify.cseq_number();
  s.route_set = notify.record_routes();
  s.secure = is_sips(subscribe.request_uri());
  return restore(std::move(s));
}

Result<Dialog> Dialog::create_uas(const SipMessage& request, std::string_view local_tag,
                                  std::string_view local_contact) {
  if (!request.is_request()) return fail(Errc::invalid_argument, "create_uas takes a request");
  auto target = request.contact_uri();
  // RFC 3261 §12.1.1 needs the peer's Contact; without one the request is answered 400.
  if (!target) return fail(Errc::protocol_error, "dialog-creating request has no Contact");
  DialogState s;
  s.call_id = request.call_id();
  s.local_tag = std::string(local_tag);
  s.remote_tag = request.from().tag;
  s.local_uri = request.to().uri;
  s.remote_uri = request.from().uri;
  s.remote_target = *target;
  s.local_contact = std::string(local_contact);
  s.remote_cseq = request.cseq_number();
  s.route_set = request.record_routes();
  s.secure = is_sips(request.request_uri());
  return restore(std::move(s));
}

Result<Dialog> Dialog::restore(DialogState state) {
  if (auto ok = check_state(state); !ok) return fail(ok.error());
  return Dialog(std::move(state));
}

Result<SipMessage> Dialog::make_request(std::string_view method) {
  if (method == "ACK" || method == "CANCEL") {
    // Both reuse the CSeq number of the INVITE they belong to, and the gateway sends no INVITE.
    return fail(Errc::invalid_argument, "ACK and CANCEL are not built from the dialog");
  }
  if (state_.local_cseq >= kMaxCseq) return fail(Errc::limit_exceeded, "dialog CSeq exhausted");
  std::string request_uri = state_.remote_target;
  std::vector<std::string> routes = state_.route_set;
  if (!routes.empty() && !is_loose_route(routes.front())) {
    // §12.2.1.1 strict routing: the first route becomes the Request-URI and the remote target
    // goes last in the Route header.
    auto first = SipUri::parse(uri_of_name_addr(routes.front()));
    if (!first) return fail(Errc::invalid_argument, "first route is not a SIP URI");
    request_uri = std::string(uri_of_name_addr(routes.front()));
    // A URI's headers part is not allowed in a Request-URI.
    if (const auto q = request_uri.find('?'); q != std::string::npos) request_uri.resize(q);
    routes.erase(routes.begin());
    routes.push_back("<" + state_.remote_target + ">");
  }
  auto request = SipMessage::make_request(method, request_uri);
  if (!request) return request;
  SipMessage& req = *request;
  for (const auto& route : routes) {
    if (auto ok = req.add_route(route); !ok) return fail(ok.error());
  }
  const std::uint32_t cseq = state_.local_cseq + 1;
  Status ok = req.set_from({"", state_.local_uri, state_.local_tag});
  if (ok) ok = req.set_to({"", state_.remote_uri, state_.remote_tag});
  if (ok) ok = req.set_call_id(state_.call_id);
  if (ok) ok = req.set_cseq(cseq, method);
  if (ok) ok = req.set_max_forwards(70);
  if (ok && is_target_refresh(method) && !state_.local_contact.empty()) {
    ok = req.set_contact(state_.local_contact);
  }
  if (!ok) return fail(ok.error());
  // Counted only once the request exists, so that a failed build does not leave a gap.
  state_.local_cseq = cseq;
  return request;
}

Dialog::Verdict Dialog::on_request(const SipMessage& request) {
  if (!request.is_request() || DialogId::of_incoming_request(request) != id()) {
    return Verdict::not_this_dialog;
  }
  const std::uint32_t cseq = request.cseq_number();
  if (state_.remote_cseq && cseq < *state_.remote_cseq) return Verdict::out_of_order;
  state_.remote_cseq = cseq;
  if (is_target_refresh(request.method())) {
    if (auto target = request.contact_uri(); target && check_uri(*target, "Contact").ok()) {
      state_.remote_target = *target;
    }
  }
  return Verdict::accept;
}

void Dialog::on_response(const SipMessage& response) {
  if (!response.is_response() || response.status_code() < 200 || response.status_code() > 299) {
    return;
  }
  if (DialogId::of_incoming_response(response) != id()) return;
  if (!is_target_refresh(response.cseq_method())) return;
  if (auto target = response.contact_uri(); target && check_uri(*target, "Contact").ok()) {
    state_.remote_target = *target;
  }
}

Status Dialog::set_local_contact(std::string_view uri) {
  if (auto ok = check_uri(uri, "local Contact"); !ok) return ok;
  state_.local_contact = std::string(uri);
  return {};
}

bool Dialog::is_target_refresh(std::string_view method) {
  return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY" ||
         method == "REFER";
}

Status add_dialog_headers(SipMessage& response, const SipMessage& request,
                          std::string_view local_contact) {
  if (auto ok = response.copy_record_routes(request); !ok) return ok;
  return response.set_contact(local_contact);
}

}  // namespace xf::sip
