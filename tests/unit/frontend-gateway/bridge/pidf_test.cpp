#include "frontend-gateway/bridge/pidf.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

using xf::Errc;
using xf::bridge::Activity;
using xf::bridge::Basic;
using xf::bridge::build_pidf;
using xf::bridge::Note;
using xf::bridge::parse_pidf;
using xf::bridge::PidfLimits;
using xf::bridge::PresenceDoc;
using xf::bridge::Tuple;

// What Kamailio's presence server hands a watcher after a phone PUBLISHed RPID state
// (presence + presence_xml aggregate the publications, each tuple kept, the person merged).
constexpr const char* kKamailioRpid = R"(<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:c="urn:ietf:params:xml:ns:pidf:cipid" entity="sip:alice@sip.example.com">
  <tuple id="0x7f3a1c20">
    <status>
      <basic>open</basic>
    </status>
    <contact priority="0.8">sip:alice@10.0.0.5:5060;transport=tcp</contact>
    <timestamp>2024-05-01T10:00:00Z</timestamp>
  </tuple>
  <dm:person id="p1f2e">
    <rpid:activities>
      <rpid:on-the-phone/>
    </rpid:activities>
    <c:display-name>Alice</c:display-name>
    <dm:note>On a call</dm:note>
  </dm:person>
</presence>
)";

// Kamailio's answer for a presentity with no live publication: one closed tuple, no RPID.
constexpr const char* kKamailioOffline =
    "<?xml version='1.0'?>\r\n"
    "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:bob@sip.example.com'>\r\n"
    "<tuple id='ofkkxgdd'><status><basic>closed</basic></status></tuple>\r\n"
    "</presence>\r\n";

// Modelled on Lync / Skype for Business documents towards a federation gateway: a prefixed
// PIDF namespace, several tuples, notes in two languages, vendor extensions to be ignored.
constexpr const char* kLyncLike = R"(<?xml version="1.0" encoding="utf-8"?>
<p:presence xmlns:p="urn:ietf:params:xml:ns:pidf" xmlns:ms="http://schemas.microsoft.com/2002/09/sip/presence" xmlns:caps="urn:ietf:params:xml:ns:pidf:caps" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="pres:carol@lync.example.com">
  <p:tuple id="desktop">
    <p:status><p:basic>open</p:basic></p:status>
    <caps:servcaps><caps:text>true</caps:text></caps:servcaps>
    <ms:availability aggregate="6500" description="Busy"/>
    <p:contact priority="1.0">sip:carol@lync.example.com;opaque=user:epid:abc;gruu</p:contact>
    <p:note xml:lang="en-US">In a meeting</p:note>
    <p:note xml:lang="fr">En r&#233;union &amp; ailleurs</p:note>
  </p:tuple>
  <p:tuple id="mobile">
    <p:status><p:basic>closed</p:basic></p:status>
  </p:tuple>
  <dm:person id="carol">
    <rpid:activities><rpid:meeting/><rpid:other>Quarterly review</rpid:other></rpid:activities>
  </dm:person>
  <p:note>Working from Redmond</p:note>
</p:presence>)";

// A SIPp PUBLISH/NOTIFY body as scenario authors write it: RPID straight under the tuple.
constexpr const char* kSippLike = R"(<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
          xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
          entity="sip:sipp@127.0.0.1">
  <tuple id="sipp">
    <status><basic>open</basic></status>
    <rpid:activities><rpid:away/></rpid:activities>
    <note xml:lang="en">Back at 3</note>
  </tuple>
</presence>)";

// Pre-RFC 4480 clients (the rpid-status draft namespace, activities as text in <status>).
constexpr const char* kDraftRpid = R"(<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf"
 xmlns:es="urn:ietf:params:xml:ns:pidf:status:rpid-status" entity="sip:dave@sip.example.com">
<tuple id="eyebeam"><status><basic>open</basic>
<es:activities><es:activity>busy</es:activity></es:activities></status>
<note>Busy</note></tuple></presence>)";

