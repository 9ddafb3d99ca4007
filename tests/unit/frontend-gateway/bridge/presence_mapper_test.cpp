#include "frontend-gateway/bridge/presence_mapper.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

using xf::bridge::Activity;
using xf::bridge::Basic;
using xf::bridge::build_pidf;
using xf::bridge::classify_presence;
using xf::bridge::make_subscription_presence;
using xf::bridge::Note;
using xf::bridge::parse_pidf;
using xf::bridge::PresenceDoc;
using xf::bridge::PresenceKind;
using xf::bridge::PresenceMapper;
using xf::bridge::SubscriptionType;
using xf::bridge::Tuple;
using xf::xml::Element;
using E = xf::xmpp::StanzaError;

constexpr const char* kNs = "jabber:server";

Element presence(const std::string& type = {}) {
  Element p("presence", kNs);
  p.set_attr("from", "romeo@partner.example/orchard");
  p.set_attr("to", "juliet@sip.example.com");
  if (!type.empty()) p.set_attr("type", type);
  return p;
}

xf::xmpp::Jid jid(const std::string& text) {
  auto parsed = xf::xmpp::Jid::parse(text);
  REQUIRE(parsed.ok());
  return parsed.value();
}

PresenceDoc to_pidf(const Element& stanza) {
  auto doc = PresenceMapper().to_pidf(stanza);
  REQUIRE(doc.ok());
  return std::move(doc.value());
}

xf::bridge::StanzaFailure to_pidf_failure(const Element& stanza) {
  auto doc = PresenceMapper().to_pidf(stanza);
  REQUIRE_FALSE(doc.ok());
  return doc.error();
}

std::string to_xmpp(const PresenceDoc& doc) {
  return xf::xml::to_string(
      PresenceMapper().to_xmpp(doc, jid("juliet@sip.example.com"), jid("romeo@partner.example")));
}

constexpr const char* kHead =
    "<presence xmlns='jabber:server' from='juliet@sip.example.com' to='romeo@partner.example'";

Tuple tuple(Basic basic, std::string id = "t") {
  Tuple t;
  t.id = std::move(id);
  t.basic = basic;
  return t;
}

PresenceDoc doc_with(std::vector<Tuple> tuples) {
  PresenceDoc doc;
  doc.entity = "sip:juliet@sip.example.com";
  doc.tuples = std::move(tuples);
  return doc;
}

PresenceDoc person_doc(std::initializer_list<Activity> activities) {
  PresenceDoc doc = doc_with({tuple(Basic::open)});
  doc.person.emplace();
  doc.person->id = "p";
  for (Activity a : activities) doc.person->activities.add(a);
  return doc;
}

}  // namespace

TEST_CASE("XMPP available presence becomes an open PIDF tuple", "[unit][bridge]") {
  PresenceDoc doc = to_pidf(presence());
  CHECK(doc.entity == "pres:romeo@partner.example");
  REQUIRE(doc.tuples.size() == 1);
  const Tuple& t = doc.tuples[0];
  CHECK(t.id == "xmpp-orchard");
  CHECK(t.basic == Basic::open);
  CHECK(t.contact == "sip:romeo@partner.example;gr=orchard");
  CHECK_FALSE(t.priority.has_value());
  CHECK(t.notes.empty());
  CHECK(t.activities.empty());
  CHECK_FALSE(doc.person.has_value());
  CHECK(doc.notes.empty());
}

TEST_CASE("XMPP presence from a bare JID: tuple 'xmpp', bare contact", "[unit][bridge]") {
  Element p = presence();
  p.set_attr("from", "romeo@partner.example");
  PresenceDoc doc = to_pidf(p);
  CHECK(doc.tuples[0].id == "xmpp");
  CHECK(doc.tuples[0].contact == "sip:romeo@partner.example");
}

