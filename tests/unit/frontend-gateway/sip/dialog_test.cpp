#include "frontend-gateway/sip/dialog.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

using xf::sip::Dialog;
using xf::sip::DialogId;
using xf::sip::DialogState;
using xf::sip::SipMessage;

SipMessage parse(const std::string& text) {
  auto msg = SipMessage::parse(text);
  REQUIRE(msg.ok());
  return std::move(msg.value());
}

// What a Lync-style client's INVITE looks like after Kamailio (127.0.0.4) record-routed it
// towards the gateway.
const std::string kInvite =
    "INVITE sip:romeo@partner.example SIP/2.0\r\n"
    "Record-Route: <sip:127.0.0.4;lr>\r\n"
    "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKkam1\r\n"
    "Via: SIP/2.0/TCP 127.0.0.20:5062;branch=z9hG4bKua1;rport\r\n"
    "Max-Forwards: 69\r\n"
    "From: \"Bob\" <sip:bob@sip.example.com>;tag=bob-tag-1;epid=1a2b3c\r\n"
    "To: <sip:romeo@partner.example>\r\n"
    "Call-ID: 8f2c1d@127.0.0.20\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:bob@127.0.0.20:5062;transport=tcp>;+sip.instance=\"<urn:uuid:1>\"\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// The gateway's SUBSCRIBE to an internal user, and the 200 OK that comes back through two
// record-routing proxies (the one nearest the gateway is the last Record-Route).
const std::string kSubscribe =
    "SUBSCRIBE sip:bob@sip.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 127.0.0.9:5070;branch=z9hG4bKgw1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:romeo@partner.example>;tag=gw-tag-1\r\n"
    "To: <sip:bob@sip.example.com>\r\n"
    "Call-ID: sub-42@gw.example.com\r\n"
    "CSeq: 10 SUBSCRIBE\r\n"
    "Contact: <sip:gw@127.0.0.9:5070;transport=tcp>\r\n"
    "Event: presence\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

const std::string kSubscribeOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TCP 127.0.0.9:5070;branch=z9hG4bKgw1\r\n"
    "Record-Route: <sip:far.sip.example.com;lr>\r\n"
    "Record-Route: <sip:127.0.0.4;lr;transport=tcp>\r\n"
    "From: <sip:romeo@partner.example>;tag=gw-tag-1\r\n"
    "To: <sip:bob@sip.example.com>;tag=bob-tag-9\r\n"
    "Call-ID: sub-42@gw.example.com\r\n"
    "CSeq: 10 SUBSCRIBE\r\n"
    "Contact: <sip:bob@127.0.0.20:5062;transport=tcp>\r\n"
    "Expires: 3600\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// An in-dialog request from the peer of the INVITE dialog.
std::string peer_request(const std::string& method, int cseq, const std::string& contact = "") {
  std::string text = method +
                     " sip:gw@127.0.0.9:5070;transport=tcp SIP/2.0\r\n"
                     "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKkam" +
                     std::to_string(cseq) +
                     "\r\n"
                     "From: <sip:bob@sip.example.com>;tag=bob-tag-1\r\n"
                     "To: <sip:romeo@partner.example>;tag=gw-local\r\n"
                     "Call-ID: 8f2c1d@127.0.0.20\r\n"
                     "CSeq: " +
                     std::to_string(cseq) + " " + method + "\r\n";
  if (!contact.empty()) text += "Contact: <" + contact + ">\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

Dialog uas_dialog() {
  auto dialog =
      Dialog::create_uas(parse(kInvite), "gw-local", "sip:gw@127.0.0.9:5070;transport=tcp");
  REQUIRE(dialog.ok());
  return std::move(dialog.value());
}

}  // namespace

TEST_CASE("Dialog as UAS from an INVITE record-routed by Kamailio", "[unit][sip]") {
  const Dialog dialog = uas_dialog();
  const DialogState& s = dialog.state();
  CHECK(s.call_id == "8f2c1d@127.0.0.20");
  CHECK(s.local_tag == "gw-local");
  CHECK(s.remote_tag == "bob-tag-1");
  CHECK(s.local_uri == "sip:romeo@partner.example");
  CHECK(s.remote_uri == "sip:bob@sip.example.com");
  CHECK(s.remote_target == "sip:bob@127.0.0.20:5062;transport=tcp");
  CHECK(s.local_cseq == 0);
  CHECK(s.remote_cseq == std::optional<std::uint32_t>(1));
  CHECK(s.route_set == std::vector<std::string>{"<sip:127.0.0.4;lr>"});
  CHECK_FALSE(s.secure);
  CHECK(dialog.id() == DialogId{"8f2c1d@127.0.0.20", "gw-local", "bob-tag-1"});
}

