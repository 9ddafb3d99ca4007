#include "frontend-gateway/store/sqlite_store.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "frontend-gateway/store/sqlite_schema.h"

using xf::Errc;
using xf::store::Authorization;
using xf::store::AuthorizationDecision;
using xf::store::ImSession;
using xf::store::PresenceRecord;
using xf::store::SipToXmppSubscription;
using xf::store::SqliteStore;
using xf::store::SqliteStoreOptions;
using xf::store::SubscriptionState;
using xf::store::XmppSubscriptionState;
using xf::store::XmppToSipSubscription;

namespace {

// A fresh directory under the system temp dir, removed with everything in it at scope end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "xf-store-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<SqliteStore> open_store(const std::string& path = ":memory:") {
  auto store = SqliteStore::open(path);
  if (!store) FAIL(store.error().detail);
  return std::move(store.value());
}

// Runs SQL on a database through a second, raw connection (what an operator or an older or
// newer gateway might do to the file).
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
  REQUIRE(text.empty());
}

XmppToSipSubscription x2s(std::string watcher, std::string uri, xf::store::UnixMillis expires) {
  XmppToSipSubscription s;
  s.watcher_jid = std::move(watcher);
  s.sip_uri = std::move(uri);
  s.state = SubscriptionState::active;
  s.dialog.call_id = "call-" + s.watcher_jid + "-" + s.sip_uri;
  s.dialog.local_tag = "gw-tag-1";
  s.dialog.remote_tag = "ua-tag-9";
  s.dialog.remote_target = "sip:alice@10.0.0.5:5060;transport=tcp";
  s.dialog.route_set = {"<sip:proxy1.internal;lr>", "<sip:proxy2.internal;lr;transport=tcp>"};
  s.local_cseq = 3;
  s.expires_at = expires;
  s.last_refresh = expires - 3600000;
  s.created_at = 1000;
  s.updated_at = 2000;
  return s;
}

SipToXmppSubscription s2x(std::string watcher, std::string partner, xf::store::UnixMillis expires) {
  SipToXmppSubscription s;
  s.watcher_uri = std::move(watcher);
  s.partner_jid = std::move(partner);
  s.state = SubscriptionState::active;
  s.dialog.call_id = "in-" + s.watcher_uri + "-" + s.partner_jid;
  s.dialog.local_tag = "ours-1";
  s.dialog.remote_tag = "theirs-2";
  s.dialog.remote_target = "sip:bob@10.0.0.6:5060;transport=tcp";
  s.dialog.route_set = {"<sip:proxy1.internal;lr>"};
  s.remote_cseq = 101;
  s.notify_cseq = 7;
  s.expires_at = expires;
  s.xmpp_state = XmppSubscriptionState::subscribed;
  s.created_at = 1000;
  s.updated_at = 2000;
  return s;
}

ImSession im(std::string call_id, xf::store::UnixMillis created, xf::store::UnixMillis updated) {
  ImSession s;
  s.call_id = std::move(call_id);
  s.local_tag = "gw";
  s.remote_tag = "lync";
  s.remote_target = "sip:carol@10.0.0.7;transport=tls";
  s.route_set = {"<sip:edge.internal;lr>"};
  s.local_cseq = 1;
  s.remote_cseq = 2;
  s.internal_uri = "sip:carol@corp.example";
  s.partner_jid = "dave@partner.example";
  s.created_at = created;
  s.updated_at = updated;
  return s;
}

}  // namespace

TEST_CASE("store opens in memory with the current schema", "[unit][store]") {
  auto store = open_store();
  CHECK(store->schema_version() == xf::store::sqlite_schema_version());
  CHECK(store->journal_mode() == "memory");
  auto live = store->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("store opens a file database in WAL mode", "[unit][store]") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));
  CHECK(store->journal_mode() == "wal");
  CHECK(std::filesystem::exists(dir.file("state.db")));
}

TEST_CASE("store refuses a missing file when asked not to create one", "[unit][store]") {
  TempDir dir;
  SqliteStoreOptions options;
  options.create_if_missing = false;
  auto store = SqliteStore::open(dir.file("absent.db"), options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == Errc::io_error);
  CHECK(store.error().detail.find("absent.db") != std::string::npos);
}