std::string pidf_with(const std::string& inside) {
  return "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:x@example.com'>" + inside +
         "</presence>";
}

void require_error(const std::string& xml, Errc code, const std::string& detail_part,
                   const PidfLimits& limits = {}) {
  auto doc = parse_pidf(xml, limits);
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().code == code);
  INFO("detail: " << doc.error().detail);
  CHECK(doc.error().detail.find(detail_part) != std::string::npos);
}

}  // namespace

TEST_CASE("PIDF from Kamailio with RPID in a data-model person", "[unit][bridge]") {
  auto doc = parse_pidf(kKamailioRpid);
  REQUIRE(doc.ok());
  CHECK(doc->entity == "sip:alice@sip.example.com");
  REQUIRE(doc->tuples.size() == 1);
  const Tuple& t = doc->tuples[0];
  CHECK(t.id == "0x7f3a1c20");
  CHECK(t.basic == Basic::open);
  CHECK(t.contact == "sip:alice@10.0.0.5:5060;transport=tcp");
  CHECK(t.priority == 800);
  CHECK(t.timestamp == "2024-05-01T10:00:00Z");
  CHECK(t.notes.empty());
  CHECK(t.activities.empty());
  REQUIRE(doc->person.has_value());
  CHECK(doc->person->id == "p1f2e");
  CHECK(doc->person->activities.items == std::vector<Activity>{Activity::on_the_phone});
  CHECK(doc->person->notes == std::vector<Note>{{"On a call", ""}});
  CHECK(doc->notes.empty());
}

TEST_CASE("PIDF from Kamailio for an offline presentity", "[unit][bridge]") {
  auto doc = parse_pidf(kKamailioOffline);
  REQUIRE(doc.ok());
  REQUIRE(doc->tuples.size() == 1);
  CHECK(doc->tuples[0].id == "ofkkxgdd");
  CHECK(doc->tuples[0].basic == Basic::closed);
  CHECK(doc->tuples[0].contact.empty());
  CHECK_FALSE(doc->tuples[0].priority.has_value());
  CHECK_FALSE(doc->person.has_value());
}

TEST_CASE("PIDF modelled on Lync: prefixes, several tuples, languages, extensions",
          "[unit][bridge]") {
  auto doc = parse_pidf(kLyncLike);
  REQUIRE(doc.ok());
  CHECK(doc->entity == "pres:carol@lync.example.com");
  REQUIRE(doc->tuples.size() == 2);
  const Tuple& desktop = doc->tuples[0];
  CHECK(desktop.id == "desktop");
  CHECK(desktop.basic == Basic::open);
  CHECK(desktop.priority == 1000);
  CHECK(desktop.notes ==
        std::vector<Note>{{"In a meeting", "en-US"}, {"En r\xC3\xA9union & ailleurs", "fr"}});
  CHECK(doc->tuples[1].id == "mobile");
  CHECK(doc->tuples[1].basic == Basic::closed);
  REQUIRE(doc->person.has_value());
  CHECK(doc->person->activities.items == std::vector<Activity>{Activity::meeting, Activity::other});
  CHECK(doc->person->activities.other_text == "Quarterly review");
  CHECK(doc->notes == std::vector<Note>{{"Working from Redmond", ""}});
}

TEST_CASE("PIDF with RPID directly under the tuple (SIPp style)", "[unit][bridge]") {
  auto doc = parse_pidf(kSippLike);
  REQUIRE(doc.ok());
  REQUIRE(doc->tuples.size() == 1);
  CHECK(doc->tuples[0].activities.items == std::vector<Activity>{Activity::away});
  CHECK(doc->tuples[0].notes == std::vector<Note>{{"Back at 3", "en"}});
  CHECK_FALSE(doc->person.has_value());
}

TEST_CASE("PIDF with draft rpid-status activities inside <status>", "[unit][bridge]") {
  auto doc = parse_pidf(kDraftRpid);
  REQUIRE(doc.ok());
  REQUIRE(doc->tuples.size() == 1);
  CHECK(doc->tuples[0].basic == Basic::open);
  CHECK(doc->tuples[0].activities.items == std::vector<Activity>{Activity::busy});
}

