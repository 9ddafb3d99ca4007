#include "common/xml/stream_parser.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/common/xml/parse_helpers.h"

using xf::xml::Element;
using xf::xml::StreamParser;
using xf::xml::test::expect_all_splits;
using xf::xml::test::for_all_splits;
using xf::xml::test::kHeader;
using xf::xml::test::Outcome;
using xf::xml::test::run_pieces;
using xf::xml::test::run_whole;
using xf::xmpp::StreamError;

namespace {

const std::string kOpen =
    "open to=example.org from=partner.example id=s2s-1 version=1.0 lang=en ns=jabber:server db=1";

std::string with_header(std::string_view body) { return std::string(kHeader) + std::string(body); }

}  // namespace

TEST_CASE("stream header attributes are reported", "[unit][xml]") {
  expect_all_splits(kHeader, {kOpen});
  for_all_splits(kHeader, [](const Outcome& out) {
    REQUIRE(out.header.has_value());
    CHECK(out.header->to == "example.org");
    CHECK(out.header->from == "partner.example");
    CHECK(out.header->id == "s2s-1");
    CHECK(out.header->version == "1.0");
    CHECK(out.header->lang == "en");
    CHECK(out.header->content_ns == "jabber:server");
    CHECK(out.header->declares_dialback);
  });
}

TEST_CASE("a minimal pre-RFC stream header without declaration or version", "[unit][xml]") {
  expect_all_splits(
      "<stream:stream xmlns:stream=\"http://etherx.jabber.org/streams\" "
      "xmlns=\"jabber:client\" to=\"a.example\">",
      {"open to=a.example from= id= version= lang= ns=jabber:client db=0"});
}

TEST_CASE("a wrong first element is refused", "[unit][xml]") {
  expect_all_splits("<stream:stream xmlns:stream='urn:wrong' xmlns='jabber:server'>", {},
                    StreamError::invalid_namespace);
  expect_all_splits("<stream xmlns='jabber:server'>", {}, StreamError::invalid_namespace);
  expect_all_splits("<stream:features xmlns:stream='http://etherx.jabber.org/streams'>", {},
                    StreamError::bad_format);
  expect_all_splits("<message xmlns='jabber:server'/>", {}, StreamError::invalid_namespace);
}

TEST_CASE("top-level elements arrive whole with resolved namespaces", "[unit][xml]") {
  std::string input = with_header(
      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
      "</starttls></stream:features>"
      "<db:result from='partner.example' to='example.org'>abcdef</db:result>"
      "<message from='juliet@partner.example' to='romeo@example.org' type='chat'>"
      "<body>Hi</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>");
  expect_all_splits(
      input,
      {kOpen,
       "<features xmlns='http://etherx.jabber.org/streams'><starttls "
       "xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></features>",
       "<result xmlns='jabber:server:dialback' from='partner.example' "
       "to='example.org'>abcdef</result>",
       "<message from='juliet@partner.example' to='romeo@example.org' type='chat'><body>Hi</body>"
       "<active xmlns='http://jabber.org/protocol/chatstates'/></message>"});
  Outcome out = run_whole(input);
  REQUIRE(out.elements.size() == 3);
  CHECK(out.elements[0].is("features", xf::xmpp::kStreamsNs));
  CHECK(out.elements[0].child("starttls", xf::xmpp::kTlsNs) != nullptr);
  CHECK(out.elements[1].is("result", xf::xmpp::kDialbackNs));
  CHECK(out.elements[1].text() == "abcdef");
  CHECK(out.elements[2].is("message", xf::xmpp::kServerNs));
  CHECK(out.elements[2].child_text("body", xf::xmpp::kServerNs) == "Hi");
  CHECK(out.elements[2].attr("type") == "chat");
}

