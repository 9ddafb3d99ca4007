// Subscriptions survive a gateway restart: a new core on the same SQLite file re-arms the
// refreshes and expiries, and presence still flows both ways in the stored dialogs.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "frontend-gateway/sip/subscription_state.h"
#include "tests/unit/frontend-gateway/presence/presence_fixture.h"

using namespace presence_test;

namespace {

struct TempDb {
  std::string path;
  TempDb() {
    path = (std::filesystem::temp_directory_path() /
            ("xmppfed-presence-" + std::to_string(::getpid()) + ".sqlite"))
               .string();
    remove();
  }
  ~TempDb() { remove(); }
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  std::shared_ptr<store::StateStore> open() {
    auto s = store::SqliteStore::open(path);
    REQUIRE(s.ok());
    return std::shared_ptr<store::StateStore>(std::move(s.value()));
  }
};

}  // namespace

TEST_CASE("restart: an XMPP -> SIP subscription is refreshed and keeps flowing",
          "[unit][gateway][presence]") {
  TempDb file;
  std::string subscribe;
  {
    Harness h(config(), file.open());
    h.partner(presence("subscribe"));
    REQUIRE(h.sip.requests.size() == 1);
    subscribe = h.sip.requests[0];
    h.from_sip(answer(subscribe, 202, {{"Expires", "600"}}));
    h.from_sip(
        notify_for(subscribe, 1, "active;expires=600",
                   "<?xml version='1.0'?>"
                   "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:bob@sip.example'>"
                   "<tuple id='t'><status><basic>open</basic></status></tuple></presence>"));
    REQUIRE(h.relay.sent.size() == 2);
    h.gateway->shutdown();
  }
  // 100 s later, on a fresh monotonic clock.
  Harness h(config(), file.open());
  h.clock.time = 50;
  h.clock.wall_offset += 1000 + 100 * 1000 - 50;
  h.gateway = std::make_unique<Gateway>(h.cfg, h.relay, h.sip, h.clock, *h.db, 78);
  CHECK(h.gateway->presence().subscriber().armed_refreshes() == 1);
  // Refresh at 300 s after the first SUBSCRIBE: 200 s from now.
  CHECK(h.gateway->presence().next_deadline() == 50 + 200 * 1000);
  h.advance_to(50 + 200 * 1000);
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage refresh = h.request(0);
  CHECK(refresh.call_id() == parse(subscribe).call_id());
  CHECK(refresh.cseq_number() == 2);
  CHECK(refresh.to().tag == "uas-tag");
  CHECK(refresh.request_uri() == "sip:bob@127.0.0.6:5070;transport=tcp");
  h.from_sip(answer(h.sip.requests[0], 200, {{"Expires", "600"}}));
  // Presence still flows, without a second 'subscribed'.
  h.from_sip(notify_for(subscribe, 2, "active;expires=600", pidf("open", "Back", "away")));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type").empty());
  CHECK(h.relayed(0).child_text("show") == "away");
  CHECK(h.relayed(0).child_text("status") == "Back");
}

TEST_CASE("restart: a SIP -> XMPP subscription keeps notifying in its dialog",
          "[unit][gateway][presence]") {
  TempDb file;
  std::string accepted;
  {
    Harness h(config(), file.open());
    h.from_sip(watcher_subscribe());
    accepted = h.sip.responses[0].second;
    h.partner(presence("subscribed"));
    REQUIRE(h.sip.requests.size() == 2);
  }
  Harness h(config(), file.open());
  h.clock.time = 10;
  h.clock.wall_offset += 1000 + 30 * 1000;
  h.gateway = std::make_unique<Gateway>(h.cfg, h.relay, h.sip, h.clock, *h.db, 79);
  CHECK(h.gateway->presence().notifier().armed_expiries() == 1);
  h.partner(presence("", "alice@xmpp.example/pc", "bob@sip.example", "<show>xa</show>"));
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage notify = h.request(0);
  CHECK(notify.call_id() == "watch-1");
  CHECK(notify.cseq_number() == 3);
  CHECK(notify.from().tag == parse(accepted).to().tag);
  CHECK(notify.body().find("<basic>open</basic>") != std::string::npos);
  CHECK(notify.body().find("away") != std::string::npos);
  // The watcher's refresh in the stored dialog is accepted.
  h.from_sip(watcher_resubscribe(accepted, 2, "600"));
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 200);
  for (const std::string& n : h.sip.requests) h.from_sip(answer(n, 200));
  // The original grant of 600 s ends 570 s after the restart unless refreshed; it was.
  h.advance_to(10 + 571 * 1000);
  CHECK(h.sip.requests.size() == 2);  // Only the refresh's NOTIFY, no termination.
  auto live = h.db->list_sip_to_xmpp_live();
  REQUIRE(live.ok());
  CHECK(live->size() == 1);
}
