#include "common/net/dns_resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/net/connection.h"

namespace xf::net {
namespace {

// RFC 1035 §4.1: the fixed header; RFC 2782: the SRV type.
constexpr int kHeaderBytes = 12;
constexpr int kTypeSrv = 33;
constexpr int kClassIn = 1;

std::uint16_t read16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t read32(const unsigned char* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}

// Skips a possibly compressed name at p; false when it runs off the message.
bool skip_name(const unsigned char*& p, const unsigned char* abuf, int alen) {
  char* name = nullptr;
  long used = 0;
  if (ares_expand_name(p, abuf, alen, &name, &used) != ARES_SUCCESS) return false;
  ares_free_string(name);
  p += used;
  return true;
}

std::optional<std::string> read_name(const unsigned char* p, const unsigned char* abuf, int alen) {
  char* name = nullptr;
  long used = 0;
  if (ares_expand_name(p, abuf, alen, &name, &used) != ARES_SUCCESS) return std::nullopt;
  std::string out(name);
  ares_free_string(name);
  return out;
}

// The SRV records of a reply and their smallest TTL (ares_parse_srv_reply drops the TTL).
// Records of other types (a CNAME on the way) are passed over.
bool parse_srv_reply(const unsigned char* abuf, int alen, std::vector<dns::SrvRecord>& out,
                     std::uint32_t& min_ttl) {
  if (alen < kHeaderBytes) return false;
  const unsigned char* end = abuf + alen;
  const int questions = read16(abuf + 4);
  const int answers = read16(abuf + 6);
  const unsigned char* p = abuf + kHeaderBytes;
  for (int i = 0; i < questions; ++i) {
    if (!skip_name(p, abuf, alen) || end - p < 4) return false;
    p += 4;
  }
  min_ttl = std::numeric_limits<std::uint32_t>::max();
  for (int i = 0; i < answers; ++i) {
    if (!skip_name(p, abuf, alen) || end - p < 10) return false;
    const int type = read16(p);
    const int klass = read16(p + 2);
    const std::uint32_t ttl = read32(p + 4);
    const int length = read16(p + 8);
    p += 10;
    if (end - p < length) return false;
    if (type == kTypeSrv && klass == kClassIn) {
      if (length < 7) return false;
      auto target = read_name(p + 6, abuf, alen);
      if (!target) return false;
      out.push_back(
          dns::SrvRecord{read16(p), read16(p + 2), read16(p + 4), dns::normalize_name(*target)});
      min_ttl = std::min(min_ttl, ttl);
    }
    p += length;
  }
  return true;
}

Millis ttl_ms(std::uint32_t ttl_s) {
  return std::min<Millis>(static_cast<Millis>(ttl_s) * 1000, kMaxDnsTtlMs);
}

void set_port(sockaddr_storage& addr, std::uint16_t port) {
  if (addr.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(port);
  } else if (addr.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port = htons(port);
  }
}

}  // namespace

// What a c-ares callback needs to find its lookup again; freed by the callback, which c-ares
// calls exactly once (with ARES_EDESTRUCTION when the channel goes away).
struct DnsResolver::QueryArg {
  DnsResolver* resolver;
  Ticket ticket;
  std::string name;
};

Result<std::unique_ptr<DnsResolver>> DnsResolver::make(uv_loop_t* loop, Settings settings) {
  std::unique_ptr<DnsResolver> resolver(new DnsResolver(loop, std::move(settings)));
  if (Status st = resolver->init(); !st.ok()) return fail(st.error());
  return resolver;
}

DnsResolver::DnsResolver(uv_loop_t* loop, Settings settings)
    : loop_(loop),
      settings_(std::move(settings)),
      timeout_timer_(loop,
                     [this] {
                       ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
                       rearm();
                     }),
      deliver_timer_(loop, [this] { deliver(); }),
      srv_cache_(settings_.cache_entries),
      address_cache_(settings_.cache_entries) {}

Status DnsResolver::init() {
  // Process-wide set-up; later calls only count references, and the library is never torn
  // down while the daemon runs.
  if (int rc = ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS) {
    return fail(Errc::internal, std::string("c-ares: ") + ares_strerror(rc));
  }
  ares_options options{};
  options.sock_state_cb = [](void* data, ares_socket_t fd, int readable, int writable) {
    sock_state_cb(data, fd, readable, writable);
  };
  options.sock_state_cb_data = this;
  ares_channel channel = nullptr;
  if (int rc = ares_init_options(&channel, &options, ARES_OPT_SOCK_STATE_CB); rc != ARES_SUCCESS) {
    return fail(Errc::config_error, std::string("c-ares: ") + ares_strerror(rc));
  }
  channel_ = channel;
  if (!settings_.servers.empty()) {
    std::string csv;
    for (const dns::HostPort& server : settings_.servers) {
      if (!csv.empty()) csv += ',';
      csv += server.to_string();
    }
    if (int rc = ares_set_servers_ports_csv(channel_, csv.c_str()); rc != ARES_SUCCESS) {
      return fail(Errc::config_error, "DNS servers " + csv + ": " + ares_strerror(rc));
    }
  }
  return {};
}

DnsResolver::~DnsResolver() { close(); }

void DnsResolver::close() {
  if (closed_) return;
  closed_ = true;
  pending_.clear();
  ready_.clear();
  // Calls every outstanding callback with ARES_EDESTRUCTION (they find no lookup and only
  // free their argument) and reports every socket closed.
  if (channel_ != nullptr) ares_destroy(channel_);
  channel_ = nullptr;
  for (auto& [fd, poll] : polls_) {
    uv_close(reinterpret_cast<uv_handle_t*>(poll),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  }
  polls_.clear();
  timeout_timer_.close();
  deliver_timer_.close();
}

// ---- lookups ------------------------------------------------------------------------------

DnsResolver::Ticket DnsResolver::lookup_srv(const std::string& name, SrvCallback callback) {
  const Ticket ticket = ++last_ticket_;
  Pending& p = pending_[ticket];
  p.srv = std::move(callback);
  if (closed_) {
    p.srv_result = dns::SrvAnswer{dns::SrvStatus::failed, {}};
    ready(ticket);
    return ticket;
  }
  if (auto cached = srv_cache_.get(name, static_cast<Millis>(uv_now(loop_)))) {
    p.srv_result = std::move(*cached);
    ready(ticket);
    return ticket;
  }
  ++queries_sent_;
  ares_query(channel_, name.c_str(), kClassIn, kTypeSrv, srv_cb, new QueryArg{this, ticket, name});
  rearm();
  return ticket;
}

DnsResolver::Ticket DnsResolver::lookup_addresses(const std::string& host, std::uint16_t port,
                                                  AddressCallback callback) {
  const Ticket ticket = ++last_ticket_;
  Pending& p = pending_[ticket];
  p.addresses = std::move(callback);
  p.port = port;
  sockaddr_storage numeric{};
  if (parse_numeric_address(host, port, numeric)) {
    p.address_result = std::vector<sockaddr_storage>{numeric};
    ready(ticket);
    return ticket;
  }
  if (closed_) {
    p.address_result = fail(Errc::io_error, "resolver closed");
    ready(ticket);
    return ticket;
  }
  if (auto cached = address_cache_.get(host, static_cast<Millis>(uv_now(loop_)))) {
    for (sockaddr_storage& a : *cached) set_port(a, port);
    p.address_result = std::move(*cached);
    ready(ticket);
    return ticket;
  }
  ++queries_sent_;
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, addrinfo_cb,
                   new QueryArg{this, ticket, host});
  rearm();
  return ticket;
}

void DnsResolver::cancel(Ticket ticket) { pending_.erase(ticket); }

void DnsResolver::srv_cb(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  std::unique_ptr<QueryArg> q(static_cast<QueryArg*>(arg));
  if (status == ARES_EDESTRUCTION || q->resolver->closed_) return;
  q->resolver->srv_answered(q->ticket, q->name, status, abuf, alen);
}

void DnsResolver::srv_answered(Ticket ticket, const std::string& name, int status,
                               const unsigned char* abuf, int alen) {
  dns::SrvAnswer answer;
  std::uint32_t ttl = 0;
  if (status == ARES_SUCCESS) {
    if (!parse_srv_reply(abuf, alen, answer.records, ttl)) {
      answer.records.clear();
      answer.status = dns::SrvStatus::failed;
    } else {
      answer.status = answer.records.empty() ? dns::SrvStatus::no_records : dns::SrvStatus::found;
    }
  } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
    answer.status = dns::SrvStatus::no_records;
  } else {
    answer.status = dns::SrvStatus::failed;
  }
  // Only records are cached: "no records" may be a zone being set up, and failures are
  // transient; either costs one query per dial, and dials are rare.
  if (answer.status == dns::SrvStatus::found) {
    srv_cache_.put(name, answer, ttl_ms(ttl), static_cast<Millis>(uv_now(loop_)));
  }
  auto it = pending_.find(ticket);
  if (it == pending_.end()) return;
  it->second.srv_result = std::move(answer);
  ready(ticket);
}

