// xmppfed-frontend-gateway: the internal half of xmppfed. Dials the edge proxies over the
// mutual-TLS relay link and translates between XMPP stanzas and SIP for the internal SIP
// platform: instant messages (page and session mode) and presence.
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "common/core/daemon.h"
#include "common/core/log.h"
#include "common/net/loop_shutdown.h"
#include "common/net/signal_watcher.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/runtime/gateway_runtime.h"
#include "frontend-gateway/store/sqlite_store.h"
#include "xmppfed/version.h"

using namespace xf;

int main(int argc, char** argv) {
  const std::string version = std::string("xmppfed-frontend-gateway ") + kVersion;
  auto prepared =
      prepare_daemon<gw::GatewayConfig>(argc, argv, version.c_str(), &gw::load_gateway_config);
  if (auto* exit_code = std::get_if<int>(&prepared)) return *exit_code;
  const gw::GatewayConfig config = std::get<gw::GatewayConfig>(std::move(prepared));
  Logger log("frontend-gateway");
  std::signal(SIGPIPE, SIG_IGN);

  // The state database first: without it subscriptions would be lost at the next stop.
  auto state = store::SqliteStore::open(config.store.path);
  if (!state.ok()) {
    log.error("start-up failed: cannot open the state database ", config.store.path, ": ",
              state.error().detail);
    return kExitSoftware;
  }
  log.info("state database ", config.store.path, " (schema ", (*state)->schema_version(), ", ",
           (*state)->journal_mode(), ")");

  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = kExitOk;
  {
    gw::GatewayRuntime runtime(&loop, config, **state);
    if (Status st = runtime.start(); !st.ok()) {
      log.error("start-up failed: ", st.error().detail);
      rc = kExitSoftware;
    } else {
      std::string local;
      for (const auto& d : config.local_domains) local += (local.empty() ? "" : ", ") + d;
      log.info("frontend gateway running for ", local, "; SIP on ", config.sip.listen_address, ":",
               runtime.sip_port(), ", next hop ", config.sip.next_hop_host, ":",
               config.sip.next_hop_port);
      net::SignalWatcher* watcher = nullptr;
      auto on_signal = [&](int signum) {
        if (signum == SIGUSR1) {
          runtime.log_status();
          return;
        }
        if (signum == SIGHUP) {
          log.info("SIGHUP: configuration reload is not supported yet; keeping the running one");
          return;
        }
        log.info("signal ", signum, ": shutting down");
        runtime.shutdown();
        watcher->close();
      };
      net::SignalWatcher signals(&loop, on_signal, {SIGINT, SIGTERM, SIGHUP, SIGUSR1});
      watcher = &signals;
      if (Status watching = signals.start(); !watching.ok()) {
        log.error("cannot watch signals: ", watching.error().detail);
        rc = kExitSoftware;
      } else {
        uv_run(&loop, UV_RUN_DEFAULT);
      }
    }
  }
  net::close_loop(&loop);
  log.info("stopped");
  return rc;
}