TEST_CASE("prefixes and nested namespaces are resolved and kept for output", "[unit][xml]") {
  std::string input = with_header(
      "<iq type='result' id='v1'><v:query xmlns:v='jabber:iq:version'><v:name>xmppfed</v:name>"
      "<version>1</version></v:query></iq>"
      "<message xmlns:x='urn:example:x' x:flag='on'><x:data><item xmlns='urn:other'/></x:data>"
      "</message>"
      "<presence db:extra='1'/>");
  expect_all_splits(
      input, {kOpen,
              "<iq type='result' id='v1'><query xmlns='jabber:iq:version' "
              "xmlns:v='jabber:iq:version'><name>xmppfed</name><version "
              "xmlns='jabber:server'>1</version></query></iq>",
              "<message xmlns:x='urn:example:x' x:flag='on'><data xmlns='urn:example:x'><item "
              "xmlns='urn:other'/></data></message>",
              "<presence xmlns:db='jabber:server:dialback' db:extra='1'/>"});
  Outcome out = run_whole(input);
  REQUIRE(out.elements.size() == 3);
  const Element* query = out.elements[0].child("query", "jabber:iq:version");
  REQUIRE(query != nullptr);
  CHECK(query->child_text("name", "jabber:iq:version") == "xmppfed");
  // Unprefixed children inside a prefixed element keep the default namespace in scope.
  CHECK(query->child("version", "jabber:server") != nullptr);
  CHECK(out.elements[1].attr("x:flag") == "on");
  CHECK(out.elements[1].child("data", "urn:example:x") != nullptr);
}

TEST_CASE("text and attributes with entities and character references", "[unit][xml]") {
  std::string input = with_header(
      "<message to='a&amp;b&#38;c&lt;&gt;&quot;&apos;&#x41;'><body>1 &lt; 2 &amp;&amp; 3 &gt; 2 "
      "&quot;q&quot; &apos;a&apos; &#x263A;&#65;&#38;amp;</body><![CDATA[<raw&>]]></message>");
  expect_all_splits(
      input, {kOpen,
              "<message to='a&amp;b&amp;c&lt;&gt;&quot;&apos;A'><body>1 &lt; 2 &amp;&amp; 3 &gt; "
              "2 \"q\" 'a' \xE2\x98\xBA"
              "A&amp;amp;</body>&lt;raw&amp;&gt;</message>"});
  Outcome out = run_whole(input);
  REQUIRE(out.elements.size() == 1);
  CHECK(out.elements[0].attr("to") == "a&b&c<>\"'A");
  CHECK(out.elements[0].child_text("body") ==
        "1 < 2 && 3 > 2 \"q\" 'a' \xE2\x98\xBA"
        "A&amp;");
  CHECK(out.elements[0].text() == "<raw&>");
}

TEST_CASE("restricted XML is refused with restricted-xml", "[unit][xml]") {
  // A DTD with the classic exponential entity: refused at the declaration, nothing expanded.
  expect_all_splits(
      "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
      "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>]>"
      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>&lol2;",
      {}, StreamError::restricted_xml);
  expect_all_splits("<!DOCTYPE stream SYSTEM 'http://example.org/x.dtd'>", {},
                    StreamError::restricted_xml);
  expect_all_splits(with_header("<message><body>&custom;</body></message>"), {kOpen},
                    StreamError::restricted_xml);
  expect_all_splits(with_header("<message to='&custom;'/>"), {kOpen}, StreamError::restricted_xml);
  expect_all_splits(with_header("<message/><?pi data?>"), {kOpen, "<message/>"},
                    StreamError::restricted_xml);
  expect_all_splits(with_header("<message><?pi?></message>"), {kOpen}, StreamError::restricted_xml);
  expect_all_splits(with_header("<message/><!-- note -->"), {kOpen, "<message/>"},
                    StreamError::restricted_xml);
  expect_all_splits(with_header("<message><body><!--x--></body></message>"), {kOpen},
                    StreamError::restricted_xml);
  expect_all_splits("<!-- hello --><stream:stream>", {}, StreamError::restricted_xml);
  expect_all_splits("<?pi?><stream:stream>", {}, StreamError::restricted_xml);
}