void DnsResolver::addrinfo_cb(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<QueryArg> q(static_cast<QueryArg*>(arg));
  if (status == ARES_EDESTRUCTION || q->resolver->closed_) {
    if (result != nullptr) ares_freeaddrinfo(result);
    return;
  }
  q->resolver->addresses_answered(q->ticket, q->name, status, result);
}

void DnsResolver::addresses_answered(Ticket ticket, const std::string& host, int status,
                                     void* raw) {
  auto* result = static_cast<ares_addrinfo*>(raw);
  Result<std::vector<sockaddr_storage>> out = std::vector<sockaddr_storage>{};
  if (status == ARES_SUCCESS && result != nullptr) {
    std::vector<sockaddr_storage> addresses;
    std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
    for (ares_addrinfo_node* n = result->nodes; n != nullptr; n = n->ai_next) {
      if (addresses.size() >= kMaxAddressesPerHost) break;
      if (n->ai_family != AF_INET && n->ai_family != AF_INET6) continue;
      sockaddr_storage a{};
      std::memcpy(&a, n->ai_addr, std::min<std::size_t>(n->ai_addrlen, sizeof a));
      addresses.push_back(a);
      ttl = std::min(ttl, static_cast<std::uint32_t>(std::max(n->ai_ttl, 0)));
    }
    if (addresses.empty()) {
      out = fail(Errc::not_found, "no address for " + host);
    } else {
      address_cache_.put(host, addresses, ttl_ms(ttl), static_cast<Millis>(uv_now(loop_)));
      out = std::move(addresses);
    }
  } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_ENONAME) {
    out = fail(Errc::not_found, "no address for " + host);
  } else if (status == ARES_ETIMEOUT) {
    out = fail(Errc::timeout, "resolving " + host + ": " + ares_strerror(status));
  } else {
    out = fail(Errc::io_error, "resolving " + host + ": " + ares_strerror(status));
  }
  if (result != nullptr) ares_freeaddrinfo(result);
  auto it = pending_.find(ticket);
  if (it == pending_.end()) return;
  if (out.ok()) {
    for (sockaddr_storage& a : *out) set_port(a, it->second.port);
  }
  it->second.address_result = std::move(out);
  ready(ticket);
}

