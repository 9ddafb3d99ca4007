// A DNS server for tests on 127.0.0.1 (UDP, port chosen by the kernel) that answers from a
// table: SRV and A records per name, NXDOMAIN for names it does not know, NODATA for a known
// name without records of the type asked. It counts the queries per name and type.
#pragma once

#include <arpa/inet.h>
#include <uv.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/dns/srv.h"

namespace xf::net::testing {

class FakeDnsServer {
 public:
  static constexpr std::uint16_t kTypeA = 1;
  static constexpr std::uint16_t kTypeSrv = 33;

  explicit FakeDnsServer(uv_loop_t* loop) {
    udp_ = new uv_udp_t{};
    REQUIRE(uv_udp_init(loop, udp_) == 0);
    udp_->data = this;
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", 0, &addr);
    REQUIRE(uv_udp_bind(udp_, reinterpret_cast<const sockaddr*>(&addr), 0) == 0);
    sockaddr_storage bound{};
    int len = sizeof bound;
    uv_udp_getsockname(udp_, reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    REQUIRE(uv_udp_recv_start(udp_, alloc_cb, recv_cb) == 0);
  }
  ~FakeDnsServer() { close(); }
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void add_srv(const std::string& name, const dns::SrvRecord& record, std::uint32_t ttl = 300) {
    names_[name].srv.push_back(record);
    names_[name].ttl = ttl;
  }
  void add_a(const std::string& name, const std::string& ip, std::uint32_t ttl = 300) {
    names_[name].a.push_back(ip);
    names_[name].ttl = ttl;
  }
  // A name that exists with no records (NODATA for every type).
  void add_empty(const std::string& name) { names_[name]; }
  int queries(const std::string& name, std::uint16_t type) const {
    auto it = counts_.find({name, type});
    return it == counts_.end() ? 0 : it->second;
  }
  void close() {
    if (udp_ == nullptr) return;
    uv_close(reinterpret_cast<uv_handle_t*>(udp_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_udp_t*>(h); });
    udp_ = nullptr;
  }

 private:
  struct Name {
    std::vector<dns::SrvRecord> srv;
    std::vector<std::string> a;
    std::uint32_t ttl = 300;
  };

  static void alloc_cb(uv_handle_t*, std::size_t, uv_buf_t* buf) {
    static char storage[4096];
    *buf = uv_buf_init(storage, sizeof storage);
  }

  static void recv_cb(uv_udp_t* udp, ssize_t nread, const uv_buf_t* buf, const sockaddr* from,
                      unsigned) {
    if (nread <= 12 || from == nullptr) return;
    static_cast<FakeDnsServer*>(udp->data)->answer(
        reinterpret_cast<const unsigned char*>(buf->base), static_cast<std::size_t>(nread), from);
  }

  static void put16(std::string& out, unsigned v) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
  }
  static void put32(std::string& out, std::uint32_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xffff);
  }
  static void put_name(std::string& out, const std::string& name) {
    std::size_t start = 0;
    while (start < name.size()) {
      std::size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      out += static_cast<char>(dot - start);
      out += name.substr(start, dot - start);
      start = dot + 1;
    }
    out += '\0';
  }

  void answer(const unsigned char* q, std::size_t len, const sockaddr* from) {
    // The question: labels from byte 12, then type and class.
    std::string name;
    std::size_t p = 12;
    while (p < len && q[p] != 0) {
      if (!name.empty()) name += '.';
      name.append(reinterpret_cast<const char*>(q + p + 1), q[p]);
      p += q[p] + 1;
    }
    if (p + 5 > len) return;
    const std::uint16_t type = static_cast<std::uint16_t>((q[p + 1] << 8) | q[p + 2]);
    const std::size_t question_end = p + 5;
    ++counts_[{name, type}];

    std::string out(reinterpret_cast<const char*>(q), 2);  // The query's id.
    auto it = names_.find(name);
    std::vector<std::string> rdatas;
    if (it != names_.end() && type == kTypeSrv) {
      for (const dns::SrvRecord& r : it->second.srv) {
        std::string rd;
        put16(rd, r.priority);
        put16(rd, r.weight);
        put16(rd, r.port);
        put_name(rd, r.target == "." ? "" : r.target);
        rdatas.push_back(rd);
      }
    } else if (it != names_.end() && type == kTypeA) {
      for (const std::string& ip : it->second.a) {
        in_addr a{};
        inet_pton(AF_INET, ip.c_str(), &a);
        rdatas.emplace_back(reinterpret_cast<const char*>(&a), 4);
      }
    }
    put16(out, it == names_.end() ? 0x8183 : 0x8180);  // QR RD RA, NXDOMAIN or NOERROR.
    put16(out, 1);
    put16(out, static_cast<unsigned>(rdatas.size()));
    put16(out, 0);
    put16(out, 0);
    out.append(reinterpret_cast<const char*>(q + 12), question_end - 12);
    for (const std::string& rd : rdatas) {
      put16(out, 0xc00c);  // The question's name.
      put16(out, type);
      put16(out, 1);
      put32(out, it->second.ttl);
      put16(out, static_cast<unsigned>(rd.size()));
      out += rd;
    }
    auto* req = new uv_udp_send_t{};
    auto* bytes = new std::string(std::move(out));
    req->data = bytes;
    uv_buf_t b = uv_buf_init(bytes->data(), static_cast<unsigned>(bytes->size()));
    uv_udp_send(req, udp_, &b, 1, from, [](uv_udp_send_t* r, int) {
      delete static_cast<std::string*>(r->data);
      delete r;
    });
  }

  uv_udp_t* udp_ = nullptr;
  std::uint16_t port_ = 0;
  std::map<std::string, Name> names_;
  std::map<std::pair<std::string, std::uint16_t>, int> counts_;
};

}  // namespace xf::net::testing
