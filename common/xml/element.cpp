#include "common/xml/element.h"

#include <algorithm>
#include <utility>

namespace xf::xml {

Element::Element(std::string name, std::string xmlns)
    : name_(std::move(name)), xmlns_(std::move(xmlns)) {}

Element::Element(const Element& other)
    : name_(other.name_), xmlns_(other.xmlns_), attrs_(other.attrs_) {
  nodes_.reserve(other.nodes_.size());
  for (const Node& node : other.nodes_) {
    Node copy;
    if (node.element) {
      copy.element = std::make_unique<Element>(*node.element);
    } else {
      copy.text = node.text;
    }
    nodes_.push_back(std::move(copy));
  }
}

Element& Element::operator=(const Element& other) {
  if (this != &other) {
    Element copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::string_view Element::attr(std::string_view name) const {
  for (const Attribute& a : attrs_) {
    if (a.name == name) return a.value;
  }
  return {};
}

bool Element::has_attr(std::string_view name) const {
  return std::any_of(attrs_.begin(), attrs_.end(),
                     [&](const Attribute& a) { return a.name == name; });
}

Element& Element::set_attr(std::string name, std::string value) {
  for (Attribute& a : attrs_) {
    if (a.name == name) {
      a.value = std::move(value);
      return *this;
    }
  }
  attrs_.push_back(Attribute{std::move(name), std::move(value)});
  return *this;
}

void Element::remove_attr(std::string_view name) {
  std::erase_if(attrs_, [&](const Attribute& a) { return a.name == name; });
}

Element& Element::add_child(Element child) {
  Node node;
  node.element = std::make_unique<Element>(std::move(child));
  nodes_.push_back(std::move(node));
  return *nodes_.back().element;
}

Element& Element::add_child(std::string name, std::string xmlns) {
  return add_child(Element(std::move(name), std::move(xmlns)));
}

void Element::add_text(std::string text) {
  if (text.empty()) return;
  if (!nodes_.empty() && !nodes_.back().is_element()) {
    nodes_.back().text += text;
    return;
  }
  Node node;
  node.text = std::move(text);
  nodes_.push_back(std::move(node));
}

void Element::remove_children(std::string_view name, std::string_view xmlns) {
  std::erase_if(nodes_, [&](const Node& node) {
    return node.element && node.element->name_ == name &&
           (xmlns.empty() || node.element->xmlns_ == xmlns);
  });
}

const Element* Element::child(std::string_view name, std::string_view xmlns) const {
  for (const Node& node : nodes_) {
    if (node.element && node.element->name_ == name &&
        (xmlns.empty() || node.element->xmlns_ == xmlns)) {
      return node.element.get();
    }
  }
  return nullptr;
}

Element* Element::child(std::string_view name, std::string_view xmlns) {
  return const_cast<Element*>(std::as_const(*this).child(name, xmlns));
}

std::vector<const Element*> Element::children() const {
  std::vector<const Element*> out;
  for (const Node& node : nodes_) {
    if (node.element) out.push_back(node.element.get());
  }
  return out;
}

std::string Element::text() const {
  std::string out;
  for (const Node& node : nodes_) {
    if (!node.element) out += node.text;
  }
  return out;
}

std::string Element::child_text(std::string_view name, std::string_view xmlns) const {
  const Element* c = child(name, xmlns);
  return c ? c->text() : std::string();
}

bool operator==(const Element& a, const Element& b) {
  if (a.name_ != b.name_ || a.xmlns_ != b.xmlns_ || a.attrs_.size() != b.attrs_.size() ||
      a.nodes_.size() != b.nodes_.size()) {
    return false;
  }
  // Attribute order carries no meaning in XML; names are unique within an element.
  for (const Attribute& attr : a.attrs_) {
    if (!b.has_attr(attr.name) || b.attr(attr.name) != attr.value) return false;
  }
  for (std::size_t i = 0; i < a.nodes_.size(); ++i) {
    const Element::Node& x = a.nodes_[i];
    const Element::Node& y = b.nodes_[i];
    if (x.is_element() != y.is_element()) return false;
    if (x.is_element() ? !(*x.element == *y.element) : x.text != y.text) return false;
  }
  return true;
}

namespace {

// The escape of one character, or nullptr when it is written as is. Attribute values also
// escape quotes and the whitespace that attribute-value normalisation would turn into spaces;
// CR is escaped everywhere because line-end normalisation would drop it.
const char* escape_of(char c, bool attribute) {
  switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\r': return "&#13;";
    case '\'': return attribute ? "&apos;" : nullptr;
    case '"': return attribute ? "&quot;" : nullptr;
    case '\t': return attribute ? "&#9;" : nullptr;
    case '\n': return attribute ? "&#10;" : nullptr;
    default: return nullptr;
  }
}

void escape(std::string_view in, std::string& out, bool attribute) {
  out.reserve(out.size() + in.size());
  for (char c : in) {
    if (const char* escaped = escape_of(c, attribute)) {
      out += escaped;
    } else {
      out += c;
    }
  }
}

}  // namespace

void escape_text(std::string_view in, std::string& out) { escape(in, out, false); }

void escape_attr(std::string_view in, std::string& out) { escape(in, out, true); }

void serialize(const Element& element, std::string& out, std::string_view inherited_ns) {
  out += '<';
  out += element.name();
  if (element.xmlns() != inherited_ns) {
    out += " xmlns='";
    escape_attr(element.xmlns(), out);
    out += '\'';
  }
  for (const Attribute& a : element.attrs()) {
    // The default namespace is element.xmlns(); a stray "xmlns" attribute would contradict it.
    if (a.name == "xmlns") continue;
    out += ' ';
    out += a.name;
    out += "='";
    escape_attr(a.value, out);
    out += '\'';
  }
  if (element.nodes().empty()) {
    out += "/>";
    return;
  }
  out += '>';
  for (const Element::Node& node : element.nodes()) {
    if (node.element) {
      serialize(*node.element, out, element.xmlns());
    } else {
      escape_text(node.text, out);
    }
  }
  out += "</";
  out += element.name();
  out += '>';
}

std::string to_string(const Element& element, std::string_view inherited_ns) {
  std::string out;
  serialize(element, out, inherited_ns);
  return out;
}

}  // namespace xf::xml