TEST_CASE("store XMPP->SIP subscriptions: upsert, get, find, delete", "[unit][store]") {
  auto store = open_store();
  const auto sub = x2s("romeo@partner.example", "sip:juliet@corp.example", 50000);
  REQUIRE(store->upsert_xmpp_to_sip(sub).ok());

  auto got = store->get_xmpp_to_sip("romeo@partner.example", "sip:juliet@corp.example");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == sub);

  auto absent = store->get_xmpp_to_sip("romeo@partner.example", "sip:nurse@corp.example");
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());

  SECTION("an update replaces every field but created_at") {
    auto changed = sub;
    changed.state = SubscriptionState::pending;
    changed.dialog.remote_tag = "ua-tag-10";
    changed.dialog.route_set.clear();
    changed.local_cseq = 4;
    changed.expires_at = 90000;
    changed.last_refresh = 86400;
    changed.created_at = 7777;
    changed.updated_at = 3000;
    REQUIRE(store->upsert_xmpp_to_sip(changed).ok());
    auto again = store->get_xmpp_to_sip(sub.watcher_jid, sub.sip_uri);
    REQUIRE(again.ok());
    REQUIRE(again->has_value());
    auto expected = changed;
    expected.created_at = sub.created_at;
    CHECK(**again == expected);
  }

  SECTION("found by Call-ID; an empty Call-ID finds nothing") {
    auto by_call = store->find_xmpp_to_sip_by_call_id(sub.dialog.call_id);
    REQUIRE(by_call.ok());
    REQUIRE(by_call->has_value());
    CHECK((*by_call)->sip_uri == sub.sip_uri);
    auto other = store->find_xmpp_to_sip_by_call_id("no-such-call");
    REQUIRE(other.ok());
    CHECK_FALSE(other->has_value());

    auto no_dialog = x2s("mercutio@partner.example", "sip:juliet@corp.example", 1);
    no_dialog.dialog = {};
    no_dialog.state = SubscriptionState::pending;
    REQUIRE(store->upsert_xmpp_to_sip(no_dialog).ok());
    auto empty = store->find_xmpp_to_sip_by_call_id("");
    REQUIRE(empty.ok());
    CHECK_FALSE(empty->has_value());
  }

  SECTION("delete reports whether a row was there") {
    auto removed = store->delete_xmpp_to_sip(sub.watcher_jid, sub.sip_uri);
    REQUIRE(removed.ok());
    CHECK(removed.value());
    auto again = store->delete_xmpp_to_sip(sub.watcher_jid, sub.sip_uri);
    REQUIRE(again.ok());
    CHECK_FALSE(again.value());
    auto gone = store->get_xmpp_to_sip(sub.watcher_jid, sub.sip_uri);
    REQUIRE(gone.ok());
    CHECK_FALSE(gone->has_value());
  }
}

TEST_CASE("store lists XMPP->SIP subscriptions due for refresh and live ones", "[unit][store]") {
  auto store = open_store();
  auto later = x2s("a@partner.example", "sip:u1@corp.example", 30000);
  auto sooner = x2s("b@partner.example", "sip:u1@corp.example", 10000);
  auto pending = x2s("c@partner.example", "sip:u2@corp.example", 20000);
  pending.state = SubscriptionState::pending;
  auto not_due = x2s("d@partner.example", "sip:u2@corp.example", 99000);
  auto ended = x2s("e@partner.example", "sip:u3@corp.example", 5000);
  ended.state = SubscriptionState::terminated;
  for (const auto& s : {later, sooner, pending, not_due, ended}) {
    REQUIRE(store->upsert_xmpp_to_sip(s).ok());
  }

  auto due = store->list_xmpp_to_sip_due(30000, 100);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 3);
  CHECK((*due)[0] == sooner);
  CHECK((*due)[1] == pending);
  CHECK((*due)[2] == later);

  auto first = store->list_xmpp_to_sip_due(30000, 1);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 1);
  CHECK((*first)[0].watcher_jid == "b@partner.example");

  auto none = store->list_xmpp_to_sip_due(9999, 100);
  REQUIRE(none.ok());
  CHECK(none->empty());

  auto live = store->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  REQUIRE(live->size() == 4);
  CHECK((*live)[0].watcher_jid == "a@partner.example");
  CHECK((*live)[3].watcher_jid == "d@partner.example");
}

