#include "edge-proxy/edge_runtime.h"

#include <vector>

#include "common/core/token_source.h"
#include "edge-proxy/s2s_session.h"

namespace xf::edge {

EdgeRuntime::EdgeRuntime(uv_loop_t* loop, const EdgeConfig& config, EdgeTls tls,
                         net::DnsResolver& resolver)
    : loop_(loop),
      config_(config),
      tls_(std::move(tls)),
      resolver_(resolver),
      dialer_(resolver, config.s2s, dns::random_pick()),
      router_(config, *this,
              Router::Timekeeper{[loop] { return static_cast<Millis>(uv_now(loop)); },
                                 [this] { rearm_router(); }},
              TokenSource().next() | 1),
      router_timer_(loop, [this] {
        router_.on_timer(static_cast<Millis>(uv_now(loop_)));
        rearm_router();
      }) {}

void EdgeRuntime::rearm_router() { router_timer_.start_at(router_.next_deadline()); }

EdgeRuntime::~EdgeRuntime() = default;

net::Connection* EdgeRuntime::accept_s2s() {
  if (!router_.may_accept_inbound()) return nullptr;
  S2sSession* session =
      S2sSession::make_inbound(loop_, router_, config_, tls_.s2s_server, ++last_session_id_);
  router_.session_opened(*session);
  return session;
}

net::Connection* EdgeRuntime::accept_s2s_direct_tls() {
  if (!router_.may_accept_inbound()) return nullptr;
  S2sSession* session = S2sSession::make_inbound(loop_, router_, config_, tls_.s2s_server,
                                                 ++last_session_id_, /*direct_tls=*/true);
  router_.session_opened(*session);
  return session;
}

S2sPort* EdgeRuntime::open_outbound(const std::string& local_domain,
                                    const std::string& remote_domain) {
  // The router opens streams for hosted local domains only, and each has a client context.
  auto client = tls_.s2s_clients.find(local_domain);
  std::shared_ptr<tls::Context> ctx =
      client != tls_.s2s_clients.end() ? client->second : tls_.s2s_clients.begin()->second;
  S2sSession* session = S2sSession::make_outbound(loop_, router_, config_, std::move(ctx),
                                                  ++last_session_id_, local_domain, remote_domain);
  session->dial(dialer_);
  return session;
}

net::Connection* EdgeRuntime::accept_relay() {
  if (!router_.may_accept_gateway()) return nullptr;
  std::uint64_t id = ++last_gateway_id_;
  auto settings = net::RelayChannel::settings_for(config_.relay, relay::Role::edge, "edge",
                                                  tls_.relay, config_.relay.allowed_peers);
  settings.link.session_for = [this](const std::string& node) {
    return router_.gateway_session(node);
  };
  auto* channel =
      net::RelayChannel::make(loop_, *this, std::move(settings), log::cat("relay-in ", id));
  const auto high = static_cast<std::size_t>(config_.relay.high_water_bytes);
  channel->set_write_watermarks(high / 2, high);
  auto link = std::make_unique<GatewayLink>(id, *channel);
  router_.gateway_opened(*link);
  gateways_[channel] = std::move(link);
  return channel;
}

void EdgeRuntime::on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) {
  auto it = gateways_.find(&channel);
  if (it == gateways_.end()) return;
  router_.on_link_event(*it->second, std::move(event));
  rearm_router();
}

void EdgeRuntime::on_channel_closed(net::RelayChannel& channel, const Error* reason) {
  auto it = gateways_.find(&channel);
  if (it == gateways_.end()) return;
  router_.gateway_closed(*it->second, reason);
  gateways_.erase(it);
  rearm_router();
}

void EdgeRuntime::on_channel_backlog(net::RelayChannel& channel, bool above) {
  auto it = gateways_.find(&channel);
  if (it == gateways_.end()) return;
  router_.gateway_backlog(*it->second, above);
}

void EdgeRuntime::shutdown() {
  router_.shutdown();
  // Shutting a channel down closes it, which erases it from gateways_: walk a copy.
  std::vector<net::RelayChannel*> channels;
  for (auto& [channel, link] : gateways_) channels.push_back(channel);
  for (net::RelayChannel* c : channels) c->shutdown("edge proxy shutting down");
  resolver_.close();
  router_timer_.close();
}

}  // namespace xf::edge
