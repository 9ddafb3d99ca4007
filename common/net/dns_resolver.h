// Asynchronous DNS on the libuv loop with c-ares: SRV lookups for partner discovery and A/AAAA
// lookups of their targets, from the servers of /etc/resolv.conf or configured ones. c-ares
// sockets are watched with uv_poll and its retransmission timeouts run on a net::Timer, so no
// thread is involved. Answers are cached for their TTL (bounded).
//
// Callbacks never run inside lookup_srv()/lookup_addresses(), not even for a cached answer:
// they run from the loop, and a cancelled lookup never calls back. close() ends every lookup
// without a callback and closes the handles, so the loop can finish.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/core/result.h"
#include "common/dns/host_port.h"
#include "common/dns/srv.h"
#include "common/dns/ttl_cache.h"
#include "common/net/timer.h"

struct ares_channeldata;
struct ares_addrinfo;

namespace xf::net {

// Longest time an answer is cached, whatever its TTL says: a day, so that a partner's changed
// records are seen within a day even if their TTL is careless.
inline constexpr Millis kMaxDnsTtlMs = 24 * 60 * 60 * 1000;
// Addresses kept from one A/AAAA answer (as many as a connect tries).
inline constexpr std::size_t kMaxAddressesPerHost = 16;

class DnsResolver {
 public:
  struct Settings {
    // Servers to ask, in order; empty: the system's (/etc/resolv.conf).
    std::vector<dns::HostPort> servers;
    std::size_t cache_entries = 1000;
  };
  using Ticket = std::uint64_t;
  using SrvCallback = std::function<void(dns::SrvAnswer)>;
  // Addresses with the port set, in the order to try them; Errc::not_found when the name has
  // no address, another code when DNS could not say.
  using AddressCallback = std::function<void(Result<std::vector<sockaddr_storage>>)>;

  static Result<std::unique_ptr<DnsResolver>> make(uv_loop_t* loop, Settings settings);
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  Ticket lookup_srv(const std::string& name, SrvCallback callback);
  // A numeric host is answered without DNS.
  Ticket lookup_addresses(const std::string& host, std::uint16_t port, AddressCallback callback);
  // The lookup's callback will not run. Unknown or finished tickets are ignored.
  void cancel(Ticket ticket);
  void close();

  // Queries handed to c-ares so far (cache hits and numeric hosts do not count).
  std::uint64_t queries_sent() const { return queries_sent_; }

 private:
  struct Pending {
    SrvCallback srv;
    AddressCallback addresses;
    std::uint16_t port = 0;
    std::optional<dns::SrvAnswer> srv_result;
    std::optional<Result<std::vector<sockaddr_storage>>> address_result;
  };
  struct QueryArg;

  DnsResolver(uv_loop_t* loop, Settings settings);
  Status init();
  void ready(Ticket ticket);
  void deliver();
  void rearm();
  void on_socket_state(int fd, bool readable, bool writable);
  void srv_answered(Ticket ticket, const std::string& name, int status, const unsigned char* abuf,
                    int alen);
  void addresses_answered(Ticket ticket, const std::string& host, int status, void* result);

  static void sock_state_cb(void* data, int fd, int readable, int writable);
  static void on_poll_cb(uv_poll_t* handle, int status, int events);
  static void srv_cb(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  static void addrinfo_cb(void* arg, int status, int timeouts, ::ares_addrinfo* result);

  uv_loop_t* loop_;
  Settings settings_;
  ares_channeldata* channel_ = nullptr;
  bool closed_ = false;
  std::map<int, uv_poll_t*> polls_;
  Timer timeout_timer_;
  Timer deliver_timer_;
  Ticket last_ticket_ = 0;
  std::map<Ticket, Pending> pending_;
  std::deque<Ticket> ready_;
  dns::TtlCache<dns::SrvAnswer> srv_cache_;
  dns::TtlCache<std::vector<sockaddr_storage>> address_cache_;
  std::uint64_t queries_sent_ = 0;
};

}  // namespace xf::net