TEST_CASE("XMPP <show/> maps to RPID activities", "[unit][bridge]") {
  struct Row {
    const char* show;
    std::vector<Activity> activities;
  };
  const Row rows[] = {
      {"away", {Activity::away}},
      {"xa", {Activity::away}},
      {"dnd", {Activity::busy}},
      {"chat", {}},
  };
  for (const Row& row : rows) {
    INFO(row.show);
    Element p = presence();
    p.add_child("show", kNs).add_text(row.show);
    PresenceDoc doc = to_pidf(p);
    CHECK(doc.tuples[0].basic == Basic::open);
    CHECK(doc.tuples[0].activities.empty());
    if (row.activities.empty()) {
      CHECK_FALSE(doc.person.has_value());
    } else {
      REQUIRE(doc.person.has_value());
      CHECK(doc.person->id == "person");
      CHECK(doc.person->activities.items == row.activities);
    }
  }
  Element bad = presence();
  bad.add_child("show", kNs).add_text("sleepy");
  CHECK(to_pidf_failure(bad).condition == E::bad_request);
}

TEST_CASE("XMPP <status/> maps to notes with xml:lang", "[unit][bridge]") {
  Element p = presence();
  p.set_attr("xml:lang", "en");
  p.add_child("status", kNs).add_text("Wherefore art thou?");
  p.add_child("status", kNs).set_attr("xml:lang", "it").add_text("Dove sei?");
  p.add_child("status", "urn:other").add_text("not a status");
  PresenceDoc doc = to_pidf(p);
  CHECK(doc.tuples[0].notes ==
        std::vector<Note>{{"Wherefore art thou?", "en"}, {"Dove sei?", "it"}});

  Element no_lang = presence();
  no_lang.add_child("status", kNs).add_text("hi");
  CHECK(to_pidf(no_lang).tuples[0].notes == std::vector<Note>{{"hi", ""}});

  Element blank = presence();
  blank.add_child("status", kNs).add_text("  \n ");
  blank.add_child("status", kNs).set_attr("xml:lang", "en").add_text("\t padded \n");
  CHECK(to_pidf(blank).tuples[0].notes == std::vector<Note>{{"padded", "en"}});

  Element long_status = presence();
  long_status.add_child("status", kNs).add_text(std::string(5000, 'x'));
  CHECK(to_pidf(long_status).tuples[0].notes[0].text.size() == 4096);
}

TEST_CASE("XMPP <priority/> maps to the contact priority", "[unit][bridge]") {
  struct Row {
    const char* priority;
    int qvalue;
  };
  const Row rows[] = {{"127", 1000}, {"64", 504}, {"1", 8},   {"0", 0},
                      {"-1", 0},     {"-128", 0}, {" 5 ", 39}};
  for (const Row& row : rows) {
    INFO(row.priority);
    Element p = presence();
    p.add_child("priority", kNs).add_text(row.priority);
    CHECK(to_pidf(p).tuples[0].priority == row.qvalue);
  }
  for (const char* bad : {"128", "-129", "high", "", "1.5", "1000"}) {
    INFO(bad);
    Element p = presence();
    p.add_child("priority", kNs).add_text(bad);
    CHECK(to_pidf_failure(p).condition == E::bad_request);
  }
}

TEST_CASE("XMPP unavailable presence becomes a closed tuple", "[unit][bridge]") {
  Element p = presence("unavailable");
  p.add_child("status", kNs).add_text("Gone to Mantua");
  p.add_child("show", kNs).add_text("dnd");
  p.add_child("priority", kNs).add_text("5");
  PresenceDoc doc = to_pidf(p);
  REQUIRE(doc.tuples.size() == 1);
  CHECK(doc.tuples[0].basic == Basic::closed);
  CHECK(doc.tuples[0].notes == std::vector<Note>{{"Gone to Mantua", ""}});
  CHECK_FALSE(doc.tuples[0].priority.has_value());
  CHECK_FALSE(doc.person.has_value());
}

TEST_CASE("XMPP presence that carries no state is refused", "[unit][bridge]") {
  for (const char* type :
       {"subscribe", "subscribed", "unsubscribe", "unsubscribed", "probe", "error", "bogus"}) {
    INFO(type);
    CHECK(to_pidf_failure(presence(type)).condition == E::bad_request);
  }
  Element no_from = presence();
  no_from.remove_attr("from");
  CHECK(to_pidf_failure(no_from).condition == E::jid_malformed);
  Element bad_from = presence();
  bad_from.set_attr("from", "@partner.example");
  CHECK(to_pidf_failure(bad_from).condition == E::jid_malformed);
}

