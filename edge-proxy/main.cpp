// xmppfed-edge-proxy: the DMZ half of xmppfed. Terminates XMPP server-to-server federation and
// relays authenticated stanzas to the frontend gateways that dial in over the relay link.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "common/core/daemon.h"
#include "common/core/log.h"
#include "common/net/dns_resolver.h"
#include "common/net/listener.h"
#include "common/net/loop_shutdown.h"
#include "common/net/signal_watcher.h"
#include "edge-proxy/edge_config.h"
#include "edge-proxy/edge_runtime.h"
#include "edge-proxy/edge_tls.h"
#include "xmppfed/version.h"

using namespace xf;

namespace {

// Certificates and keys are part of the configuration: --check-config loads them too.
Status check_tls(const edge::EdgeConfig& config) {
  auto tls = edge::load_edge_tls(config);
  if (!tls.ok()) return fail(tls.error());
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string version = std::string("xmppfed-edge-proxy ") + kVersion;
  auto prepared = prepare_daemon<edge::EdgeConfig>(argc, argv, version.c_str(),
                                                   &edge::load_edge_config, &check_tls);
  if (auto* exit_code = std::get_if<int>(&prepared)) return *exit_code;
  const edge::EdgeConfig config = std::get<edge::EdgeConfig>(std::move(prepared));
  Logger log("edge");
  std::signal(SIGPIPE, SIG_IGN);

  auto tls = edge::load_edge_tls(config);
  if (!tls.ok()) {
    log.error("start-up failed: ", tls.error().detail);
    return kExitSoftware;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = kExitOk;
  {
    net::DnsResolver::Settings dns_settings;
    dns_settings.servers = config.s2s.dns_servers;
    dns_settings.cache_entries = static_cast<std::size_t>(config.s2s.dns_cache_entries);
    auto resolver = net::DnsResolver::make(&loop, std::move(dns_settings));
    if (!resolver.ok()) {
      log.error("start-up failed: ", resolver.error().detail);
      net::close_loop(&loop);
      return kExitSoftware;
    }
    edge::EdgeRuntime runtime(&loop, config, std::move(*tls), **resolver);
    std::vector<std::unique_ptr<net::Listener>> listeners;
    auto listen = [&](const char* what, const std::string& host, std::uint16_t port,
                      net::Listener::Factory f) {
      auto l = std::make_unique<net::Listener>(&loop, std::move(f), what);
      if (Status st = l->listen(host, port); !st.ok()) {
        log.error("cannot listen for ", what, " on ", host, ":", port, ": ", st.error().detail);
        return false;
      }
      log.info("listening for ", what, " on ", host, ":", l->port());
      listeners.push_back(std::move(l));
      return true;
    };
    bool ok = true;
    for (const edge::ListenAddress& a : config.s2s.listen) {
      ok = ok && listen("s2s", a.address, a.port,
                        [&runtime](uv_loop_t*) { return runtime.accept_s2s(); });
    }
    for (const edge::ListenAddress& a : config.s2s.direct_tls_listen) {
      ok = ok && listen("s2s direct TLS", a.address, a.port,
                        [&runtime](uv_loop_t*) { return runtime.accept_s2s_direct_tls(); });
    }
    ok = ok && listen("relay", config.relay.listen.address, config.relay.listen.port,
                      [&runtime](uv_loop_t*) { return runtime.accept_relay(); });
    if (!ok) {
      rc = kExitSoftware;
    } else {
      std::string hosted;
      for (const auto& h : config.hosted_domains) hosted += (hosted.empty() ? "" : ", ") + h.domain;
      log.info("edge proxy running for ", hosted);
      net::SignalWatcher* watcher = nullptr;
      auto on_signal = [&](int signum) {
        if (signum == SIGUSR1) {
          runtime.router().log_status();
          return;
        }
        if (signum == SIGHUP) {
          log.info("SIGHUP: configuration reload is not supported yet; keeping the running one");
          return;
        }
        log.info("signal ", signum, ": shutting down");
        for (auto& l : listeners) l->close();
        runtime.shutdown();
        watcher->close();
      };
      net::SignalWatcher signals(&loop, on_signal, {SIGINT, SIGTERM, SIGHUP, SIGUSR1});
      watcher = &signals;
      if (Status st = signals.start(); !st.ok()) {
        log.error("cannot watch signals: ", st.error().detail);
        rc = kExitSoftware;
      } else {
        uv_run(&loop, UV_RUN_DEFAULT);
      }
    }
    listeners.clear();
  }
  net::close_loop(&loop);
  log.info("stopped");
  return rc;
}