TEST_CASE("malformed XML is refused with not-well-formed", "[unit][xml]") {
  expect_all_splits(with_header("<message></iq>"), {kOpen}, StreamError::not_well_formed);
  expect_all_splits(with_header("<message a='1' a='2'/>"), {kOpen}, StreamError::not_well_formed);
  expect_all_splits(with_header("<a><b></a>"), {kOpen}, StreamError::not_well_formed);
  // Overlong UTF-8 inside CDATA passes libxml2's push parser; the stream parser refuses it
  // (found by fuzz_stream_parser: such text could not be serialized again).
  expect_all_splits(with_header("<message><![CDATA[a\xC0\xBC"
                                "b]]></message>"),
                    {kOpen}, StreamError::not_well_formed);
  expect_all_splits(with_header("<message><![CDATA[\xE0\x80\xBC]]></message>"), {kOpen},
                    StreamError::not_well_formed);
  expect_all_splits(with_header("<message>\x01</message>"), {kOpen}, StreamError::not_well_formed);
  expect_all_splits(with_header("<message>\xff\xfe</message>"), {kOpen},
                    StreamError::not_well_formed);
  expect_all_splits(with_header("<message to=x/>"), {kOpen}, StreamError::not_well_formed);
  expect_all_splits(with_header("<message>&;</message>"), {kOpen}, StreamError::not_well_formed);
  expect_all_splits("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'", {},
                    std::nullopt);  // Incomplete is not an error yet.
  expect_all_splits("hello", {}, StreamError::not_well_formed);
  expect_all_splits("\x16\x03\x01\x02\x00", {}, StreamError::not_well_formed);  // TLS hello.
  expect_all_splits(with_header("<message/>hello<message/>"), {kOpen, "<message/>"},
                    StreamError::bad_format);
  expect_all_splits(with_header("<x:message/>"), {kOpen}, StreamError::bad_namespace_prefix);
}

TEST_CASE("reserved namespace names are refused as Namespaces in XML section 3 asks",
          "[unit][xml]") {
  // Found by fuzz_stream_parser: libxml2 accepts the first one, and the element it yields
  // serializes to a document that does not parse again. Each of these must end the stream
  // rather than reach a router that could not forward it.
  const std::vector<std::string> refused = {
      "<x xmlns='http://www.w3.org/XML/1998/namespace'/>",
      "<message><x xmlns='http://www.w3.org/XML/1998/namespace'/></message>",
      "<message xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
      "<message xmlns:xml='urn:other'/>",
      "<message xmlns='http://www.w3.org/2000/xmlns/'/>",
      "<message xmlns:p='http://www.w3.org/2000/xmlns/'/>",
  };
  for (const std::string& stanza : refused) {
    INFO(stanza);
    Outcome out = run_whole(with_header(stanza));
    REQUIRE(out.failure.has_value());
    CHECK(out.elements.empty());
  }
  expect_all_splits(with_header("<x xmlns='http://www.w3.org/XML/1998/namespace'/>"), {kOpen},
                    StreamError::not_well_formed);
  // The xml prefix may be declared, bound to its own name, and used on attributes.
  expect_all_splits(
      with_header("<message xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/>"),
      {kOpen, "<message xml:lang='en'/>"});
  // A stream header that misuses them fails the same way.
  expect_all_splits(
      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns='http://www.w3.org/XML/1998/namespace'>",
      {}, StreamError::not_well_formed);
}