TEST_CASE("XMPP presence -> PIDF document text", "[unit][bridge]") {
  Element p = presence();
  p.add_child("show", kNs).add_text("dnd");
  p.add_child("status", kNs).set_attr("xml:lang", "en").add_text("Busy & <happy>");
  p.add_child("priority", kNs).add_text("127");
  auto doc = PresenceMapper().to_pidf(p);
  REQUIRE(doc.ok());
  CHECK(build_pidf(*doc) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\""
        " xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
        " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"pres:romeo@partner.example\">"
        "<tuple id=\"xmpp-orchard\"><status><basic>open</basic></status>"
        "<contact priority=\"1\">sip:romeo@partner.example;gr=orchard</contact>"
        "<note xml:lang=\"en\">Busy &amp; &lt;happy&gt;</note></tuple>"
        "<dm:person id=\"person\"><rpid:activities><rpid:busy/></rpid:activities></dm:person>"
        "</presence>");
}

TEST_CASE("PIDF basic maps to available or unavailable", "[unit][bridge]") {
  CHECK(to_xmpp(doc_with({tuple(Basic::open)})) == std::string(kHead) + "/>");
  CHECK(to_xmpp(doc_with({tuple(Basic::closed)})) == std::string(kHead) + " type='unavailable'/>");
  CHECK(to_xmpp(doc_with({})) == std::string(kHead) + " type='unavailable'/>");
  Tuple no_basic;
  no_basic.id = "x";
  CHECK(to_xmpp(doc_with({no_basic})) == std::string(kHead) + " type='unavailable'/>");
}

TEST_CASE("PIDF RPID activities map to <show/>", "[unit][bridge]") {
  struct Row {
    std::vector<Activity> activities;
    const char* show;  // "" for none.
  };
  const Row rows[] = {
      {{Activity::away}, "away"},
      {{Activity::busy}, "dnd"},
      {{Activity::on_the_phone}, "dnd"},
      {{Activity::meeting}, "dnd"},
      {{Activity::appointment}, "dnd"},
      {{Activity::presentation}, "dnd"},
      {{Activity::performance}, "dnd"},
      {{Activity::vacation}, "xa"},
      {{Activity::holiday}, "xa"},
      {{Activity::permanent_absence}, "xa"},
      {{Activity::sleeping}, "xa"},
      {{Activity::travel}, "xa"},
      {{Activity::working}, ""},
      {{Activity::lunch}, ""},
      {{Activity::unknown}, ""},
      {{Activity::away, Activity::on_the_phone}, "dnd"},
      {{Activity::away, Activity::vacation}, "xa"},
  };
  for (const Row& row : rows) {
    PresenceDoc doc = doc_with({tuple(Basic::open)});
    doc.person.emplace();
    for (Activity a : row.activities) doc.person->activities.add(a);
    INFO(xf::bridge::to_string(row.activities[0]));
    const std::string show = row.show;
    CHECK(to_xmpp(doc) ==
          std::string(kHead) + (show.empty() ? "/>" : "><show>" + show + "</show></presence>"));
  }
  // Activities in the tuple win over the person's.
  PresenceDoc doc = person_doc({Activity::busy});
  doc.tuples[0].activities.add(Activity::away);
  CHECK(to_xmpp(doc) == std::string(kHead) + "><show>away</show></presence>");
  // A closed tuple shows no activity.
  PresenceDoc closed = person_doc({Activity::busy});
  closed.tuples[0].basic = Basic::closed;
  CHECK(to_xmpp(closed) == std::string(kHead) + " type='unavailable'/>");
}