TEST_CASE("Dialog builds in-dialog requests through a loose-routing proxy", "[unit][sip]") {
  Dialog dialog = uas_dialog();
  auto bye = dialog.make_request("MESSAGE");
  REQUIRE(bye.ok());
  CHECK(bye->request_uri() == "sip:bob@127.0.0.20:5062;transport=tcp");
  CHECK(bye->routes() == std::vector<std::string>{"<sip:127.0.0.4;lr>"});
  CHECK(bye->from().uri == "sip:romeo@partner.example");
  CHECK(bye->from().tag == "gw-local");
  CHECK(bye->to().uri == "sip:bob@sip.example.com");
  CHECK(bye->to().tag == "bob-tag-1");
  CHECK(bye->call_id() == "8f2c1d@127.0.0.20");
  CHECK(bye->cseq_number() == 1);
  CHECK(bye->cseq_method() == "MESSAGE");
  CHECK(bye->max_forwards() == std::optional<int>(70));
  // MESSAGE is no target refresh: no Contact.
  CHECK_FALSE(bye->contact_uri().has_value());

  auto notify = dialog.make_request("NOTIFY");
  REQUIRE(notify.ok());
  CHECK(notify->cseq_number() == 2);
  CHECK(notify->contact_uri() == std::optional<std::string>("sip:gw@127.0.0.9:5070;transport=tcp"));
  CHECK(dialog.state().local_cseq == 2);

  // The built request goes on the wire once Via is added, and parses back the same.
  REQUIRE(notify->push_via("TCP", "127.0.0.9:5070", "z9hG4bKx1").ok());
  auto bytes = notify->to_string();
  REQUIRE(bytes.ok());
  CHECK(bytes->rfind("NOTIFY sip:bob@127.0.0.20:5062;transport=tcp SIP/2.0\r\n", 0) == 0);
  CHECK(bytes->find("Route: <sip:127.0.0.4;lr>\r\n") != std::string::npos);
  CHECK(parse(*bytes).routes() == std::vector<std::string>{"<sip:127.0.0.4;lr>"});

  CHECK_FALSE(dialog.make_request("ACK").ok());
  CHECK_FALSE(dialog.make_request("BAD METHOD").ok());
  CHECK(dialog.state().local_cseq == 2);
}

TEST_CASE("Dialog as UAC reverses the Record-Route of the 2xx", "[unit][sip]") {
  auto dialog = Dialog::create_uac(parse(kSubscribe), parse(kSubscribeOk),
                                   "sip:gw@127.0.0.9:5070;transport=tcp");
  REQUIRE(dialog.ok());
  const DialogState& s = dialog->state();
  CHECK(s.local_tag == "gw-tag-1");
  CHECK(s.remote_tag == "bob-tag-9");
  CHECK(s.local_uri == "sip:romeo@partner.example");
  CHECK(s.remote_uri == "sip:bob@sip.example.com");
  CHECK(s.local_cseq == 10);
  CHECK_FALSE(s.remote_cseq.has_value());
  CHECK(s.route_set == std::vector<std::string>{"<sip:127.0.0.4;lr;transport=tcp>",
                                                "<sip:far.sip.example.com;lr>"});

  auto refresh = dialog->make_request("SUBSCRIBE");
  REQUIRE(refresh.ok());
  CHECK(refresh->request_uri() == "sip:bob@127.0.0.20:5062;transport=tcp");
  CHECK(refresh->routes() == s.route_set);
  CHECK(refresh->cseq_number() == 11);
  CHECK(refresh->from().tag == "gw-tag-1");
  CHECK(refresh->to().tag == "bob-tag-9");
  CHECK(refresh->contact_uri() ==
        std::optional<std::string>("sip:gw@127.0.0.9:5070;transport=tcp"));

  // Responses that do not answer the request, or are not 2xx, create nothing.
  CHECK_FALSE(Dialog::create_uac(parse(kSubscribeOk), parse(kSubscribeOk), "sip:gw@h").ok());
  std::string not_ok = kSubscribeOk;
  not_ok.replace(0, 14, "SIP/2.0 404 Not Found");
  CHECK_FALSE(Dialog::create_uac(parse(kSubscribe), parse(not_ok), "sip:gw@h").ok());
  std::string no_contact = kSubscribeOk;
  no_contact.erase(no_contact.find("Contact:"),
                   no_contact.find("Expires:") - no_contact.find("Contact:"));
  CHECK_FALSE(Dialog::create_uac(parse(kSubscribe), parse(no_contact), "sip:gw@h").ok());
}