// ---- delivery -----------------------------------------------------------------------------

void DnsResolver::ready(Ticket ticket) {
  ready_.push_back(ticket);
  if (!closed_) deliver_timer_.start(0);
}

void DnsResolver::deliver() {
  std::deque<Ticket> batch;
  batch.swap(ready_);
  for (Ticket ticket : batch) {
    // A callback may cancel or start other lookups: look each one up afresh.
    auto it = pending_.find(ticket);
    if (it == pending_.end()) continue;
    Pending p = std::move(it->second);
    pending_.erase(it);
    if (p.srv && p.srv_result) {
      p.srv(std::move(*p.srv_result));
    } else if (p.addresses && p.address_result) {
      p.addresses(std::move(*p.address_result));
    }
    if (closed_) return;
  }
}

// ---- c-ares on the loop -------------------------------------------------------------------

void DnsResolver::rearm() {
  if (closed_ || channel_ == nullptr) return;
  timeval tv{};
  if (timeval* next = ares_timeout(channel_, nullptr, &tv); next != nullptr) {
    timeout_timer_.start(static_cast<Millis>(next->tv_sec) * 1000 + next->tv_usec / 1000);
  } else {
    timeout_timer_.stop();
  }
}

void DnsResolver::sock_state_cb(void* data, int fd, int readable, int writable) {
  static_cast<DnsResolver*>(data)->on_socket_state(fd, readable != 0, writable != 0);
}

void DnsResolver::on_socket_state(int fd, bool readable, bool writable) {
  auto it = polls_.find(fd);
  if (!readable && !writable) {
    // c-ares closes the socket right after this call: stop watching it first.
    if (it == polls_.end()) return;
    uv_close(reinterpret_cast<uv_handle_t*>(it->second),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    polls_.erase(it);
    return;
  }
  if (closed_) return;
  uv_poll_t* poll = nullptr;
  if (it == polls_.end()) {
    poll = new uv_poll_t{};
    if (uv_poll_init_socket(loop_, poll, fd) != 0) {
      delete poll;
      return;  // The query times out through ares_timeout.
    }
    poll->data = this;
    polls_[fd] = poll;
  } else {
    poll = it->second;
  }
  const int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
  uv_poll_start(poll, events, on_poll_cb);
}

void DnsResolver::on_poll_cb(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<DnsResolver*>(handle->data);
  if (self->closed_) return;
  uv_os_sock_t fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(handle), &fd);
  // On a poll error let c-ares read and write: it sees the socket's error and moves on.
  const bool readable = status < 0 || (events & UV_READABLE) != 0;
  const bool writable = status < 0 || (events & UV_WRITABLE) != 0;
  ares_process_fd(self->channel_, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
  self->rearm();
}

}  // namespace xf::net