TEST_CASE("PIDF notes map to <status/> with xml:lang", "[unit][bridge]") {
  PresenceDoc doc = doc_with({tuple(Basic::open)});
  doc.tuples[0].notes = {{"In a meeting", "en"},
                         {"Again in English", "en"},
                         {"En réunion", "fr"},
                         {"", "de"},
                         {"plain", ""}};
  doc.person = xf::bridge::Person{"p", {}, {{"person note", ""}}};
  doc.notes = {{"document note", ""}};
  CHECK(to_xmpp(doc) == std::string(kHead) +
                            "><status xml:lang='en'>In a meeting</status>"
                            "<status xml:lang='fr'>En réunion</status>"
                            "<status>plain</status></presence>");
  doc.tuples[0].notes.clear();
  CHECK(to_xmpp(doc) == std::string(kHead) + "><status>person note</status></presence>");
  doc.person->notes.clear();
  CHECK(to_xmpp(doc) == std::string(kHead) + "><status>document note</status></presence>");
  // Notes travel with unavailable presence too.
  doc.tuples[0].basic = Basic::closed;
  CHECK(to_xmpp(doc) ==
        std::string(kHead) + " type='unavailable'><status>document note</status></presence>");
}

TEST_CASE("PIDF contact priority maps to <priority/>", "[unit][bridge]") {
  struct Row {
    int qvalue;
    const char* priority;
  };
  for (const Row& row : {Row{1000, "127"}, Row{500, "64"}, Row{8, "1"}, Row{0, "0"}}) {
    PresenceDoc doc = doc_with({tuple(Basic::open)});
    doc.tuples[0].contact = "sip:juliet@10.0.0.1";
    doc.tuples[0].priority = row.qvalue;
    CHECK(to_xmpp(doc) ==
          std::string(kHead) + "><priority>" + row.priority + "</priority></presence>");
  }
}

TEST_CASE("PIDF with several tuples: the most available one is mapped", "[unit][bridge]") {
  SECTION("open beats closed whatever the order") {
    PresenceDoc doc = doc_with({tuple(Basic::closed, "phone"), tuple(Basic::open, "pc")});
    doc.tuples[0].notes = {{"offline", ""}};
    doc.tuples[1].notes = {{"online", ""}};
    CHECK(xf::bridge::most_available_tuple(doc)->id == "pc");
    CHECK(to_xmpp(doc) == std::string(kHead) + "><status>online</status></presence>");
  }
  SECTION("no activity beats away beats xa beats dnd") {
    Tuple busy = tuple(Basic::open, "busy");
    busy.activities.add(Activity::busy);
    Tuple xa = tuple(Basic::open, "xa");
    xa.activities.add(Activity::vacation);
    Tuple away = tuple(Basic::open, "away");
    away.activities.add(Activity::away);
    Tuple plain = tuple(Basic::open, "plain");
    CHECK(xf::bridge::most_available_tuple(doc_with({busy, xa, away, plain}))->id == "plain");
    CHECK(xf::bridge::most_available_tuple(doc_with({busy, xa, away}))->id == "away");
    CHECK(xf::bridge::most_available_tuple(doc_with({busy, xa}))->id == "xa");
    CHECK(to_xmpp(doc_with({busy, xa})) == std::string(kHead) + "><show>xa</show></presence>");
  }
  SECTION("then the higher priority, then document order") {
    Tuple low = tuple(Basic::open, "low");
    low.contact = "sip:a@b";
    low.priority = 100;
    Tuple high = tuple(Basic::open, "high");
    high.contact = "sip:a@c";
    high.priority = 900;
    Tuple none = tuple(Basic::open, "none");
    CHECK(xf::bridge::most_available_tuple(doc_with({low, high, none}))->id == "high");
    CHECK(xf::bridge::most_available_tuple(doc_with({none, low}))->id == "low");
    CHECK(xf::bridge::most_available_tuple(
              doc_with({tuple(Basic::open, "first"), tuple(Basic::open, "second")}))
              ->id == "first");
  }
  SECTION("a tuple without basic beats a closed one but not an open one") {
    Tuple unknown;
    unknown.id = "unknown";
    CHECK(xf::bridge::most_available_tuple(doc_with({tuple(Basic::closed, "c"), unknown}))->id ==
          "unknown");
    CHECK(xf::bridge::most_available_tuple(doc_with({unknown, tuple(Basic::open, "o")}))->id ==
          "o");
  }
  SECTION("no tuples") { CHECK(xf::bridge::most_available_tuple(doc_with({})) == nullptr); }
}