TEST_CASE("Dialog from a NOTIFY that arrives before the SUBSCRIBE's 2xx", "[unit][sip]") {
  const std::string notify_text =
      "NOTIFY sip:gw@127.0.0.9:5070;transport=tcp SIP/2.0\r\n"
      "Record-Route: <sip:127.0.0.4;lr>\r\n"
      "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKn1\r\n"
      "From: <sip:bob@sip.example.com>;tag=bob-tag-9\r\n"
      "To: <sip:romeo@partner.example>;tag=gw-tag-1\r\n"
      "Call-ID: sub-42@gw.example.com\r\n"
      "CSeq: 5 NOTIFY\r\n"
      "Contact: <sip:bob@127.0.0.20:5062;transport=tcp>\r\n"
      "Event: presence\r\n"
      "Subscription-State: active;expires=3600\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  const SipMessage notify = parse(notify_text);
  auto dialog = Dialog::create_uac_from_notify(parse(kSubscribe), notify, "sip:gw@127.0.0.9");
  REQUIRE(dialog.ok());
  CHECK(dialog->state().remote_tag == "bob-tag-9");
  CHECK(dialog->state().remote_cseq == std::optional<std::uint32_t>(5));
  CHECK(dialog->state().route_set == std::vector<std::string>{"<sip:127.0.0.4;lr>"});
  CHECK(dialog->on_request(notify) == Dialog::Verdict::accept);
  // The 2xx that follows matches the dialog by its id.
  CHECK(DialogId::of_incoming_response(parse(kSubscribeOk)) == dialog->id());
}

TEST_CASE("Dialog rejects lower remote CSeq with out_of_order", "[unit][sip]") {
  Dialog dialog = uas_dialog();
  CHECK(dialog.on_request(parse(peer_request("MESSAGE", 2))) == Dialog::Verdict::accept);
  CHECK(dialog.state().remote_cseq == std::optional<std::uint32_t>(2));
  // Equal is allowed (ACK shares the INVITE's number); lower is answered 500.
  CHECK(dialog.on_request(parse(peer_request("MESSAGE", 2))) == Dialog::Verdict::accept);
  CHECK(dialog.on_request(parse(peer_request("MESSAGE", 1))) == Dialog::Verdict::out_of_order);
  CHECK(dialog.state().remote_cseq == std::optional<std::uint32_t>(2));
  // Gaps are fine (§12.2.2).
  CHECK(dialog.on_request(parse(peer_request("BYE", 40))) == Dialog::Verdict::accept);

  std::string other_tag = peer_request("MESSAGE", 50);
  other_tag.replace(other_tag.find("tag=gw-local"), 12, "tag=someone");
  CHECK(dialog.on_request(parse(other_tag)) == Dialog::Verdict::not_this_dialog);
  CHECK(dialog.state().remote_cseq == std::optional<std::uint32_t>(40));
}

TEST_CASE("Dialog follows target refreshes but not other requests", "[unit][sip]") {
  Dialog dialog = uas_dialog();
  // MESSAGE does not refresh the target even with a Contact.
  CHECK(dialog.on_request(parse(peer_request("MESSAGE", 2, "sip:bob@10.9.9.9"))) ==
        Dialog::Verdict::accept);
  CHECK(dialog.state().remote_target == "sip:bob@127.0.0.20:5062;transport=tcp");
  // A re-INVITE does.
  CHECK(dialog.on_request(parse(peer_request(
            "INVITE", 3, "sip:bob@127.0.0.21:5064;transport=tcp"))) == Dialog::Verdict::accept);
  CHECK(dialog.state().remote_target == "sip:bob@127.0.0.21:5064;transport=tcp");
  auto next = dialog.make_request("MESSAGE");
  REQUIRE(next.ok());
  CHECK(next->request_uri() == "sip:bob@127.0.0.21:5064;transport=tcp");

  // A 2xx to our own target refresh moves it too.
  Dialog uac =
      std::move(Dialog::create_uac(parse(kSubscribe), parse(kSubscribeOk), "sip:gw@h").value());
  std::string moved = kSubscribeOk;
  moved.replace(moved.find("CSeq: 10"), 8, "CSeq: 11");
  moved.replace(moved.find("127.0.0.20:5062"), 15, "127.0.0.22:5066");
  uac.on_response(parse(moved));
  CHECK(uac.state().remote_target == "sip:bob@127.0.0.22:5066;transport=tcp");
}

TEST_CASE("Dialog uses strict routing when the first route lacks lr", "[unit][sip]") {
  DialogState s = uas_dialog().state();
  s.route_set = {"<sip:strict.example.com;transport=tcp>", "<sip:loose.example.com;lr>"};
  auto dialog = Dialog::restore(s);
  REQUIRE(dialog.ok());
  auto req = dialog->make_request("BYE");
  REQUIRE(req.ok());
  CHECK(req->request_uri() == "sip:strict.example.com;transport=tcp");
  CHECK(req->routes() == std::vector<std::string>{"<sip:loose.example.com;lr>",
                                                  "<sip:bob@127.0.0.20:5062;transport=tcp>"});
  s.route_set.clear();
  auto direct = Dialog::restore(s);
  REQUIRE(direct.ok());
  auto plain = direct->make_request("BYE");
  REQUIRE(plain.ok());
  CHECK(plain->routes().empty());
  CHECK(plain->request_uri() == "sip:bob@127.0.0.20:5062;transport=tcp");
}

