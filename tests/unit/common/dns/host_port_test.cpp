#include "common/dns/host_port.h"

#include <catch2/catch.hpp>
#include <string>

using xf::dns::HostPort;
using xf::dns::parse_host_port;

TEST_CASE("host port: names, addresses and ports as configuration writes them", "[unit][dns]") {
  CHECK(*parse_host_port("Prosody-S2S.Example.", 5269) ==
        HostPort{"prosody-s2s.example", 5269, false});
  CHECK(*parse_host_port("prosody-s2s.example:5299", 5269) ==
        HostPort{"prosody-s2s.example", 5299, false});
  CHECK(*parse_host_port("127.0.0.53", 53) == HostPort{"127.0.0.53", 53, true});
  CHECK(*parse_host_port("127.0.0.53:5353", 53) == HostPort{"127.0.0.53", 5353, true});
  CHECK(*parse_host_port("[::1]:53", 5269) == HostPort{"::1", 53, true});
  CHECK(*parse_host_port("[2001:db8::1]", 5269) == HostPort{"2001:db8::1", 5269, true});
  CHECK(parse_host_port("[::1]:53", 0)->to_string() == "[::1]:53");
  CHECK(parse_host_port("a.example", 5269)->to_string() == "a.example:5269");
}

TEST_CASE("host port: malformed text is refused with the reason", "[unit][dns]") {
  auto reason = [](const std::string& text) {
    auto r = parse_host_port(text, 5269);
    REQUIRE_FALSE(r.ok());
    return r.error().detail;
  };
  CHECK(reason("") == "needs a host");
  CHECK(reason(":5269") == "needs a host");
  CHECK(reason("a.example:") == "has an empty port");
  CHECK(reason("a.example:0") == "has a port outside 1..65535");
  CHECK(reason("a.example:65536") == "has a port outside 1..65535");
  CHECK(reason("a.example:52x") == "has a port outside 1..65535");
  CHECK(reason("::1") == "must write an IPv6 address in brackets: [addr]:port");
  CHECK(reason("[::1") == "lacks the ']'");
  CHECK(reason("[::1]x") == "has text after the ']'");
  CHECK(reason("[a.example]:1") == "has no IPv6 address in the brackets");
  CHECK(reason("bad_host.example") == "is neither a host name nor an IP address");
  CHECK(reason("-a.example") == "is neither a host name nor an IP address");
  CHECK(reason("a..example") == "is neither a host name nor an IP address");
  CHECK(reason(std::string(64, 'a') + ".example") == "is neither a host name nor an IP address");
  CHECK_FALSE(parse_host_port("a.example", 0).ok());
}