TEST_CASE("PIDF: RPID activities directly under <presence> become the person's", "[unit][bridge]") {
  auto doc = parse_pidf(pidf_with(
      "<tuple id='a'><status><basic>open</basic></status></tuple>"
      "<activities xmlns='urn:ietf:params:xml:ns:pidf:rpid'><vacation/><x:own xmlns:x='urn:x'/>"
      "<lunch/><vacation/></activities>"));
  REQUIRE(doc.ok());
  REQUIRE(doc->person.has_value());
  CHECK(doc->person->id.empty());
  CHECK(doc->person->activities.items ==
        std::vector<Activity>{Activity::vacation, Activity::lunch});
}

TEST_CASE("PIDF: minimal and lenient documents", "[unit][bridge]") {
  SECTION("no tuples") {
    auto doc = parse_pidf("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='pres:a@b'/>");
    REQUIRE(doc.ok());
    CHECK(doc->tuples.empty());
  }
  SECTION("no entity, no declaration, byte order mark") {
    auto doc = parse_pidf(
        "\xEF\xBB\xBF<presence xmlns='urn:ietf:params:xml:ns:pidf'>"
        "<tuple id='t'><status/></tuple></presence>");
    REQUIRE(doc.ok());
    CHECK(doc->entity.empty());
    REQUIRE(doc->tuples.size() == 1);
    CHECK_FALSE(doc->tuples[0].basic.has_value());
  }
  SECTION("whitespace around basic, CDATA note") {
    auto doc =
        parse_pidf(pidf_with("<tuple id='t'><status><basic>\n open \n</basic></status>"
                             "<note><![CDATA[a <b> & c]]></note></tuple>"));
    REQUIRE(doc.ok());
    CHECK(doc->tuples[0].basic == Basic::open);
    CHECK(doc->tuples[0].notes[0].text == "a <b> & c");
  }
  SECTION("priorities: valid forms kept, invalid ones ignored, none without contact") {
    auto doc = parse_pidf(
        pidf_with("<tuple id='a'><status/><contact priority='0.125'>sip:a@b</contact></tuple>"
                  "<tuple id='b'><status/><contact priority='0'>sip:a@b</contact></tuple>"
                  "<tuple id='c'><status/><contact priority='1.000'>sip:a@b</contact></tuple>"
                  "<tuple id='d'><status/><contact priority='1.5'>sip:a@b</contact></tuple>"
                  "<tuple id='e'><status/><contact priority='0.1234'>sip:a@b</contact></tuple>"
                  "<tuple id='f'><status/><contact priority='high'>sip:a@b</contact></tuple>"
                  "<tuple id='g'><status/><contact priority='0.5'/></tuple>"));
    REQUIRE(doc.ok());
    REQUIRE(doc->tuples.size() == 7);
    CHECK(doc->tuples[0].priority == 125);
    CHECK(doc->tuples[1].priority == 0);
    CHECK(doc->tuples[2].priority == 1000);
    CHECK_FALSE(doc->tuples[3].priority.has_value());
    CHECK_FALSE(doc->tuples[4].priority.has_value());
    CHECK_FALSE(doc->tuples[5].priority.has_value());
    CHECK_FALSE(doc->tuples[6].priority.has_value());
  }
}

TEST_CASE("PIDF: every RFC 4480 activity name parses and prints back", "[unit][bridge]") {
  const char* names[] = {"appointment",
                         "away",
                         "breakfast",
                         "busy",
                         "dinner",
                         "holiday",
                         "in-transit",
                         "looking-for-work",
                         "lunch",
                         "meal",
                         "meeting",
                         "on-the-phone",
                         "other",
                         "performance",
                         "permanent-absence",
                         "playing",
                         "presentation",
                         "shopping",
                         "sleeping",
                         "spectator",
                         "steering",
                         "travel",
                         "tv",
                         "unknown",
                         "vacation",
                         "working",
                         "worship"};
  for (const char* name : names) {
    auto activity = xf::bridge::parse_activity(name);
    REQUIRE(activity.has_value());
    CHECK(xf::bridge::to_string(*activity) == name);
  }
  CHECK_FALSE(xf::bridge::parse_activity("on_the_phone").has_value());
  CHECK_FALSE(xf::bridge::parse_activity("").has_value());
}