TEST_CASE("Dialog restored from its state continues where it stopped", "[unit][sip]") {
  Dialog dialog = std::move(Dialog::create_uac(parse(kSubscribe), parse(kSubscribeOk),
                                               "sip:gw@127.0.0.9:5070;transport=tcp")
                                .value());
  REQUIRE(dialog.make_request("SUBSCRIBE").ok());
  REQUIRE(dialog.on_request(parse("NOTIFY sip:gw@127.0.0.9:5070 SIP/2.0\r\n"
                                  "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKn2\r\n"
                                  "From: <sip:bob@sip.example.com>;tag=bob-tag-9\r\n"
                                  "To: <sip:romeo@partner.example>;tag=gw-tag-1\r\n"
                                  "Call-ID: sub-42@gw.example.com\r\n"
                                  "CSeq: 7 NOTIFY\r\n"
                                  "Content-Length: 0\r\n\r\n")) == Dialog::Verdict::accept);
  auto back = Dialog::restore(dialog.state());
  REQUIRE(back.ok());
  CHECK(back->state() == dialog.state());
  CHECK(back->state().local_cseq == 11);
  CHECK(back->state().remote_cseq == std::optional<std::uint32_t>(7));
  auto next = back->make_request("SUBSCRIBE");
  REQUIRE(next.ok());
  CHECK(next->cseq_number() == 12);
  CHECK(next->routes() == dialog.state().route_set);

  // A UAS dialog without a remote CSeq of its own or a remote tag, created by a sips: request.
  DialogState s = uas_dialog().state();
  s.remote_cseq.reset();
  s.secure = true;
  s.remote_tag.clear();
  auto restored = Dialog::restore(s);
  REQUIRE(restored.ok());
  CHECK(restored->state() == s);
}

TEST_CASE("Dialog restore refuses corrupt or hostile state", "[unit][sip]") {
  const DialogState good = uas_dialog().state();
  CHECK(Dialog::restore(good).ok());
  auto with = [&good](auto change) {
    DialogState s = good;
    change(s);
    return Dialog::restore(s).ok();
  };
  CHECK_FALSE(with([](DialogState& s) { s.call_id.clear(); }));
  CHECK_FALSE(with([](DialogState& s) { s.call_id = "a b"; }));
  CHECK_FALSE(with([](DialogState& s) { s.local_tag.clear(); }));
  CHECK_FALSE(with([](DialogState& s) { s.local_tag = "a b"; }));
  CHECK_FALSE(with([](DialogState& s) { s.remote_tag = "a;b"; }));
  CHECK_FALSE(with([](DialogState& s) { s.remote_target = "\rsip:bob@example.com"; }));
  CHECK_FALSE(with([](DialogState& s) { s.remote_uri = "bob"; }));
  CHECK_FALSE(with([](DialogState& s) { s.local_cseq = Dialog::kMaxCseq + 1; }));
  CHECK_FALSE(with([](DialogState& s) { s.route_set = {"sip:127.0.0.4;lr"}; }));
  CHECK_FALSE(with([](DialogState& s) {
    s.route_set.assign(Dialog::kMaxRoutes + 1, "<sip:p.example.com;lr>");
  }));
}

TEST_CASE("add_dialog_headers copies Record-Route and sets our Contact", "[unit][sip]") {
  const SipMessage invite = parse(kInvite);
  auto ok = SipMessage::make_response(invite, 200, {}, "gw-local");
  REQUIRE(ok.ok());
  REQUIRE(xf::sip::add_dialog_headers(*ok, invite, "sip:gw@127.0.0.9:5070;transport=tcp").ok());
  auto bytes = ok->to_string();
  REQUIRE(bytes.ok());
  const SipMessage back = parse(*bytes);
  CHECK(back.record_routes() == std::vector<std::string>{"<sip:127.0.0.4;lr>"});
  CHECK(back.contact_uri() == std::optional<std::string>("sip:gw@127.0.0.9:5070;transport=tcp"));
  CHECK(back.to().tag == "gw-local");
  // The peer's view of the dialog, built from our 2xx, routes back through the proxy.
  auto peer = Dialog::create_uac(invite, back, "sip:bob@127.0.0.20:5062;transport=tcp");
  REQUIRE(peer.ok());
  CHECK(peer->state().route_set == std::vector<std::string>{"<sip:127.0.0.4;lr>"});
  CHECK(peer->state().remote_target == "sip:gw@127.0.0.9:5070;transport=tcp");
}