TEST_CASE("store SIP->XMPP subscriptions: CRUD, fan-out and expiry", "[unit][store]") {
  auto store = open_store();
  auto w1 = s2x("sip:alice@corp.example", "romeo@partner.example", 40000);
  auto w2 = s2x("sip:bob@corp.example", "romeo@partner.example", 20000);
  w2.xmpp_state = XmppSubscriptionState::pending;
  w2.state = SubscriptionState::pending;
  auto w3 = s2x("sip:carol@corp.example", "romeo@partner.example", 10000);
  w3.state = SubscriptionState::terminated;
  auto other = s2x("sip:alice@corp.example", "tybalt@partner.example", 15000);
  other.xmpp_state = XmppSubscriptionState::none;
  for (const auto& s : {w1, w2, w3, other}) REQUIRE(store->upsert_sip_to_xmpp(s).ok());

  auto got = store->get_sip_to_xmpp(w2.watcher_uri, w2.partner_jid);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == w2);

  auto by_call = store->find_sip_to_xmpp_by_call_id(other.dialog.call_id);
  REQUIRE(by_call.ok());
  REQUIRE(by_call->has_value());
  CHECK(**by_call == other);

  auto fan_out = store->list_sip_to_xmpp_for_partner("romeo@partner.example");
  REQUIRE(fan_out.ok());
  REQUIRE(fan_out->size() == 2);
  CHECK((*fan_out)[0] == w1);
  CHECK((*fan_out)[1] == w2);

  auto expiring = store->list_sip_to_xmpp_expiring(20000, 10);
  REQUIRE(expiring.ok());
  REQUIRE(expiring->size() == 2);
  CHECK((*expiring)[0] == other);
  CHECK((*expiring)[1] == w2);

  auto live = store->list_sip_to_xmpp_live();
  REQUIRE(live.ok());
  CHECK(live->size() == 3);

  auto update = w1;
  update.notify_cseq = 8;
  update.created_at = 5;
  update.updated_at = 4000;
  REQUIRE(store->upsert_sip_to_xmpp(update).ok());
  auto after = store->get_sip_to_xmpp(w1.watcher_uri, w1.partner_jid);
  REQUIRE(after.ok());
  REQUIRE(after->has_value());
  CHECK((*after)->notify_cseq == 8);
  CHECK((*after)->created_at == w1.created_at);
  CHECK((*after)->updated_at == 4000);

  auto removed = store->delete_sip_to_xmpp(w1.watcher_uri, w1.partner_jid);
  REQUIRE(removed.ok());
  CHECK(removed.value());
  auto removed_again = store->delete_sip_to_xmpp(w1.watcher_uri, w1.partner_jid);
  REQUIRE(removed_again.ok());
  CHECK_FALSE(removed_again.value());
}

TEST_CASE("store purges terminated subscriptions of both directions", "[unit][store]") {
  auto store = open_store();
  auto old_out = x2s("a@partner.example", "sip:u@corp.example", 1);
  old_out.state = SubscriptionState::terminated;
  old_out.updated_at = 100;
  auto new_out = x2s("b@partner.example", "sip:u@corp.example", 1);
  new_out.state = SubscriptionState::terminated;
  new_out.updated_at = 900;
  auto live_out = x2s("c@partner.example", "sip:u@corp.example", 1);
  live_out.updated_at = 100;
  auto old_in = s2x("sip:u@corp.example", "a@partner.example", 1);
  old_in.state = SubscriptionState::terminated;
  old_in.updated_at = 200;
  for (const auto& s : {old_out, new_out, live_out}) REQUIRE(store->upsert_xmpp_to_sip(s).ok());
  REQUIRE(store->upsert_sip_to_xmpp(old_in).ok());

  auto purged = store->purge_terminated(500);
  REQUIRE(purged.ok());
  CHECK(purged.value() == 2);
  CHECK_FALSE(store->get_xmpp_to_sip("a@partner.example", "sip:u@corp.example")->has_value());
  CHECK(store->get_xmpp_to_sip("b@partner.example", "sip:u@corp.example")->has_value());
  CHECK(store->get_xmpp_to_sip("c@partner.example", "sip:u@corp.example")->has_value());
  CHECK_FALSE(store->get_sip_to_xmpp("sip:u@corp.example", "a@partner.example")->has_value());

  // The purge's transaction is closed: ordinary writes still work afterwards.
  REQUIRE(store->upsert_xmpp_to_sip(old_out).ok());
  auto again = store->purge_terminated(500);
  REQUIRE(again.ok());
  CHECK(again.value() == 1);
}