TEST_CASE("PIDF: malformed documents are refused", "[unit][bridge]") {
  require_error("", Errc::parse_error, "no root element");
  require_error("   \r\n", Errc::parse_error, "no root element");
  require_error("not xml at all", Errc::parse_error, "");
  require_error(pidf_with("<tuple id='a'>"), Errc::parse_error, "");
  require_error("<presence xmlns='urn:ietf:params:xml:ns:pidf'><tuple id='a'>", Errc::parse_error,
                "truncated");
  require_error(pidf_with("") + "<presence xmlns='urn:ietf:params:xml:ns:pidf'/>",
                Errc::parse_error, "more than one root");
  require_error("<?xml version='1.0'?>", Errc::parse_error, "no root element");
  require_error("<?xml version='1.0' encoding='ISO-8859-1'?>" + pidf_with(""), Errc::parse_error,
                "not UTF-8");
  require_error("<?xml encoding='UTF-8'?>" + pidf_with(""), Errc::parse_error, "without version");
  require_error("<?xml version='1.0' " + pidf_with(""), Errc::parse_error, "");
  require_error(pidf_with("<note>\xC3\x28</note>"), Errc::parse_error, "");
  require_error("<presence xmlns='jabber:client'/>", Errc::parse_error, "not PIDF <presence>");
  require_error("<presence/>", Errc::parse_error, "not PIDF <presence>");
  require_error("<tuple xmlns='urn:ietf:params:xml:ns:pidf'/>", Errc::parse_error,
                "not PIDF <presence>");
  require_error(pidf_with("<tuple id='a'><status><basic>maybe</basic></status></tuple>"),
                Errc::parse_error, "not open or closed");
  require_error(pidf_with("<x:tuple/>"), Errc::parse_error, "");
}

