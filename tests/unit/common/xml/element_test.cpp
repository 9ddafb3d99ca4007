#include "common/xml/element.h"

#include <catch2/catch.hpp>

using xf::xml::Element;

TEST_CASE("element attributes can be set, read, replaced and removed", "[unit][xml]") {
  Element el("message", "jabber:server");
  el.set_attr("to", "a@example.org").set_attr("type", "chat");
  CHECK(el.attr("to") == "a@example.org");
  CHECK(el.has_attr("type"));
  CHECK(el.attr("missing").empty());
  CHECK_FALSE(el.has_attr("missing"));
  el.set_attr("type", "normal");
  CHECK(el.attr("type") == "normal");
  CHECK(el.attrs().size() == 2);
  el.remove_attr("to");
  CHECK_FALSE(el.has_attr("to"));
  CHECK(el.attrs().size() == 1);
}

TEST_CASE("element children and text are found by name and namespace", "[unit][xml]") {
  Element el("message", "jabber:server");
  el.add_child("body", "jabber:server").add_text("hello");
  el.add_child("x", "urn:a").add_text("a");
  el.add_child("x", "urn:b").add_text("b");
  el.add_text("one ");
  el.add_text("two");
  CHECK(el.child_text("body") == "hello");
  CHECK(el.child_text("x") == "a");
  CHECK(el.child_text("x", "urn:b") == "b");
  CHECK(el.child("x", "urn:c") == nullptr);
  CHECK(el.child_text("nothing").empty());
  CHECK(el.children().size() == 3);
  CHECK(el.text() == "one two");
  CHECK(el.nodes().size() == 4);  // Adjacent text runs merge.
  el.remove_children("x", "urn:a");
  CHECK(el.child_text("x") == "b");
  el.remove_children("x");
  CHECK(el.child("x") == nullptr);
  CHECK(el.is("message", "jabber:server"));
  CHECK_FALSE(el.is("message", "jabber:client"));
}

TEST_CASE("element copies are deep and compare equal", "[unit][xml]") {
  Element el("iq", "jabber:server");
  el.set_attr("type", "get").set_attr("id", "1");
  el.add_child("query", "jabber:iq:version").add_child("name").add_text("x");
  Element copy(el);
  CHECK(copy == el);
  copy.child("query")->child("name")->add_text("y");
  CHECK_FALSE(copy == el);
  CHECK(el.child("query")->child_text("name") == "x");
  Element assigned;
  assigned = el;
  CHECK(assigned == el);

  // Attribute order does not matter; values do.
  Element a("a"), b("a");
  a.set_attr("x", "1").set_attr("y", "2");
  b.set_attr("y", "2").set_attr("x", "1");
  CHECK(a == b);
  b.set_attr("x", "3");
  CHECK_FALSE(a == b);
}

TEST_CASE("escaping of text and attribute values", "[unit][xml]") {
  std::string out;
  xf::xml::escape_text("a & b < c > d ' \" \r\n", out);
  CHECK(out == "a &amp; b &lt; c &gt; d ' \" &#13;\n");
  out.clear();
  xf::xml::escape_attr("a & b < c > d ' \" \t\n\r", out);
  CHECK(out == "a &amp; b &lt; c &gt; d &apos; &quot; &#9;&#10;&#13;");
}

TEST_CASE("serialize writes xmlns only where the namespace changes", "[unit][xml]") {
  Element msg("message", "jabber:server");
  msg.set_attr("to", "o'neil@example.org").set_attr("xml:lang", "en");
  msg.add_child("body", "jabber:server").add_text("1 < 2 & \"3\"");
  Element& x = msg.add_child("x", "urn:ext");
  x.add_child("item", "urn:ext");
  x.add_child("bare", "");
  msg.add_child("empty", "jabber:server");

  CHECK(xf::xml::to_string(msg, "jabber:server") ==
        "<message to='o&apos;neil@example.org' xml:lang='en'><body>1 &lt; 2 &amp; \"3\"</body>"
        "<x xmlns='urn:ext'><item/><bare xmlns=''/></x><empty/></message>");
  CHECK(xf::xml::to_string(msg).starts_with("<message xmlns='jabber:server' to="));

  // A stray "xmlns" attribute is not written: the element's namespace decides.
  Element odd("a", "urn:a");
  odd.set_attr("xmlns", "urn:b");
  CHECK(xf::xml::to_string(odd) == "<a xmlns='urn:a'/>");
  CHECK(xf::xml::to_string(Element("a")) == "<a/>");

  std::string out = "prefix:";
  xf::xml::serialize(Element("b", "urn:b"), out, "urn:b");
  CHECK(out == "prefix:<b/>");
}