TEST_CASE("store authorizations", "[unit][store]") {
  auto store = open_store();
  Authorization a{"sip:juliet@corp.example", "romeo@partner.example",
                  AuthorizationDecision::pending, 100, 100};
  Authorization b{"sip:juliet@corp.example", "benvolio@partner.example",
                  AuthorizationDecision::denied, 150, 150};
  Authorization c{"sip:nurse@corp.example", "romeo@partner.example", AuthorizationDecision::allowed,
                  160, 160};
  for (const auto& r : {a, b, c}) REQUIRE(store->upsert_authorization(r).ok());

  auto got = store->get_authorization(a.internal_uri, a.partner_jid);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == a);

  auto allowed = a;
  allowed.decision = AuthorizationDecision::allowed;
  allowed.created_at = 999;
  allowed.updated_at = 300;
  REQUIRE(store->upsert_authorization(allowed).ok());
  got = store->get_authorization(a.internal_uri, a.partner_jid);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->decision == AuthorizationDecision::allowed);
  CHECK((*got)->created_at == 100);
  CHECK((*got)->updated_at == 300);

  auto list = store->list_authorizations("sip:juliet@corp.example");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].partner_jid == "benvolio@partner.example");
  CHECK((*list)[1].partner_jid == "romeo@partner.example");

  auto removed = store->delete_authorization(b.internal_uri, b.partner_jid);
  REQUIRE(removed.ok());
  CHECK(removed.value());
  auto missing = store->get_authorization(b.internal_uri, b.partner_jid);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("store presence cache per entity and resource", "[unit][store]") {
  auto store = open_store();
  PresenceRecord whole{"sip:juliet@corp.example", "", "application/pidf+xml",
                       "<presence entity='pres:juliet@corp.example'/>", 10};
  PresenceRecord phone{"romeo@partner.example", "phone", "application/xmpp+xml",
                       "<presence><show>away</show></presence>", 20};
  PresenceRecord laptop{"romeo@partner.example", "laptop", "application/xmpp+xml", "<presence/>",
                        30};
  for (const auto& r : {whole, phone, laptop}) REQUIRE(store->upsert_presence(r).ok());

  auto got = store->get_presence(whole.entity, "");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == whole);

  auto newer = phone;
  newer.document = "<presence><show>dnd</show></presence>";
  newer.updated_at = 40;
  REQUIRE(store->upsert_presence(newer).ok());
  auto list = store->list_presence("romeo@partner.example");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0] == laptop);
  CHECK((*list)[1] == newer);

  auto removed = store->delete_presence("romeo@partner.example", "laptop");
  REQUIRE(removed.ok());
  CHECK(removed.value());
  auto all = store->delete_presence_all("romeo@partner.example");
  REQUIRE(all.ok());
  CHECK(all.value() == 1);
  auto empty = store->list_presence("romeo@partner.example");
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  PresenceRecord huge = whole;
  huge.document.assign(xf::store::kMaxPresenceDocumentBytes + 1, 'x');
  auto refused = store->upsert_presence(huge);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::limit_exceeded);
  got = store->get_presence(whole.entity, "");
  REQUIRE(got.ok());
  CHECK(**got == whole);
}

TEST_CASE("store IM sessions", "[unit][store]") {
  auto store = open_store();
  auto first = im("sess-1", 100, 100);
  auto second = im("sess-2", 200, 500);
  auto elsewhere = im("sess-3", 300, 900);
  elsewhere.partner_jid = "eve@partner.example";
  for (const auto& s : {first, second, elsewhere}) REQUIRE(store->upsert_im_session(s).ok());

  auto got = store->get_im_session("sess-1");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == first);

  auto found = store->find_im_session("sip:carol@corp.example", "dave@partner.example");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->call_id == "sess-2");

  // A message in the first session makes it the most recent one.
  auto bumped = first;
  bumped.local_cseq = 2;
  bumped.updated_at = 600;
  REQUIRE(store->upsert_im_session(bumped).ok());
  found = store->find_im_session("sip:carol@corp.example", "dave@partner.example");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK(**found == bumped);

  auto none = store->find_im_session("sip:carol@corp.example", "nobody@partner.example");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  auto list = store->list_im_sessions();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].call_id == "sess-1");
  CHECK((*list)[2].call_id == "sess-3");

  auto removed = store->delete_im_session("sess-2");
  REQUIRE(removed.ok());
  CHECK(removed.value());
  auto removed_again = store->delete_im_session("sess-2");
  REQUIRE(removed_again.ok());
  CHECK_FALSE(removed_again.value());
}