TEST_CASE("only UTF-8 is accepted", "[unit][xml]") {
  expect_all_splits(
      "<?xml version='1.0' encoding='UTF-8'?>"
      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:server'>",
      {"open to= from= id= version= lang= ns=jabber:server db=0"});
  expect_all_splits(
      "<?xml version='1.0' encoding='ISO-8859-1'?>"
      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:server'>",
      {}, StreamError::unsupported_encoding);
  expect_all_splits("<?xml version='1.0' encoding='no-such-charset'?><stream:stream>", {},
                    StreamError::unsupported_encoding);
  std::string utf16("\xFF\xFE", 2);
  for (char c :
       std::string_view("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>")) {
    utf16 += c;
    utf16 += '\0';
  }
  Outcome out = run_whole(utf16);
  REQUIRE(out.failure.has_value());
  CHECK(out.failure->condition == StreamError::unsupported_encoding);
  CHECK(out.events.empty());
}

TEST_CASE("whitespace keepalives between stanzas are ignored", "[unit][xml]") {
  expect_all_splits(with_header(" \n <message/>\t \r\n <presence/>   "),
                    {kOpen, "<message/>", "<presence/>"});

  // Keepalives over a long idle period never add up to a stanza-size violation.
  StreamParser::Limits limits;
  limits.max_stanza_bytes = 10000;
  std::vector<std::size_t> cuts;
  std::string input(kHeader);
  for (int i = 0; i < 30000; ++i) {
    cuts.push_back(input.size());
    input += ' ';
  }
  input += "<message/>";
  Outcome out = run_pieces(input, cuts, limits);
  CHECK_FALSE(out.failure.has_value());
  CHECK(out.events == std::vector<std::string>{kOpen, "<message/>"});
}

TEST_CASE("stream close is reported and later input is ignored", "[unit][xml]") {
  expect_all_splits(with_header("<message/></stream:stream>"), {kOpen, "<message/>", "close"});
  expect_all_splits(with_header("</stream:stream><message/>garbage<"), {kOpen, "close"});
  Outcome out = run_whole(with_header("</stream:stream>"));
  CHECK(out.events.back() == "close");
}

TEST_CASE("a stanza over max_stanza_bytes is a policy violation", "[unit][xml]") {
  StreamParser::Limits limits;
  limits.max_stanza_bytes = 10000;
  std::string fits = "<message><body>" + std::string(9000, 'a') + "</body></message>";
  std::string too_big = "<message><body>" + std::string(10100, 'a') + "</body></message>";
  for (std::size_t chunk :
       {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1000000}}) {
    INFO("chunk " << chunk);
    std::string stanzas = fits;
    stanzas += too_big;
    stanzas += fits;
    std::string input = with_header(stanzas);
    std::vector<std::size_t> cuts;
    for (std::size_t at = chunk; at < input.size(); at += chunk) cuts.push_back(at);
    Outcome out = run_pieces(input, cuts, limits);
    REQUIRE(out.failure.has_value());
    CHECK(out.failure->condition == StreamError::policy_violation);
    REQUIRE(out.events.size() == 2);
    CHECK(out.events[1] == fits);
  }
}

TEST_CASE("an endless stanza is stopped near the limit without buffering it", "[unit][xml]") {
  StreamParser::Limits limits;
  limits.max_stanza_bytes = 65536;
  constexpr std::size_t kChunk = 4096;
  constexpr std::size_t kTotal = 10 * 1024 * 1024;
  const std::string filler(kChunk, 'x');

  // An open element whose text never ends, an attribute value that never ends (the start tag
  // stays incomplete, so libxml2 reports nothing), and a comment that never ends.
  for (std::string start : {"<message><body>", "<message to='", "<message><!--"}) {
    INFO(start);
    struct Quiet : StreamParser::Handler {
      void on_stream_open(const xf::xml::StreamHeader&) override {}
      void on_element(Element&&) override { ++elements; }
      void on_stream_close() override {}
      int elements = 0;
    } handler;
    StreamParser parser(handler, limits);
    REQUIRE(parser.feed(kHeader).ok());
    REQUIRE(parser.feed(start).ok());
    std::size_t fed = start.size();
    std::optional<xf::xmpp::StreamFailure> failure;
    while (fed < kTotal) {
      auto result = parser.feed(filler);
      fed += filler.size();
      if (!result.ok()) {
        failure = result.error();
        break;
      }
    }
    REQUIRE(failure.has_value());
    CHECK(failure->condition == StreamError::policy_violation);
    CHECK(fed > limits.max_stanza_bytes);
    CHECK(fed <= limits.max_stanza_bytes + 2 * kChunk);
    CHECK(handler.elements == 0);
  }

  // One huge feed() call is cut into slices, so it too stops near the limit.
  struct Quiet : StreamParser::Handler {
    void on_stream_open(const xf::xml::StreamHeader&) override {}
    void on_element(Element&&) override {}
    void on_stream_close() override {}
  } handler;
  StreamParser parser(handler, limits);
  std::string huge = with_header("<message><body>") + std::string(kTotal, 'x');
  auto result = parser.feed(huge);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().condition == StreamError::policy_violation);
}

