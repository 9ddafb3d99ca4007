#include "common/xml/stanza_reader.h"

#include <catch2/catch.hpp>

using xf::xml::StanzaReader;

TEST_CASE("StanzaReader reads one stanza per call and recovers from bad input", "[unit][xml]") {
  StanzaReader reader;
  auto a = reader.read("<message to='a@b' type='chat'><body>x &amp; y</body></message>");
  REQUIRE(a.ok());
  CHECK(a->name() == "message");
  CHECK(a->xmlns() == "jabber:server");
  CHECK(a->child_text("body") == "x & y");

  CHECK_FALSE(reader.read("<message><body>").ok());
  CHECK_FALSE(reader.read("<a/><b/>").ok());
  CHECK_FALSE(reader.read("<!-- c --><a/>").ok());

  auto b = reader.read("<presence xmlns='jabber:client' type='probe'/>");
  REQUIRE(b.ok());
  CHECK(b->xmlns() == "jabber:client");
  CHECK(b->attr("type") == "probe");
}
