#include "common/xml/stream_parser.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/xml/xml_text.h"

namespace xf::xml {
namespace {

// libxml2 gets the input in slices of at most this size, so that the size limit is checked (and
// the parser halted) before more than one slice past the limit has been buffered, however large
// the caller's chunk is.
constexpr std::size_t kSliceBytes = 16384;

std::string_view view(const xmlChar* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

std::string_view view(const xmlChar* begin, const xmlChar* end) {
  return {reinterpret_cast<const char*>(begin), static_cast<std::size_t>(end - begin)};
}

// Without entity substitution libxml2 hands an attribute value's '&' to SAX2 as "&#38;" (its own
// tree builder decodes it later); every other reference arrives decoded. Any '&' in the value
// therefore starts "&#38;". Namespace names come from attribute values and are encoded alike.
std::string decode_attr_value(std::string_view raw) {
  constexpr std::string_view kAmp = "&#38;";
  if (raw.find('&') == std::string_view::npos) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  while (!raw.empty()) {
    if (raw.starts_with(kAmp)) {
      out += '&';
      raw.remove_prefix(kAmp.size());
    } else {
      out += raw.front();
      raw.remove_prefix(1);
    }
  }
  return out;
}

// The two reserved namespace names of "Namespaces in XML" §3.
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kXmlnsNs = "http://www.w3.org/2000/xmlns/";

// Why a namespace declaration breaks the reserved-name constraints of "Namespaces in XML" §3,
// or nullptr when it does not. libxml2 lets some of these through (the default namespace set
// to the xml namespace, for one), yet the element could not be written out again as a
// well-formed document, so the stream parser refuses them itself. `prefix` is empty for the
// default namespace.
const char* reserved_namespace_misuse(std::string_view prefix, std::string_view ns) {
  if (prefix == "xmlns") return "the xmlns prefix must not be declared";
  if (prefix == "xml") return ns == kXmlNs ? nullptr : "the xml prefix is bound to another name";
  if (ns == kXmlNs) return "only the xml prefix may be bound to the xml namespace";
  if (ns == kXmlnsNs) return "the xmlns namespace must not be declared";
  return nullptr;
}

// libxml2 passes array lengths as int.
std::size_t count(int n) { return n > 0 ? static_cast<std::size_t>(n) : 0; }

bool is_xml_space(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

// A document starts with '<', whitespace, a byte order mark or (UTF-16 without one) a zero byte.
bool may_start_document(unsigned char c) {
  return c == '<' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xFE ||
         c == 0xFF || c == 0;
}

void ignore_generic_error(void* /*ctx*/, const char* /*msg*/, ...) {}

void init_libxml() {
  // xmlInitParser is not safe to race with a first parse on another thread; do it once here.
  static const bool initialized = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialized;
}

}  // namespace

struct StreamParser::Impl {
  Impl(Handler& h, const Limits& l) : handler(h), limits(l) {}
  ~Impl() { free_context(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Handler& handler;
  const Limits& limits;
  xmlParserCtxtPtr ctxt = nullptr;

  StreamHeader header;
  bool open = false;           // The stream header has been delivered.
  bool closed = false;         // </stream:stream> has been delivered.
  bool stopped = false;        // stop() was called; input is ignored until reset().
  bool in_feed = false;        // Inside xmlParseChunk, so inside a libxml2 callback frame.
  bool reset_pending = false;  // reset() was called from a callback; done when feed() returns.
  std::optional<xmpp::StreamFailure> failure;

  Element stanza;               // The top-level element being built.
  std::vector<Element*> stack;  // Its open elements, root first (pointers into stanza's tree).

  std::size_t fed = 0;   // Bytes handed to libxml2 since the last reset.
  std::size_t mark = 0;  // Input offset where the pending header or top-level element begins.

  bool halted() const { return failure.has_value() || stopped || closed; }

  void free_context() {
    if (ctxt != nullptr) {
      xmlFreeParserCtxt(ctxt);
      ctxt = nullptr;
    }
  }

  void restart() {
    free_context();
    header = StreamHeader{};
    open = closed = stopped = reset_pending = false;
    failure.reset();
    stanza = Element();
    stack.clear();
    fed = mark = 0;
  }

  bool create_context();
  Result<void, xmpp::StreamFailure> feed(std::string_view bytes);

  // Records the first failure and halts libxml2 (safe from inside its callbacks).
  void fail(xmpp::StreamError condition, std::string text) {
    if (halted()) return;
    failure = xmpp::StreamFailure{condition, std::move(text)};
    if (ctxt != nullptr) xmlStopParser(ctxt);
  }

  Result<void, xmpp::StreamFailure> fail_result() const { return xf::fail(*failure); }

  void halt_by_request() {
    stopped = true;
    if (ctxt != nullptr) xmlStopParser(ctxt);
  }

  std::size_t position() const {
    long consumed = xmlByteConsumed(ctxt);
    return consumed > 0 ? static_cast<std::size_t>(consumed) : 0;
  }

  // The pending header or element may not grow past max_stanza_bytes of raw input.
  bool within_size_limit(std::size_t offset) {
    if (offset <= mark || offset - mark <= limits.max_stanza_bytes) return true;
    fail(xmpp::StreamError::policy_violation,
         open ? "stanza larger than " + std::to_string(limits.max_stanza_bytes) + " bytes"
              : "stream header larger than " + std::to_string(limits.max_stanza_bytes) + " bytes");
    return false;
  }

  void open_stream(std::string_view name, std::string_view uri, int nb_namespaces,
                   const xmlChar** namespaces, int nb_attributes, const xmlChar** attributes);
  // False (and the stream failed) when a declaration misuses a reserved namespace name.
  bool namespaces_allowed(int nb_namespaces, const xmlChar** namespaces);
  void start_element(std::string_view name, std::string_view uri, int nb_namespaces,
                     const xmlChar** namespaces, int nb_attributes, const xmlChar** attributes);
  void end_element();
  void text(std::string_view text);

  // libxml2 SAX2 callbacks; ctx is the Impl.
  static Impl& impl_of(void* ctx) { return *static_cast<Impl*>(ctx); }
  static void on_start_document(void* ctx);
  static void on_start_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                               const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                               int nb_attributes, int nb_defaulted, const xmlChar** attributes);
  static void on_end_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                             const xmlChar* uri);
  static void on_characters(void* ctx, const xmlChar* ch, int len);
  static void on_cdata(void* ctx, const xmlChar* ch, int len);
  static void on_comment(void* ctx, const xmlChar* value);
  static void on_processing_instruction(void* ctx, const xmlChar* target, const xmlChar* data);
  static void on_subset(void* ctx, const xmlChar* name, const xmlChar* external_id,
                        const xmlChar* system_id);
  static void on_entity_decl(void* ctx, const xmlChar* name, int type, const xmlChar* public_id,
                             const xmlChar* system_id, xmlChar* content);
  static xmlEntityPtr on_get_entity(void* ctx, const xmlChar* name);
  static void on_error(void* ctx, xmlErrorPtr error);
};

bool StreamParser::Impl::create_context() {
  static xmlSAXHandler sax = [] {
    xmlSAXHandler h;
    std::memset(&h, 0, sizeof(h));
    h.initialized = XML_SAX2_MAGIC;
    h.startDocument = &Impl::on_start_document;
    h.startElementNs = &Impl::on_start_element;
    h.endElementNs = &Impl::on_end_element;
    h.characters = &Impl::on_characters;
    h.ignorableWhitespace = &Impl::on_characters;
    h.cdataBlock = &Impl::on_cdata;
    h.comment = &Impl::on_comment;
    h.processingInstruction = &Impl::on_processing_instruction;
    h.internalSubset = &Impl::on_subset;
    h.externalSubset = &Impl::on_subset;
    h.entityDecl = &Impl::on_entity_decl;
    h.getEntity = &Impl::on_get_entity;
    h.getParameterEntity = &Impl::on_get_entity;
    h.serror = &Impl::on_error;
    return h;
  }();
  ctxt = xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr);
  if (ctxt == nullptr) return false;
  // No network, no DTD loading, no entity substitution: together with the refusing callbacks
  // above, no entity is ever defined, so none can be expanded.
  xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
  ctxt->replaceEntities = 0;
  ctxt->loadsubset = 0;
  return true;
}

Result<void, xmpp::StreamFailure> StreamParser::Impl::feed(std::string_view bytes) {
  if (halted()) return {};
  if (ctxt == nullptr && !create_context()) {
    failure =
        xmpp::StreamFailure{xmpp::StreamError::internal_server_error, "cannot create XML parser"};
    return fail_result();
  }
  if (fed == 0 && !bytes.empty() && !may_start_document(static_cast<unsigned char>(bytes[0]))) {
    // libxml2 would wait for a '>' that may never come; refuse TLS records, HTTP and the like now.
    fail(xmpp::StreamError::not_well_formed, "stream does not start with '<'");
    return fail_result();
  }
  in_feed = true;
  // Some conversion errors go to libxml2's generic handler, which prints to stderr; a peer must
  // not be able to write to our logs that way. The handler is per thread; restore it after.
  xmlGenericErrorFunc saved_handler = xmlGenericError;
  void* saved_context = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(nullptr, &ignore_generic_error);
  while (!bytes.empty() && !halted()) {
    std::string_view slice = bytes.substr(0, kSliceBytes);
    bytes.remove_prefix(slice.size());
    fed += slice.size();
    xmlParseChunk(ctxt, slice.data(), static_cast<int>(slice.size()), 0);
    if (halted()) break;
    if (ctxt->disableSAX != 0 || ctxt->instate == XML_PARSER_EOF) {
      // libxml2 gave up without telling the error callback (e.g. an encoding it cannot switch to).
      fail(ctxt->errNo == XML_ERR_UNSUPPORTED_ENCODING ? xmpp::StreamError::unsupported_encoding
                                                       : xmpp::StreamError::not_well_formed,
           "XML parser stopped, error " + std::to_string(ctxt->errNo));
      break;
    }
    within_size_limit(fed);
  }
  xmlSetGenericErrorFunc(saved_context, saved_handler);
  in_feed = false;
  if (failure) {
    // Returned once; later input is ignored until reset().
    auto result = fail_result();
    if (reset_pending) restart();
    return result;
  }
  if (reset_pending) restart();
  return {};
}

void StreamParser::Impl::open_stream(std::string_view name, std::string_view uri, int nb_namespaces,
                                     const xmlChar** namespaces, int nb_attributes,
                                     const xmlChar** attributes) {
  if (uri != xmpp::kStreamsNs) {
    fail(xmpp::StreamError::invalid_namespace,
         "first element is not in the " + std::string(xmpp::kStreamsNs) + " namespace");
    return;
  }
  if (name != "stream") {
    fail(xmpp::StreamError::bad_format, "first element is not <stream:stream>");
    return;
  }
  if (!namespaces_allowed(nb_namespaces, namespaces)) return;
  for (std::size_t i = 0; i < count(nb_namespaces); ++i) {
    std::string_view prefix = view(namespaces[2 * i]);
    std::string ns = decode_attr_value(view(namespaces[2 * i + 1]));
    if (namespaces[2 * i] == nullptr) header.content_ns = ns;
    if (ns == xmpp::kDialbackNs && prefix == "db") header.declares_dialback = true;
  }
  for (std::size_t i = 0; i < count(nb_attributes); ++i) {
    const xmlChar** a = attributes + 5 * i;
    std::string_view local = view(a[0]);
    std::string_view prefix = view(a[1]);
    std::string value = decode_attr_value(view(a[3], a[4]));
    if (prefix.empty()) {
      if (local == "to")
        header.to = std::move(value);
      else if (local == "from")
        header.from = std::move(value);
      else if (local == "id")
        header.id = std::move(value);
      else if (local == "version")
        header.version = std::move(value);
    } else if (prefix == "xml" && local == "lang") {
      header.lang = std::move(value);
    }
  }
  open = true;
  mark = position();
  handler.on_stream_open(header);
}

bool StreamParser::Impl::namespaces_allowed(int nb_namespaces, const xmlChar** namespaces) {
  for (std::size_t i = 0; i < count(nb_namespaces); ++i) {
    const char* why = reserved_namespace_misuse(view(namespaces[2 * i]),
                                                decode_attr_value(view(namespaces[2 * i + 1])));
    if (why != nullptr) {
      fail(xmpp::StreamError::not_well_formed, why);
      return false;
    }
  }
  return true;
}

void StreamParser::Impl::start_element(std::string_view name, std::string_view uri,
                                       int nb_namespaces, const xmlChar** namespaces,
                                       int nb_attributes, const xmlChar** attributes) {
  if (stack.size() >= limits.max_depth) {
    fail(xmpp::StreamError::policy_violation,
         "stanza nested deeper than " + std::to_string(limits.max_depth) + " elements");
    return;
  }
  if (!namespaces_allowed(nb_namespaces, namespaces)) return;
  if (uri == kXmlNs || uri == kXmlnsNs) {
    fail(xmpp::StreamError::not_well_formed,
         "element <" + std::string(name) + "> in a reserved namespace");
    return;
  }
  Element* el = nullptr;
  if (stack.empty()) {
    stanza = Element(std::string(name), decode_attr_value(uri));
    el = &stanza;
  } else {
    el = &stack.back()->add_child(Element(std::string(name), decode_attr_value(uri)));
  }
  // Prefixed declarations are kept as attributes: element names are stored resolved, but
  // prefixed attribute names keep their prefix and need the binding when written out again.
  for (std::size_t i = 0; i < count(nb_namespaces); ++i) {
    // The xml prefix is bound by definition; a declaration of it adds nothing to keep.
    if (namespaces[2 * i] == nullptr || view(namespaces[2 * i]) == "xml") continue;
    std::string decl = "xmlns:";
    decl += view(namespaces[2 * i]);
    el->set_attr(std::move(decl), decode_attr_value(view(namespaces[2 * i + 1])));
  }
  for (std::size_t i = 0; i < count(nb_attributes); ++i) {
    const xmlChar** a = attributes + 5 * i;
    std::string_view local = view(a[0]);
    std::string_view prefix = view(a[1]);
    std::string qname;
    if (prefix.empty()) {
      qname = local;
    } else {
      qname.reserve(prefix.size() + 1 + local.size());
      qname.append(prefix).append(1, ':').append(local);
    }
    if (!prefix.empty() && prefix != "xml") {
      // A prefix bound outside this stanza (on the stream header) is declared on the element
      // that uses it, so that the stanza stands alone when serialized.
      std::string decl = "xmlns:" + std::string(prefix);
      bool declared = el->has_attr(decl);
      for (auto it = stack.rbegin(); !declared && it != stack.rend(); ++it) {
        declared = (*it)->has_attr(decl);
      }
      if (!declared) el->set_attr(std::move(decl), decode_attr_value(view(a[2])));
    }
    el->set_attr(std::move(qname), decode_attr_value(view(a[3], a[4])));
  }
  stack.push_back(el);
}

void StreamParser::Impl::end_element() {
  if (stack.empty()) {
    closed = true;
    xmlStopParser(ctxt);
    handler.on_stream_close();
    return;
  }
  stack.pop_back();
  if (!stack.empty()) return;
  std::size_t end = position();
  if (!within_size_limit(end)) return;
  mark = end;
  Element done = std::move(stanza);
  stanza = Element();
  handler.on_element(std::move(done));
}

void StreamParser::Impl::text(std::string_view text) {
  if (stack.empty()) {
    // Between top-level elements only whitespace (keepalives) may appear; it does not count
    // against the next stanza's size.
    if (!is_xml_space(text)) {
      fail(xmpp::StreamError::bad_format, "text directly inside <stream:stream>");
      return;
    }
    mark = position();
    return;
  }
  stack.back()->add_text(std::string(text));
  within_size_limit(position());
}

void StreamParser::Impl::on_start_document(void* ctx) {
  Impl& self = impl_of(ctx);
  if (self.halted()) return;
  xmlParserCtxtPtr c = self.ctxt;
  // libxml2 keeps a declared UTF-8 in ctxt->encoding; anything else sets input->encoding or
  // installs a converter (also for a UTF-16 byte order mark). RFC 6120 §11.6 allows UTF-8 only.
  bool converting = c->input != nullptr &&
                    ((c->input->buf && c->input->buf->encoder) || c->input->encoding != nullptr);
  std::string_view declared = view(c->encoding);
  if (converting || (!declared.empty() && !equals_ignore_case(declared, "UTF-8") &&
                     !equals_ignore_case(declared, "UTF8"))) {
    self.fail(xmpp::StreamError::unsupported_encoding, "stream is not UTF-8");
  }
}

void StreamParser::Impl::on_start_element(void* ctx, const xmlChar* localname,
                                          const xmlChar* /*prefix*/, const xmlChar* uri,
                                          int nb_namespaces, const xmlChar** namespaces,
                                          int nb_attributes, int /*nb_defaulted*/,
                                          const xmlChar** attributes) {
  Impl& self = impl_of(ctx);
  if (self.halted() || !self.within_size_limit(self.position())) return;
  if (!self.open) {
    self.open_stream(view(localname), view(uri), nb_namespaces, namespaces, nb_attributes,
                     attributes);
  } else {
    self.start_element(view(localname), view(uri), nb_namespaces, namespaces, nb_attributes,
                       attributes);
  }
}

void StreamParser::Impl::on_end_element(void* ctx, const xmlChar* /*localname*/,
                                        const xmlChar* /*prefix*/, const xmlChar* /*uri*/) {
  Impl& self = impl_of(ctx);
  if (self.halted()) return;
  self.end_element();
}

void StreamParser::Impl::on_characters(void* ctx, const xmlChar* ch, int len) {
  Impl& self = impl_of(ctx);
  if (self.halted() || len <= 0) return;
  self.text(std::string_view(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)));
}

void StreamParser::Impl::on_cdata(void* ctx, const xmlChar* ch, int len) {
  Impl& self = impl_of(ctx);
  if (self.halted() || len <= 0) return;
  std::string_view text(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len));
  // libxml2's push parser checks CDATA with a lax UTF-8 test (overlong forms pass); text that
  // no serializer could write back out must not enter a stanza.
  if (!is_xml_text(text)) {
    self.fail(xmpp::StreamError::not_well_formed, "CDATA section is not valid UTF-8 XML text");
    return;
  }
  self.text(text);
}