TEST_CASE("an oversized stream header is a policy violation", "[unit][xml]") {
  StreamParser::Limits limits;
  limits.max_stanza_bytes = 10000;
  std::string input = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='" +
                      std::string(20000, 'a') + "'>";
  Outcome out = run_whole(input, limits);
  REQUIRE(out.failure.has_value());
  CHECK(out.failure->condition == StreamError::policy_violation);
}

TEST_CASE("nesting deeper than max_depth is a policy violation", "[unit][xml]") {
  StreamParser::Limits limits;
  limits.max_depth = 8;
  auto nested = [](int depth) {
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
      open += "<a>";
      close.insert(0, "</a>");
    }
    return open + close;
  };
  Outcome ok = run_whole(with_header(nested(8)), limits);
  CHECK_FALSE(ok.failure.has_value());
  CHECK(ok.events.size() == 2);
  expect_all_splits(with_header(nested(9)), {kOpen}, StreamError::policy_violation, limits);
}

TEST_CASE("reset() starts a new stream after STARTTLS", "[unit][xml]") {
  Outcome out;
  xf::xml::test::Recorder recorder(out);
  StreamParser parser(recorder, {});
  REQUIRE(parser.feed(with_header("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")).ok());
  CHECK(parser.stream_open());
  parser.reset();
  CHECK_FALSE(parser.stream_open());
  REQUIRE(parser.feed(with_header("<db:result to='example.org' from='partner.example'/>")).ok());
  CHECK(out.events == std::vector<std::string>{
                          kOpen, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", kOpen,
                          "<result xmlns='jabber:server:dialback' to='example.org' "
                          "from='partner.example'/>"});
  CHECK(parser.stream_open());

  // A reset after a failure makes the parser usable again.
  REQUIRE_FALSE(parser.feed("<!-- x -->").ok());
  parser.reset();
  REQUIRE(parser.feed(kHeader).ok());
  CHECK(out.events.back() == kOpen);
}

