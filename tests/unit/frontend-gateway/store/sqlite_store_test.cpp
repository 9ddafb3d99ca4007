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

// The number of rows a query on a raw connection returns, e.g. to look at sqlite_master.
int raw_count(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  int rows = 0;
  while (sqlite3_step(statement) == SQLITE_ROW) ++rows;
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

// A get_* result that must hold exactly `expected`.
template <class T>
void check_found(const xf::Result<std::optional<T>>& got, const T& expected) {
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == expected);
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

  check_found(store->get_xmpp_to_sip("romeo@partner.example", "sip:juliet@corp.example"), sub);

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

TEST_CASE("store lists live XMPP->SIP subscriptions by key", "[unit][store]") {
  auto store = open_store();
  auto later = x2s("a@partner.example", "sip:u1@corp.example", 30000);
  auto sooner = x2s("b@partner.example", "sip:u1@corp.example", 10000);
  auto pending = x2s("c@partner.example", "sip:u2@corp.example", 20000);
  pending.state = SubscriptionState::pending;
  auto ended = x2s("e@partner.example", "sip:u3@corp.example", 5000);
  ended.state = SubscriptionState::terminated;
  for (const auto& s : {sooner, ended, pending, later}) REQUIRE(store->upsert_xmpp_to_sip(s).ok());

  auto live = store->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  REQUIRE(live->size() == 3);
  CHECK((*live)[0] == later);
  CHECK((*live)[1] == sooner);
  CHECK((*live)[2] == pending);
}

TEST_CASE("store SIP->XMPP subscriptions: CRUD and live ones", "[unit][store]") {
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

  check_found(store->get_sip_to_xmpp(w2.watcher_uri, w2.partner_jid), w2);

  check_found(store->find_sip_to_xmpp_by_call_id(other.dialog.call_id), other);

  auto live = store->list_sip_to_xmpp_live();
  REQUIRE(live.ok());
  REQUIRE(live->size() == 3);
  CHECK((*live)[0] == w1);
  CHECK((*live)[1] == other);
  CHECK((*live)[2] == w2);

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

TEST_CASE("store authorizations", "[unit][store]") {
  auto store = open_store();
  Authorization a{"sip:juliet@corp.example", "romeo@partner.example",
                  AuthorizationDecision::pending, 100, 100};
  Authorization b{"sip:juliet@corp.example", "benvolio@partner.example",
                  AuthorizationDecision::denied, 150, 150};
  Authorization c{"sip:nurse@corp.example", "romeo@partner.example", AuthorizationDecision::allowed,
                  160, 160};
  for (const auto& r : {a, b, c}) REQUIRE(store->upsert_authorization(r).ok());

  for (const auto& r : {a, b, c}) {
    check_found(store->get_authorization(r.internal_uri, r.partner_jid), r);
  }
  auto absent = store->get_authorization("sip:nurse@corp.example", "benvolio@partner.example");
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->has_value());

  auto allowed = a;
  allowed.decision = AuthorizationDecision::allowed;
  allowed.created_at = 999;
  allowed.updated_at = 300;
  REQUIRE(store->upsert_authorization(allowed).ok());
  auto got = store->get_authorization(a.internal_uri, a.partner_jid);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->decision == AuthorizationDecision::allowed);
  CHECK((*got)->created_at == 100);
  CHECK((*got)->updated_at == 300);
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

  check_found(store->get_presence(whole.entity, ""), whole);

  auto newer = phone;
  newer.document = "<presence><show>dnd</show></presence>";
  newer.updated_at = 40;
  REQUIRE(store->upsert_presence(newer).ok());
  auto list = store->list_presence("romeo@partner.example");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0] == laptop);
  CHECK((*list)[1] == newer);

  PresenceRecord huge = whole;
  huge.document.assign(xf::store::kMaxPresenceDocumentBytes + 1, 'x');
  auto refused = store->upsert_presence(huge);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::limit_exceeded);
  check_found(store->get_presence(whole.entity, ""), whole);
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
  auto live = store->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("store keeps subscriptions across a restart", "[unit][store]") {
  TempDir dir;
  const auto path = dir.file("gateway.db");
  const auto out = x2s("romeo@partner.example", "sip:juliet@corp.example", 3600000);
  const auto in = s2x("sip:juliet@corp.example", "romeo@partner.example", 3600000);
  const Authorization auth{"sip:juliet@corp.example", "romeo@partner.example",
                           AuthorizationDecision::allowed, 5, 6};
  {
    auto store = open_store(path);
    REQUIRE(store->upsert_xmpp_to_sip(out).ok());
    REQUIRE(store->upsert_sip_to_xmpp(in).ok());
    REQUIRE(store->upsert_authorization(auth).ok());
  }  // The gateway stops.

  auto store = open_store(path);
  CHECK(store->schema_version() == xf::store::sqlite_schema_version());
  check_found(store->get_xmpp_to_sip(out.watcher_jid, out.sip_uri), out);

  auto live_out = store->list_xmpp_to_sip_live();
  REQUIRE(live_out.ok());
  REQUIRE(live_out->size() == 1);
  CHECK((*live_out)[0] == out);

  auto live_in = store->list_sip_to_xmpp_live();
  REQUIRE(live_in.ok());
  REQUIRE(live_in->size() == 1);
  CHECK((*live_in)[0] == in);

  check_found(store->get_authorization(auth.internal_uri, auth.partner_jid), auth);
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
           "DROP TABLE partner_authorization; DROP TABLE presence;"
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

TEST_CASE("store upgrades a version 1 database and drops the im_session table", "[unit][store]") {
  TempDir dir;
  const auto path = dir.file("v1.db");
  // What a gateway of schema version 1 left behind, with a row in each of two tables.
  raw_exec(path, std::string(xf::store::sqlite_migrations()[0]) +
                     "PRAGMA user_version = 1; PRAGMA application_id = " +
                     std::to_string(xf::store::kSqliteApplicationId) + ";");
  raw_exec(path,
           "INSERT INTO partner_authorization VALUES"
           " ('sip:juliet@corp.example', 'romeo@partner.example', 'allowed', 5, 6);"
           "INSERT INTO im_session VALUES ('c1', 'a', 'b', 'sip:x@10.0.0.1', '', 1, 1,"
           " 'sip:juliet@corp.example', 'romeo@partner.example', 1, 1);");
  REQUIRE(raw_count(path, "SELECT name FROM sqlite_master WHERE name = 'im_session'") == 1);

  auto store = open_store(path);
  CHECK(store->schema_version() == xf::store::sqlite_schema_version());
  auto kept = store->get_authorization("sip:juliet@corp.example", "romeo@partner.example");
  REQUIRE(kept.ok());
  REQUIRE(kept->has_value());
  CHECK((*kept)->decision == AuthorizationDecision::allowed);
  REQUIRE(store->upsert_xmpp_to_sip(x2s("a@partner.example", "sip:b@corp.example", 1)).ok());
  store.reset();

  CHECK(raw_count(path, "SELECT name FROM sqlite_master WHERE name LIKE 'im_session%'") == 0);
  CHECK(raw_count(path,
                  "SELECT name FROM sqlite_master WHERE name IN"
                  " ('xmpp_to_sip_due', 'sip_to_xmpp_partner', 'sip_to_xmpp_expiring')") == 0);
  // The indexes the remaining queries use are still there.
  CHECK(raw_count(path,
                  "SELECT name FROM sqlite_master WHERE name IN"
                  " ('xmpp_to_sip_call_id', 'sip_to_xmpp_call_id')") == 2);
  auto reopened = open_store(path);
  CHECK(reopened->schema_version() == xf::store::sqlite_schema_version());
}
