// Accessors and setters that dialogs need: Record-Route, Route, Contact, Expires and list headers.
#include <catch2/catch.hpp>
#include <string>

#include "frontend-gateway/sip/sip_message.h"

namespace {

using xf::sip::SipMessage;

const std::string kSubscribe =
    "SUBSCRIBE sip:romeo@partner.example SIP/2.0\r\n"
    "Record-Route: <sip:127.0.0.4;lr>, <sip:edge.sip.example.com;lr;transport=tcp>\r\n"
    "Record-Route: <sip:core.sip.example.com;lr>\r\n"
    "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKp1\r\n"
    "Via: SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bKua1\r\n"
    "From: <sip:bob@sip.example.com>;tag=b1\r\n"
    "To: <sip:romeo@partner.example>\r\n"
    "Call-ID: sub-1@10.0.0.5\r\n"
    "CSeq: 7 SUBSCRIBE\r\n"
    "Contact: <sip:bob@10.0.0.5:5060;transport=tcp>;expires=600\r\n"
    "Event: presence\r\n"
    "Expires: 600\r\n"
    "Supported: eventlist, gruu\r\n"
    "k: path\r\n"
    "Max-Forwards: 69\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

SipMessage parse(const std::string& text) {
  auto msg = SipMessage::parse(text);
  REQUIRE(msg.ok());
  return std::move(msg.value());
}

}  // namespace

TEST_CASE("SipMessage reads Record-Route, Contact, Expires and list headers", "[unit][sip]") {
  const SipMessage msg = parse(kSubscribe);
  const auto rr = msg.record_routes();
  REQUIRE(rr.size() == 3);
  CHECK(rr[0] == "<sip:127.0.0.4;lr>");
  CHECK(rr[1] == "<sip:edge.sip.example.com;lr;transport=tcp>");
  CHECK(rr[2] == "<sip:core.sip.example.com;lr>");
  CHECK(msg.routes().empty());
  CHECK(msg.contact_uri() == std::optional<std::string>("sip:bob@10.0.0.5:5060;transport=tcp"));
  CHECK(msg.expires() == std::optional<std::uint32_t>(600));
  const auto supported = msg.header_values("Supported");
  REQUIRE(supported.size() == 3);
  CHECK(supported[0] == "eventlist");
  CHECK(supported[1] == "gruu");
  CHECK(supported[2] == "path");
  CHECK(msg.header_values("Require").empty());
}

TEST_CASE("SipMessage Expires edge cases", "[unit][sip]") {
  auto with_expires = [](const std::string& value) {
    std::string text = kSubscribe;
    text.replace(text.find("Expires: 600"), 12, "Expires: " + value);
    return parse(text).expires();
  };
  CHECK(with_expires("0") == std::optional<std::uint32_t>(0));
  CHECK(with_expires("99999999999") == std::optional<std::uint32_t>(0xffffffffu));
  CHECK_FALSE(with_expires("soon").has_value());
  CHECK_FALSE(with_expires("-1").has_value());
}

TEST_CASE("SipMessage copies Record-Route into a response and sets Contact", "[unit][sip]") {
  const SipMessage req = parse(kSubscribe);
  auto resp = SipMessage::make_response(req, 200, {}, "gw1");
  REQUIRE(resp.ok());
  REQUIRE(resp->copy_record_routes(req).ok());
  REQUIRE(resp->set_contact("sip:gw@192.0.2.10:5070;transport=tcp").ok());
  auto bytes = resp->to_string();
  REQUIRE(bytes.ok());
  const SipMessage back = parse(*bytes);
  CHECK(back.record_routes() == req.record_routes());
  CHECK(back.contact_uri() == std::optional<std::string>("sip:gw@192.0.2.10:5070;transport=tcp"));
  // Setting Contact again replaces it.
  REQUIRE(resp->set_contact("sip:gw@192.0.2.11").ok());
  CHECK(resp->contact_uri() == std::optional<std::string>("sip:gw@192.0.2.11"));
  CHECK_FALSE(resp->set_contact("sip:a@b>\r\nX: y").ok());
  CHECK_FALSE(resp->set_contact("").ok());
}

TEST_CASE("SipMessage adds Route entries", "[unit][sip]") {
  auto req = SipMessage::make_request("NOTIFY", "sip:bob@10.0.0.5:5060;transport=tcp");
  REQUIRE(req.ok());
  REQUIRE(req->add_route("<sip:127.0.0.4;lr>").ok());
  REQUIRE(req->add_route("sip:core.sip.example.com;lr").ok());  // Bare URIs are bracketed.
  CHECK_FALSE(req->add_route("<sip:a;lr>, <sip:b;lr>").ok());
  CHECK_FALSE(req->add_route("<sip:a;lr>\r\nX: y").ok());
  CHECK_FALSE(req->add_route("").ok());
  const auto routes = req->routes();
  REQUIRE(routes.size() == 2);
  CHECK(routes[0] == "<sip:127.0.0.4;lr>");
  CHECK(routes[1] == "<sip:core.sip.example.com;lr>");
  REQUIRE(req->add_record_route("<sip:gw.example.com;lr>").ok());
  CHECK(req->record_routes().size() == 1);
}