TEST_CASE("PIDF: hostile documents are refused", "[unit][bridge]") {
  SECTION("internal DTD with entities (billion laughs)") {
    require_error(R"(<?xml version="1.0"?>
<!DOCTYPE presence [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:x@y"><note>&c;</note></presence>)",
                  Errc::parse_error, "DTD");
  }
  SECTION("external entity") {
    require_error(R"(<!DOCTYPE presence SYSTEM "http://attacker.example/pidf.dtd">)" +
                      pidf_with("<note>&xxe;</note>"),
                  Errc::parse_error, "DTD");
  }
  SECTION("undeclared entity reference") {
    require_error(pidf_with("<note>&xxe;</note>"), Errc::parse_error, "xxe");
  }
  SECTION("predefined and character references are fine") {
    auto doc = parse_pidf(pidf_with("<note>&lt;&amp;&gt;&quot;&apos;&#x263A;</note>"));
    REQUIRE(doc.ok());
    CHECK(doc->notes[0].text == "<&>\"'\xE2\x98\xBA");
  }
  SECTION("processing instruction and comment") {
    require_error(pidf_with("<?php evil() ?>"), Errc::parse_error, "restricted XML");
    require_error(pidf_with("<!-- hello -->"), Errc::parse_error, "restricted XML");
  }
  SECTION("10 MB document") {
    std::string huge = pidf_with(std::string(10 * 1024 * 1024, ' '));
    require_error(huge, Errc::limit_exceeded, "limit");
  }
  SECTION("just over the size limit") {
    PidfLimits limits;
    std::string doc = pidf_with("");
    doc += std::string(limits.max_document_bytes - doc.size() + 1, '\n');
    require_error(doc, Errc::limit_exceeded, "limit", limits);
    doc.pop_back();
    CHECK(parse_pidf(doc, limits).ok());
  }
  SECTION("deep nesting") {
    std::string inside;
    for (int i = 0; i < 100; ++i) inside += "<x:e xmlns:x='urn:x'>";
    for (int i = 0; i < 100; ++i) inside += "</x:e>";
    require_error(pidf_with(inside), Errc::limit_exceeded, "deeper");
  }
  SECTION("too many tuples") {
    std::string inside;
    for (int i = 0; i < 65; ++i)
      inside += "<tuple id='t" + std::to_string(i) + "'><status/></tuple>";
    require_error(pidf_with(inside), Errc::limit_exceeded, "tuples");
  }
  SECTION("too many notes") {
    std::string inside;
    for (int i = 0; i < 17; ++i) inside += "<note>n</note>";
    require_error(pidf_with(inside), Errc::limit_exceeded, "notes");
  }
  SECTION("over-long note") {
    require_error(pidf_with("<note>" + std::string(4097, 'n') + "</note>"), Errc::limit_exceeded,
                  "note longer");
  }
}

TEST_CASE("PIDF builder writes the expected document", "[unit][bridge]") {
  PresenceDoc doc;
  doc.entity = "pres:romeo@partner.example";
  Tuple t;
  t.id = "xmpp-orchard";
  t.basic = Basic::open;
  t.contact = "sip:romeo@partner.example;gr=orchard";
  t.priority = 500;
  t.notes = {{"Under the <balcony> & \"waiting\"", "en"}};
  doc.tuples.push_back(t);
  doc.person.emplace();
  doc.person->id = "person";
  doc.person->activities.add(Activity::away);
  CHECK(build_pidf(doc) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\""
        " xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
        " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"pres:romeo@partner.example\">"
        "<tuple id=\"xmpp-orchard\"><status><basic>open</basic></status>"
        "<contact priority=\"0.5\">sip:romeo@partner.example;gr=orchard</contact>"
        "<note xml:lang=\"en\">Under the &lt;balcony&gt; &amp; \"waiting\"</note></tuple>"
        "<dm:person id=\"person\"><rpid:activities><rpid:away/></rpid:activities></dm:person>"
        "</presence>");

  PresenceDoc closed;
  closed.entity = "pres:a'b@example.com";
  closed.tuples.push_back(Tuple{});
  closed.tuples[0].basic = Basic::closed;
  CHECK(build_pidf(closed) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"pres:a&apos;b@example.com\">"
        "<tuple id=\"t1\"><status><basic>closed</basic></status></tuple></presence>");
}

TEST_CASE("PIDF build -> parse round trip", "[unit][bridge]") {
  for (const char* sample : {kKamailioRpid, kKamailioOffline, kLyncLike, kSippLike, kDraftRpid}) {
    auto first = parse_pidf(sample);
    REQUIRE(first.ok());
    const std::string built = build_pidf(*first);
    auto second = parse_pidf(built);
    INFO(built);
    REQUIRE(second.ok());
    CHECK(*second == *first);
    CHECK(build_pidf(*second) == built);
  }

  PresenceDoc doc;
  doc.entity = "pres:x@example.com";
  Tuple t;
  t.id = "a";
  t.basic = Basic::open;
  t.contact = "sip:x@example.com";
  t.priority = 5;
  t.notes = {{"caf\xC3\xA9 \t&", "fr-CA"}, {"", ""}};
  t.activities.add(Activity::other);
  t.activities.other_text = "juggling";
  t.activities.add(Activity::in_transit);
  t.timestamp = "2024-01-01T00:00:00.5+01:00";
  doc.tuples.push_back(t);
  doc.notes = {{"x", "de"}};
  doc.person = xf::bridge::Person{"me", {}, {{"person note", "en"}}};
  auto parsed = parse_pidf(build_pidf(doc));
  REQUIRE(parsed.ok());
  CHECK(*parsed == doc);
}