TEST_CASE("Presence round trip XMPP -> PIDF text -> XMPP", "[unit][bridge]") {
  struct Row {
    const char* show;
    const char* back;
  };
  for (const Row& row :
       {Row{"away", "away"}, Row{"xa", "away"}, Row{"dnd", "dnd"}, Row{"chat", ""}, Row{"", ""}}) {
    INFO(row.show);
    Element p = presence();
    if (*row.show != '\0') p.add_child("show", kNs).add_text(row.show);
    p.add_child("status", kNs).set_attr("xml:lang", "en").add_text("s");
    p.add_child("priority", kNs).add_text("10");
    auto parsed = parse_pidf(build_pidf(to_pidf(p)));
    REQUIRE(parsed.ok());
    std::string expected = std::string(kHead) + ">";
    if (*row.back != '\0') expected += std::string("<show>") + row.back + "</show>";
    expected += "<status xml:lang='en'>s</status><priority>10</priority></presence>";
    CHECK(to_xmpp(*parsed) == expected);
  }
}

TEST_CASE("Presence stanzas are classified by type", "[unit][bridge]") {
  CHECK(classify_presence(presence()) == PresenceKind::available);
  CHECK(classify_presence(presence("unavailable")) == PresenceKind::unavailable);
  CHECK(classify_presence(presence("subscribe")) == PresenceKind::subscribe);
  CHECK(classify_presence(presence("subscribed")) == PresenceKind::subscribed);
  CHECK(classify_presence(presence("unsubscribe")) == PresenceKind::unsubscribe);
  CHECK(classify_presence(presence("unsubscribed")) == PresenceKind::unsubscribed);
  CHECK(classify_presence(presence("probe")) == PresenceKind::probe);
  CHECK(classify_presence(presence("error")) == PresenceKind::error);
  CHECK(classify_presence(presence("Subscribe")) == PresenceKind::unknown);
  CHECK(classify_presence(presence("invisible")) == PresenceKind::unknown);
  CHECK(xf::bridge::to_string(PresenceKind::available) == "available");
  CHECK(xf::bridge::to_string(PresenceKind::unsubscribed) == "unsubscribed");
  CHECK(xf::bridge::to_string(PresenceKind::unknown) == "unknown");
}

TEST_CASE("Subscription presence stanzas are built exactly", "[unit][bridge]") {
  const auto from = jid("juliet@sip.example.com");
  const auto to = jid("romeo@partner.example");
  struct Row {
    SubscriptionType type;
    const char* name;
  };
  for (const Row& row : {Row{SubscriptionType::subscribe, "subscribe"},
                         Row{SubscriptionType::subscribed, "subscribed"},
                         Row{SubscriptionType::unsubscribe, "unsubscribe"},
                         Row{SubscriptionType::unsubscribed, "unsubscribed"},
                         Row{SubscriptionType::probe, "probe"}}) {
    Element p = make_subscription_presence(row.type, from, to, "s1");
    CHECK(xf::xml::to_string(p) == std::string("<presence xmlns='jabber:server' type='") +
                                       row.name +
                                       "' from='juliet@sip.example.com' to='romeo@partner.example'"
                                       " id='s1'/>");
    CHECK(xf::bridge::to_string(classify_presence(p)) == row.name);
  }
  CHECK_FALSE(make_subscription_presence(SubscriptionType::probe, from, to).has_attr("id"));
}

TEST_CASE("Tuple ids for resources are valid xs:ID and distinct", "[unit][bridge]") {
  using xf::bridge::tuple_id_for_resource;
  CHECK(tuple_id_for_resource("") == "xmpp");
  CHECK(tuple_id_for_resource("orchard") == "xmpp-orchard");
  CHECK(tuple_id_for_resource("Home Laptop/1.0-b") == "xmpp-Home_20Laptop_2F1.0-b");
  CHECK(tuple_id_for_resource("a_b") == "xmpp-a_5Fb");
  CHECK(tuple_id_for_resource("a b") != tuple_id_for_resource("a_20b"));
  CHECK(tuple_id_for_resource("\xC3\xA9") == "xmpp-_C3_A9");
}