void StreamParser::Impl::on_comment(void* ctx, const xmlChar* /*value*/) {
  impl_of(ctx).fail(xmpp::StreamError::restricted_xml, "XML comment");
}

void StreamParser::Impl::on_processing_instruction(void* ctx, const xmlChar* /*target*/,
                                                   const xmlChar* /*data*/) {
  impl_of(ctx).fail(xmpp::StreamError::restricted_xml, "processing instruction");
}

void StreamParser::Impl::on_subset(void* ctx, const xmlChar* /*name*/,
                                   const xmlChar* /*external_id*/, const xmlChar* /*system_id*/) {
  impl_of(ctx).fail(xmpp::StreamError::restricted_xml, "document type declaration");
}

void StreamParser::Impl::on_entity_decl(void* ctx, const xmlChar* /*name*/, int /*type*/,
                                        const xmlChar* /*public_id*/, const xmlChar* /*system_id*/,
                                        xmlChar* /*content*/) {
  impl_of(ctx).fail(xmpp::StreamError::restricted_xml, "entity declaration");
}

xmlEntityPtr StreamParser::Impl::on_get_entity(void* ctx, const xmlChar* name) {
  // libxml2 resolves the five predefined entities itself; any other name is refused here.
  impl_of(ctx).fail(xmpp::StreamError::restricted_xml,
                    "reference to entity '" + std::string(view(name)) + "'");
  return nullptr;
}

