#include "frontend-gateway/runtime/gateway_runtime.h"

#include <chrono>

namespace xf::gw {

GatewayRuntime::GatewayRuntime(uv_loop_t* loop, const GatewayConfig& config,
                               store::StateStore& store)
    : loop_(loop),
      timer_(loop, [this] { core_.on_timer(); }),
      sip_(loop, config),
      relay_(loop, config),
      core_(config, relay_, sip_, *this, store) {
  sip_.set_events(&core_);
  relay_.set_events(&core_);
}

GatewayRuntime::~GatewayRuntime() {
  sip_.set_events(nullptr);
  relay_.set_events(nullptr);
  timer_.stop();
  sip_.close();
  relay_.stop();
}

Status GatewayRuntime::start() {
  if (Status st = sip_.listen(); !st.ok()) return st;
  return relay_.start();
}

void GatewayRuntime::shutdown() {
  core_.shutdown();
  timer_.stop();
  sip_.close();
  relay_.stop();
}

Millis GatewayRuntime::now() const { return static_cast<Millis>(uv_now(loop_)); }

std::int64_t GatewayRuntime::wall_now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void GatewayRuntime::wake_at(Millis deadline) { timer_.start_at(deadline); }

void GatewayRuntime::log_status() const {
  const PresenceService& presence = core_.presence();
  log_.info("status: ", relay_.links_up(), " relay link(s) up; SIP next hop ",
            sip_.next_hop_open() ? "connected" : "not connected", ", ", sip_.connection_count(),
            " SIP connection(s)");
  log_.info("status: SIP transactions ", core_.transactions().server_count(), " server, ",
            core_.transactions().client_count(), " client; ", core_.sip_client().in_flight(),
            " request(s) in flight, ", core_.sip_client().waiting(), " waiting for the next hop");
  log_.info("status: IM ", core_.im().pending_count(), " message(s) awaiting a SIP answer");
  const ImService::Counters& im = core_.im().counters();
  log_.info("status: counters: XMPP->SIP messages ", im.to_sip, " sent, ", im.to_sip_accepted,
            " accepted, ", im.to_sip_refused, " refused; SIP->XMPP MESSAGEs ", im.to_xmpp,
            " relayed, ", im.to_xmpp_accepted, " answered 202, ", im.to_xmpp_refused,
            " answered with an error, ", im.refused_503, " refused 503 here");
  log_.info("status: backpressure: relay links ", core_.relay_paused() ? "not read" : "read",
            " (stopped ", core_.flow().relay_pauses, " time(s)), SIP connections ",
            core_.sip_paused() ? "not read" : "read", " (stopped ", core_.flow().sip_pauses,
            " time(s))");
  log_.info("status: presence ", presence.subscriber().armed_refreshes(),
            " XMPP->SIP subscription timer(s) (", presence.subscriber().lapsed_count(),
            " lapsed), ", presence.notifier().armed_expiries(), " SIP->XMPP subscription(s), ",
            presence.notifier().waiting_subscribes(), " subscribe(s) awaiting the edge");
}

}  // namespace xf::gw
