// An XML element tree for one stanza (or one stream-level element such as <features/>).
// Namespaces are resolved: name() is the local name and xmlns() the namespace URI, whatever
// prefix the sender used. Attributes keep their qualified name ("xml:lang", "type").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace xf::xml {

struct Attribute {
  std::string name;   // Qualified name as written, e.g. "to" or "xml:lang".
  std::string value;  // Unescaped value.
};

class Element {
 public:
  Element() = default;
  explicit Element(std::string name, std::string xmlns = {});
  Element(const Element& other);
  Element& operator=(const Element& other);
  Element(Element&&) noexcept = default;
  Element& operator=(Element&&) noexcept = default;
  ~Element() = default;

  const std::string& name() const { return name_; }
  const std::string& xmlns() const { return xmlns_; }
  void set_name(std::string name) { name_ = std::move(name); }
  void set_xmlns(std::string xmlns) { xmlns_ = std::move(xmlns); }
  bool is(std::string_view name, std::string_view xmlns) const {
    return name_ == name && xmlns_ == xmlns;
  }

  // Attribute value, or "" when absent.
  std::string_view attr(std::string_view name) const;
  bool has_attr(std::string_view name) const;
  // Sets (or replaces) an attribute; returns *this for chaining.
  Element& set_attr(std::string name, std::string value);
  void remove_attr(std::string_view name);
  const std::vector<Attribute>& attrs() const { return attrs_; }

  // Children in document order: each node is either an element or a text run.
  struct Node {
    std::unique_ptr<Element> element;  // Set for element nodes.
    std::string text;                  // Unescaped text for text nodes.
    bool is_element() const { return element != nullptr; }
  };
  const std::vector<Node>& nodes() const { return nodes_; }

  // Appends a child element; the returned reference stays valid until the next mutation.
  Element& add_child(Element child);
  Element& add_child(std::string name, std::string xmlns = {});
  // Appends text, merging it into the previous node when that is text too.
  void add_text(std::string text);
  // Removes every child element with this name (and namespace unless xmlns is empty).
  void remove_children(std::string_view name, std::string_view xmlns = {});

  // First child element with this name; an empty xmlns matches any namespace.
  const Element* child(std::string_view name, std::string_view xmlns = {}) const;
  Element* child(std::string_view name, std::string_view xmlns = {});
  // All child elements, in order.
  std::vector<const Element*> children() const;
  // Concatenated direct text children.
  std::string text() const;
  // text() of child(name, xmlns), or "" when there is no such child.
  std::string child_text(std::string_view name, std::string_view xmlns = {}) const;

  // Same name, namespace, attributes (in any order) and children (adjacent text runs are
  // merged by add_text, so equal XML gives equal trees however it was split).
  friend bool operator==(const Element& a, const Element& b);

 private:
  std::string name_;
  std::string xmlns_;
  std::vector<Attribute> attrs_;
  std::vector<Node> nodes_;
};

// Escaping for character data (&, <, >) and for attribute values (also ' and "). Both also
// escape CR, and attribute values tab and LF, so that parsers' newline and attribute-value
// normalization hand back the same text.
void escape_text(std::string_view in, std::string& out);
void escape_attr(std::string_view in, std::string& out);

// Appends the element as XML. An xmlns attribute is written only where the element's namespace
// differs from inherited_ns (the namespace in scope where it is written: "jabber:server" inside
// an s2s stream, "" for a standalone document). Attributes are written with single quotes.
void serialize(const Element& element, std::string& out, std::string_view inherited_ns = {});
std::string to_string(const Element& element, std::string_view inherited_ns = {});

}  // namespace xf::xml