void StreamParser::Impl::on_error(void* ctx, xmlErrorPtr error) {
  Impl& self = impl_of(ctx);
  if (error == nullptr || error->level == XML_ERR_WARNING || error->level == XML_ERR_NONE) return;
  // Namespace names that are not valid URIs are reported as errors, yet the document is
  // well-formed and other servers accept them; a namespace name is only compared, never resolved.
  if (error->code == XML_WAR_NS_URI || error->code == XML_WAR_NS_URI_RELATIVE) return;
  std::string text = error->message ? error->message : "XML error";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  xmpp::StreamError condition = xmpp::StreamError::not_well_formed;
  if (error->domain == XML_FROM_NAMESPACE && error->code == XML_NS_ERR_UNDEFINED_NAMESPACE) {
    condition = xmpp::StreamError::bad_namespace_prefix;
  } else if (error->code == XML_ERR_UNSUPPORTED_ENCODING) {
    condition = xmpp::StreamError::unsupported_encoding;
  }
  self.fail(condition, std::move(text));
}

StreamParser::StreamParser(Handler& handler, Limits limits)
    : handler_(handler), limits_(limits), impl_(std::make_unique<Impl>(handler_, limits_)) {
  init_libxml();
}

StreamParser::~StreamParser() = default;

Result<void, xmpp::StreamFailure> StreamParser::feed(std::string_view bytes) {
  return impl_->feed(bytes);
}

void StreamParser::reset() {
  if (impl_->in_feed) {
    // Freeing the libxml2 context under its own callback would pull the stack out from under
    // it; stop now and start over when feed() returns.
    impl_->reset_pending = true;
    if (!impl_->halted()) impl_->halt_by_request();
    return;
  }
  impl_->restart();
}

void StreamParser::stop() {
  if (!impl_->halted()) impl_->halt_by_request();
}

bool StreamParser::stream_open() const { return impl_->open && !impl_->closed; }

}  // namespace xf::xml