TEST_CASE("store refuses invalid records and writes nothing", "[unit][store]") {
  auto store = open_store();
  auto sub = x2s("romeo@partner.example", "sip:juliet@corp.example", 1000);

  SECTION("CR/LF in a route entry (header injection)") {
    sub.dialog.route_set.push_back("<sip:evil;lr>\r\nX-Injected: 1");
    auto r = store->upsert_xmpp_to_sip(sub);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
  }
  SECTION("an empty key") {
    sub.watcher_jid.clear();
    auto r = store->upsert_xmpp_to_sip(sub);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
  }
  SECTION("too many routes") {
    sub.dialog.route_set.assign(xf::store::kMaxRouteSetEntries + 1, "<sip:p;lr>");
    auto r = store->upsert_xmpp_to_sip(sub);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::limit_exceeded);
  }
  SECTION("an oversized Call-ID") {
    sub.dialog.call_id.assign(xf::store::kMaxTokenBytes + 1, 'c');
    auto r = store->upsert_xmpp_to_sip(sub);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::limit_exceeded);
  }
  SECTION("an IM session without a Call-ID") {
    auto session = im("", 1, 1);
    auto r = store->upsert_im_session(session);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    auto list = store->list_im_sessions();
    REQUIRE(list.ok());
    CHECK(list->empty());
  }
  auto live = store->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("store keeps subscriptions across a restart", "[unit][store]") {
  TempDir dir;
  const auto path = dir.file("gateway.db");
  const auto out = x2s("romeo@partner.example", "sip:juliet@corp.example", 3600000);
  const auto in = s2x("sip:juliet@corp.example", "romeo@partner.example", 3600000);
  const auto session = im("sess-restart", 10, 20);
  const Authorization auth{"sip:juliet@corp.example", "romeo@partner.example",
                           AuthorizationDecision::allowed, 5, 6};
  {
    auto store = open_store(path);
    REQUIRE(store->upsert_xmpp_to_sip(out).ok());
    REQUIRE(store->upsert_sip_to_xmpp(in).ok());
    REQUIRE(store->upsert_im_session(session).ok());
    REQUIRE(store->upsert_authorization(auth).ok());
  }  // The gateway stops.

  auto store = open_store(path);
  CHECK(store->schema_version() == xf::store::sqlite_schema_version());
  auto got = store->get_xmpp_to_sip(out.watcher_jid, out.sip_uri);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == out);
  CHECK((*got)->dialog.route_set == out.dialog.route_set);

  // Started again shortly before expiry, the gateway finds it due for a refresh.
  auto due = store->list_xmpp_to_sip_due(out.expires_at - 1000 + 60000, 16);
  REQUIRE(due.ok());
  REQUIRE(due->size() == 1);
  CHECK((*due)[0] == out);

  auto live_in = store->list_sip_to_xmpp_live();
  REQUIRE(live_in.ok());
  REQUIRE(live_in->size() == 1);
  CHECK((*live_in)[0] == in);

  auto sessions = store->list_im_sessions();
  REQUIRE(sessions.ok());
  REQUIRE(sessions->size() == 1);
  CHECK((*sessions)[0] == session);

  auto allowed = store->get_authorization(auth.internal_uri, auth.partner_jid);
  REQUIRE(allowed.ok());
  REQUIRE(allowed->has_value());
  CHECK(**allowed == auth);
}

TEST_CASE("store refuses a database with a newer schema", "[unit][store]") {
  TempDir dir;
  const auto path = dir.file("future.db");
  open_store(path).reset();
  const int newer = xf::store::sqlite_schema_version() + 1;
  raw_exec(path, "PRAGMA user_version = " + std::to_string(newer));

  auto store = SqliteStore::open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == Errc::config_error);
  CHECK(store.error().detail.find("schema version " + std::to_string(newer)) != std::string::npos);
  CHECK(store.error().detail.find("newer") != std::string::npos);
}

TEST_CASE("store refuses an SQLite file that is not a gateway database", "[unit][store]") {
  TempDir dir;
  const auto path = dir.file("other.db");
  raw_exec(path, "CREATE TABLE notes (text TEXT)");
  auto store = SqliteStore::open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == Errc::config_error);
  CHECK(store.error().detail.find("not an xmppfed gateway database") != std::string::npos);
}

TEST_CASE("store applies migrations once and reopens an up-to-date file", "[unit][store]") {
  TempDir dir;
  const auto path = dir.file("gateway.db");
  open_store(path).reset();
  // A version-0 file of ours (e.g. created by an interrupted first start) is migrated again.
  raw_exec(path,
           "DROP TABLE xmpp_to_sip_subscription; DROP TABLE sip_to_xmpp_subscription;"
           "DROP TABLE partner_authorization; DROP TABLE presence; DROP TABLE im_session;"
           "PRAGMA user_version = 0");
  auto store = open_store(path);
  CHECK(store->schema_version() == xf::store::sqlite_schema_version());
  REQUIRE(store->upsert_xmpp_to_sip(x2s("a@partner.example", "sip:b@corp.example", 1)).ok());
  store.reset();
  auto reopened = open_store(path);
  auto live = reopened->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->size() == 1);
}