TEST_CASE("reset() from inside a callback takes effect when feed() returns", "[unit][xml]") {
  Outcome out;
  xf::xml::test::Recorder recorder(out);
  StreamParser parser(recorder, {});
  recorder.on_elem = [&](const Element& el) {
    if (el.name() == "proceed") parser.reset();
  };
  // Bytes after <proceed/> in the same chunk belong to the old stream and are dropped.
  REQUIRE(parser.feed(with_header("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message/>"))
              .ok());
  CHECK(out.events.size() == 2);
  REQUIRE(parser.feed(with_header("<message/>")).ok());
  CHECK(out.events == std::vector<std::string>{kOpen,
                                               "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                                               kOpen, "<message/>"});
}

TEST_CASE("stop() suppresses the rest of the chunk", "[unit][xml]") {
  Outcome out;
  xf::xml::test::Recorder recorder(out);
  StreamParser parser(recorder, {});
  recorder.on_elem = [&](const Element&) { parser.stop(); };
  REQUIRE(parser.feed(with_header("<message/><presence/></stream:stream>")).ok());
  CHECK(out.events == std::vector<std::string>{kOpen, "<message/>"});
  REQUIRE(parser.feed("<iq/>").ok());
  CHECK(out.events.size() == 2);
}

TEST_CASE("parse, serialize and parse again gives an equal tree", "[unit][xml]") {
  // Each entry is one stanza written over several adjacent literals.
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  const std::vector<std::string> stanzas = {
      "<message from='a@partner.example/r' to='b@example.org' type='chat' xml:lang='de'>"
      "<body>Tsch\xC3\xBC\xC3\x9F &amp; &lt;bye&gt; \"'</body>"
      "<thread parent='x'>t1</thread></message>",
      "<iq type='get' id='1'><query xmlns='http://jabber.org/protocol/disco#info' node='n&amp;'/>"
      "</iq>",
      "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' "
      "ver='QgayPKawpkPSDYmwT/WM94uAlu0='/><x:y xmlns:x='urn:x' x:a='1' b='2'>"
      "<z xmlns=''>no namespace</z></x:y></presence>",
      "<message db:flag='1' xml:lang='en'><body>  spaces\n\tand tabs  </body></message>",
      "<message to='a&#9;b&#10;c&#13;d'><body>cr&#13;lf\r\nend</body></message>",
      "<db:verify from='a' to='b' id='c'>key</db:verify>",
  };
  // NOLINTEND(bugprone-suspicious-missing-comma)
  for (const std::string& stanza : stanzas) {
    INFO(stanza);
    Outcome first = run_whole(with_header(stanza));
    REQUIRE_FALSE(first.failure.has_value());
    REQUIRE(first.elements.size() == 1);
    const Element& parsed = first.elements[0];
    for (std::string_view inherited : {std::string_view("jabber:server"), std::string_view()}) {
      std::string written = xf::xml::to_string(parsed, inherited);
      INFO("written: " << written);
      Outcome second = run_whole(with_header(written));
      REQUIRE_FALSE(second.failure.has_value());
      REQUIRE(second.elements.size() == 1);
      CHECK(second.elements[0] == parsed);
      CHECK(xf::xml::to_string(second.elements[0], inherited) == written);
    }
  }
}

TEST_CASE("namespace names are decoded like attribute values", "[unit][xml]") {
  std::string input = with_header(
      "<x xmlns='urn:a&amp;b' xmlns:p='urn:p&#38;q' p:k='v'><p:y/></x><z xmlns='not a uri'/>");
  expect_all_splits(input, {kOpen,
                            "<x xmlns='urn:a&amp;b' xmlns:p='urn:p&amp;q' p:k='v'><y "
                            "xmlns='urn:p&amp;q'/></x>",
                            "<z xmlns='not a uri'/>"});
  Outcome out = run_whole(input);
  REQUIRE(out.elements.size() == 2);
  CHECK(out.elements[0].xmlns() == "urn:a&b");
  CHECK(out.elements[0].child("y", "urn:p&q") != nullptr);
}

TEST_CASE("size accounting stays exact over a long stream", "[unit][xml]") {
  StreamParser::Limits limits;
  limits.max_stanza_bytes = 10000;
  // 400 stanzas of about 9 KB each (3.6 MB) pass; the next one, 100 bytes over, does not.
  std::string fits = "<message><body>" + std::string(9900 - 32, 'a') + "</body></message>";
  std::string over = "<message><body>" + std::string(10100 - 32, 'a') + "</body></message>";
  std::string input(kHeader);
  for (int i = 0; i < 400; ++i) input += fits + "\n";
  input += over;
  for (std::size_t chunk : {std::size_t{1000}, std::size_t{4096}, std::size_t{65536}}) {
    INFO("chunk " << chunk);
    std::vector<std::size_t> cuts;
    for (std::size_t at = chunk; at < input.size(); at += chunk) cuts.push_back(at);
    Outcome out = run_pieces(input, cuts, limits);
    REQUIRE(out.failure.has_value());
    CHECK(out.failure->condition == StreamError::policy_violation);
    CHECK(out.elements.size() == 400);
  }
}
