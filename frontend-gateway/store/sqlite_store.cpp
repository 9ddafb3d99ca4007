#include "frontend-gateway/store/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <cstdio>
#include <limits>
#include <utility>

#include "frontend-gateway/store/sqlite_schema.h"

namespace xf::store {

namespace {

// Column lists, in the order the readers below and the upsert parameters (?1, ?2, ...) use.
#define XF_X2S_COLUMNS                                                                       \
  "watcher_jid, sip_uri, state, call_id, local_tag, remote_tag, local_cseq, remote_target, " \
  "route_set, expires_at, last_refresh, created_at, updated_at"
#define XF_S2X_COLUMNS                                                                          \
  "watcher_uri, partner_jid, state, call_id, local_tag, remote_tag, remote_cseq, notify_cseq, " \
  "remote_target, route_set, expires_at, xmpp_state, created_at, updated_at"
#define XF_AUTH_COLUMNS "internal_uri, partner_jid, decision, created_at, updated_at"
#define XF_PRESENCE_COLUMNS "entity, resource, content_type, document, updated_at"

Error sqlite_error(sqlite3* db, std::string_view what) {
  return make_error(Errc::io_error, "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

Status exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string detail =
      std::string("sqlite: ") + (message != nullptr ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return fail(Errc::io_error, std::move(detail));
}

// The single value of a one-row query such as "PRAGMA user_version".
Result<std::string> query_text(sqlite3* db, std::string_view sql) {
  auto statement = SqliteStatement::prepare(db, sql);
  if (!statement) return fail(statement.error());
  auto row = statement->step();
  if (!row) return fail(row.error());
  if (!row.value()) return fail(Errc::io_error, "sqlite: no result from " + std::string(sql));
  return statement->column_text(0);
}

Result<std::int64_t> query_int(sqlite3* db, std::string_view sql) {
  auto statement = SqliteStatement::prepare(db, sql);
  if (!statement) return fail(statement.error());
  auto row = statement->step();
  if (!row) return fail(row.error());
  if (!row.value()) return fail(Errc::io_error, "sqlite: no result from " + std::string(sql));
  return statement->column_int64(0);
}

std::string join_routes(const std::vector<std::string>& routes) {
  std::string out;
  for (const auto& route : routes) {
    if (!out.empty()) out += '\n';
    out += route;
  }
  return out;
}

std::vector<std::string> split_routes(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto end = text.find('\n');
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

// A value that the schema's CHECK constraints should have kept out: the file was altered.
Error corrupt(std::string_view table, std::string_view column, std::string_view value) {
  return make_error(Errc::io_error, "sqlite: unexpected value '" + std::string(value) + "' in " +
                                        std::string(table) + "." + std::string(column));
}

Result<std::uint32_t> read_cseq(const SqliteStatement& s, int column, std::string_view table) {
  const auto value = s.column_int64(column);
  if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
    return fail(corrupt(table, "cseq", std::to_string(value)));
  }
  return static_cast<std::uint32_t>(value);
}

Result<XmppToSipSubscription> read_x2s(const SqliteStatement& s) {
  XmppToSipSubscription r;
  r.watcher_jid = s.column_text(0);
  r.sip_uri = s.column_text(1);
  const auto state_text = s.column_text(2);
  const auto state = subscription_state_from(state_text);
  if (!state) return fail(corrupt("xmpp_to_sip_subscription", "state", state_text));
  r.state = *state;
  r.dialog.call_id = s.column_text(3);
  r.dialog.local_tag = s.column_text(4);
  r.dialog.remote_tag = s.column_text(5);
  auto cseq = read_cseq(s, 6, "xmpp_to_sip_subscription");
  if (!cseq) return fail(cseq.error());
  r.local_cseq = cseq.value();
  r.dialog.remote_target = s.column_text(7);
  r.dialog.route_set = split_routes(s.column_text(8));
  r.expires_at = s.column_int64(9);
  r.last_refresh = s.column_int64(10);
  r.created_at = s.column_int64(11);
  r.updated_at = s.column_int64(12);
  return r;
}

void bind_x2s(SqliteStatement& s, const XmppToSipSubscription& r) {
  s.bind(1, r.watcher_jid);
  s.bind(2, r.sip_uri);
  s.bind(3, to_string(r.state));
  s.bind(4, r.dialog.call_id);
  s.bind(5, r.dialog.local_tag);
  s.bind(6, r.dialog.remote_tag);
  s.bind(7, std::int64_t{r.local_cseq});
  s.bind(8, r.dialog.remote_target);
  s.bind(9, join_routes(r.dialog.route_set));
  s.bind(10, r.expires_at);
  s.bind(11, r.last_refresh);
  s.bind(12, r.created_at);
  s.bind(13, r.updated_at);
}

Result<SipToXmppSubscription> read_s2x(const SqliteStatement& s) {
  SipToXmppSubscription r;
  r.watcher_uri = s.column_text(0);
  r.partner_jid = s.column_text(1);
  const auto state_text = s.column_text(2);
  const auto state = subscription_state_from(state_text);
  if (!state) return fail(corrupt("sip_to_xmpp_subscription", "state", state_text));
  r.state = *state;
  r.dialog.call_id = s.column_text(3);
  r.dialog.local_tag = s.column_text(4);
  r.dialog.remote_tag = s.column_text(5);
  auto remote_cseq = read_cseq(s, 6, "sip_to_xmpp_subscription");
  if (!remote_cseq) return fail(remote_cseq.error());
  r.remote_cseq = remote_cseq.value();
  auto notify_cseq = read_cseq(s, 7, "sip_to_xmpp_subscription");
  if (!notify_cseq) return fail(notify_cseq.error());
  r.notify_cseq = notify_cseq.value();
  r.dialog.remote_target = s.column_text(8);
  r.dialog.route_set = split_routes(s.column_text(9));
  r.expires_at = s.column_int64(10);
  const auto xmpp_text = s.column_text(11);
  const auto xmpp_state = xmpp_subscription_state_from(xmpp_text);
  if (!xmpp_state) return fail(corrupt("sip_to_xmpp_subscription", "xmpp_state", xmpp_text));
  r.xmpp_state = *xmpp_state;
  r.created_at = s.column_int64(12);
  r.updated_at = s.column_int64(13);
  return r;
}

void bind_s2x(SqliteStatement& s, const SipToXmppSubscription& r) {
  s.bind(1, r.watcher_uri);
  s.bind(2, r.partner_jid);
  s.bind(3, to_string(r.state));
  s.bind(4, r.dialog.call_id);
  s.bind(5, r.dialog.local_tag);
  s.bind(6, r.dialog.remote_tag);
  s.bind(7, std::int64_t{r.remote_cseq});
  s.bind(8, std::int64_t{r.notify_cseq});
  s.bind(9, r.dialog.remote_target);
  s.bind(10, join_routes(r.dialog.route_set));
  s.bind(11, r.expires_at);
  s.bind(12, to_string(r.xmpp_state));
  s.bind(13, r.created_at);
  s.bind(14, r.updated_at);
}

Result<Authorization> read_auth(const SqliteStatement& s) {
  Authorization r;
  r.internal_uri = s.column_text(0);
  r.partner_jid = s.column_text(1);
  const auto text = s.column_text(2);
  const auto decision = authorization_decision_from(text);
  if (!decision) return fail(corrupt("partner_authorization", "decision", text));
  r.decision = *decision;
  r.created_at = s.column_int64(3);
  r.updated_at = s.column_int64(4);
  return r;
}

Result<PresenceRecord> read_presence(const SqliteStatement& s) {
  PresenceRecord r;
  r.entity = s.column_text(0);
  r.resource = s.column_text(1);
  r.content_type = s.column_text(2);
  r.document = s.column_text(3);
  r.updated_at = s.column_int64(4);
  return r;
}

// Steps a bound statement and reads at most one row.
template <class T, class Reader>
Result<std::optional<T>> fetch_one(SqliteStatement& s, Reader read) {
  auto row = s.step();
  if (!row) return fail(row.error());
  if (!row.value()) return std::optional<T>{};
  auto record = read(s);
  if (!record) return fail(record.error());
  return std::optional<T>(std::move(record.value()));
}

// Steps a bound statement to the end and reads every row.
template <class T, class Reader>
Result<std::vector<T>> fetch_all(SqliteStatement& s, Reader read) {
  std::vector<T> out;
  for (;;) {
    auto row = s.step();
    if (!row) return fail(row.error());
    if (!row.value()) return out;
    auto record = read(s);
    if (!record) return fail(record.error());
    out.push_back(std::move(record.value()));
  }
}

}  // namespace

std::string_view SqliteStore::sql_for(Sql id) {
  struct Entry {
    Sql id;
    std::string_view text;
  };
  static constexpr std::array<Entry, static_cast<std::size_t>(Sql::number_of_statements)> kTable{{
      {Sql::x2s_upsert, "INSERT INTO xmpp_to_sip_subscription (" XF_X2S_COLUMNS
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                        " ON CONFLICT (watcher_jid, sip_uri) DO UPDATE SET state = excluded.state,"
                        " call_id = excluded.call_id, local_tag = excluded.local_tag,"
                        " remote_tag = excluded.remote_tag, local_cseq = excluded.local_cseq,"
                        " remote_target = excluded.remote_target, route_set = excluded.route_set,"
                        " expires_at = excluded.expires_at, last_refresh = excluded.last_refresh,"
                        " updated_at = excluded.updated_at"},
      {Sql::x2s_get, "SELECT " XF_X2S_COLUMNS
                     " FROM xmpp_to_sip_subscription WHERE watcher_jid = ?1 AND sip_uri = ?2"},
      {Sql::x2s_by_call_id,
       "SELECT " XF_X2S_COLUMNS " FROM xmpp_to_sip_subscription WHERE call_id = ?1 LIMIT 1"},
      {Sql::x2s_live,
       "SELECT " XF_X2S_COLUMNS " FROM xmpp_to_sip_subscription WHERE state <> 'terminated'"
       " ORDER BY watcher_jid, sip_uri"},
      {Sql::x2s_delete,
       "DELETE FROM xmpp_to_sip_subscription WHERE watcher_jid = ?1 AND sip_uri = ?2"},

      {Sql::s2x_upsert,
       "INSERT INTO sip_to_xmpp_subscription (" XF_S2X_COLUMNS
       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
       " ON CONFLICT (watcher_uri, partner_jid) DO UPDATE SET state = excluded.state,"
       " call_id = excluded.call_id, local_tag = excluded.local_tag,"
       " remote_tag = excluded.remote_tag, remote_cseq = excluded.remote_cseq,"
       " notify_cseq = excluded.notify_cseq, remote_target = excluded.remote_target,"
       " route_set = excluded.route_set, expires_at = excluded.expires_at,"
       " xmpp_state = excluded.xmpp_state, updated_at = excluded.updated_at"},
      {Sql::s2x_get, "SELECT " XF_S2X_COLUMNS
                     " FROM sip_to_xmpp_subscription WHERE watcher_uri = ?1 AND partner_jid = ?2"},
      {Sql::s2x_by_call_id,
       "SELECT " XF_S2X_COLUMNS " FROM sip_to_xmpp_subscription WHERE call_id = ?1 LIMIT 1"},
      {Sql::s2x_live,
       "SELECT " XF_S2X_COLUMNS " FROM sip_to_xmpp_subscription WHERE state <> 'terminated'"
       " ORDER BY watcher_uri, partner_jid"},
      {Sql::s2x_delete,
       "DELETE FROM sip_to_xmpp_subscription WHERE watcher_uri = ?1 AND partner_jid = ?2"},

      {Sql::auth_upsert,
       "INSERT INTO partner_authorization (" XF_AUTH_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5)"
       " ON CONFLICT (internal_uri, partner_jid) DO UPDATE SET"
       " decision = excluded.decision, updated_at = excluded.updated_at"},
      {Sql::auth_get, "SELECT " XF_AUTH_COLUMNS
                      " FROM partner_authorization WHERE internal_uri = ?1 AND partner_jid = ?2"},

      {Sql::presence_upsert,
       "INSERT INTO presence (" XF_PRESENCE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5)"
       " ON CONFLICT (entity, resource) DO UPDATE SET content_type = excluded.content_type,"
       " document = excluded.document, updated_at = excluded.updated_at"},
      {Sql::presence_get,
       "SELECT " XF_PRESENCE_COLUMNS " FROM presence WHERE entity = ?1 AND resource = ?2"},
      {Sql::presence_list,
       "SELECT " XF_PRESENCE_COLUMNS " FROM presence WHERE entity = ?1 ORDER BY resource"},
  }};
  // The table is indexed by the enum, so its rows must follow the enum's order.
  static_assert(
      [] {
        for (std::size_t i = 0; i < kTable.size(); ++i) {
          if (kTable[i].id != static_cast<Sql>(i)) return false;
        }
        return true;
      }(),
      "sql_for's table must list the statements in the order of enum Sql");
  return kTable[static_cast<std::size_t>(id)].text;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       const SqliteStoreOptions& options) {
  if (path.empty()) return fail(Errc::invalid_argument, "sqlite: empty database path");
  sqlite3* db = nullptr;
  // NOMUTEX: the store is used from one thread, so SQLite's own locking is wasted work.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = "sqlite: cannot open " + path + ": " +
                         (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return fail(Errc::io_error, std::move(detail));
  }
  // The store owns the handle from here on, so every early return closes it.
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  sqlite3_extended_result_codes(db, 1);
  if (auto s = store->configure(options); !s) return fail(s.error());
  if (auto s = store->migrate(); !s) return fail(s.error());
  if (auto s = store->prepare_all(); !s) return fail(s.error());
  return store;
}

SqliteStore::~SqliteStore() {
  // Statements first: a connection with live statements does not close.
  for (auto& s : statements_) s = SqliteStatement();
  sqlite3_close_v2(db_);
}

Status SqliteStore::configure(const SqliteStoreOptions& options) {
  if (options.busy_timeout_ms < 0) {
    return fail(Errc::invalid_argument, "sqlite: negative busy_timeout_ms");
  }
  if (sqlite3_busy_timeout(db_, options.busy_timeout_ms) != SQLITE_OK) {
    return fail(sqlite_error(db_, "busy_timeout"));
  }
  // Check what the file is before changing anything in it (the journal mode is persistent).
  auto application_id = query_int(db_, "PRAGMA application_id");
  if (!application_id) return fail(application_id.error());
  auto version = query_int(db_, "PRAGMA user_version");
  if (!version) return fail(version.error());
  auto objects = query_int(db_, "SELECT count(*) FROM sqlite_master");
  if (!objects) return fail(objects.error());
  const bool ours = application_id.value() == kSqliteApplicationId;
  if (!ours && (application_id.value() != 0 || objects.value() != 0)) {
    char id[16];
    std::snprintf(id, sizeof id, "0x%08llx",
                  static_cast<unsigned long long>(application_id.value()));  // NOLINT
    return fail(Errc::config_error, std::string("sqlite: not an xmppfed gateway database "
                                                "(application_id ") +
                                        id + ", " + std::to_string(objects.value()) +
                                        " schema objects)");
  }
  if (version.value() > sqlite_schema_version()) {
    return fail(Errc::config_error, "sqlite: database schema version " +
                                        std::to_string(version.value()) +
                                        " is newer than this gateway supports (" +
                                        std::to_string(sqlite_schema_version()) +
                                        "); run a newer gateway or restore a backup");
  }

  auto mode = query_text(db_, "PRAGMA journal_mode = WAL");
  if (!mode) return fail(mode.error());
  journal_mode_ = mode.value();
  if (auto s = exec(db_, "PRAGMA synchronous = NORMAL"); !s) return s;
  if (auto s = exec(db_, "PRAGMA foreign_keys = ON"); !s) return s;
  return {};
}

Status SqliteStore::migrate() {
  const auto migrations = sqlite_migrations();
  auto current = query_int(db_, "PRAGMA user_version");
  if (!current) return fail(current.error());
  if (current.value() == sqlite_schema_version()) {
    schema_version_ = sqlite_schema_version();
    return {};
  }
  if (auto s = exec(db_, "BEGIN IMMEDIATE"); !s) return s;
  // Read again under the write lock: another gateway process may have migrated meanwhile.
  auto version = query_int(db_, "PRAGMA user_version");
  Status result;
  if (!version) {
    result = fail(version.error());
  } else if (version.value() > sqlite_schema_version()) {
    result = fail(Errc::config_error, "sqlite: database schema version " +
                                          std::to_string(version.value()) +
                                          " is newer than this gateway supports (" +
                                          std::to_string(sqlite_schema_version()) + ")");
  } else {
    for (auto v = static_cast<std::size_t>(version.value()); v < migrations.size() && result; ++v) {
      result = exec(db_, std::string(migrations[v]).c_str());
      if (!result) {
        result =
            fail(Errc::io_error, "sqlite: migration to schema version " + std::to_string(v + 1) +
                                     " failed: " + result.error().detail);
      }
    }
    if (result && version.value() < sqlite_schema_version()) {
      // PRAGMA takes no parameters, so the two integers are formatted in.
      const std::string pragmas =
          "PRAGMA user_version = " + std::to_string(sqlite_schema_version()) +
          "; PRAGMA application_id = " + std::to_string(kSqliteApplicationId) + ";";
      result = exec(db_, pragmas.c_str());
    }
  }
  if (!result) {
    (void)exec(db_, "ROLLBACK");
    return result;
  }
  if (auto s = exec(db_, "COMMIT"); !s) {
    (void)exec(db_, "ROLLBACK");
    return s;
  }
  schema_version_ = sqlite_schema_version();
  return {};
}

Status SqliteStore::prepare_all() {
  for (std::size_t i = 0; i < statements_.size(); ++i) {
    auto prepared = SqliteStatement::prepare(db_, sql_for(static_cast<Sql>(i)));
    if (!prepared) return fail(prepared.error());
    statements_[i] = std::move(prepared.value());
  }
  return {};
}

Result<bool> SqliteStore::delete_by_key(Sql id, std::string_view key1, std::string_view key2) {
  auto& s = statement(id);
  SqliteStatement::Use use(s);
  s.bind(1, key1);
  s.bind(2, key2);
  if (auto r = s.run(); !r) return fail(r.error());
  return s.changes() > 0;
}

// XMPP -> SIP subscriptions.

Status SqliteStore::upsert_xmpp_to_sip(const XmppToSipSubscription& record) {
  if (auto v = validate(record); !v) return v;
  auto& s = statement(Sql::x2s_upsert);
  SqliteStatement::Use use(s);
  bind_x2s(s, record);
  return s.run();
}

Result<std::optional<XmppToSipSubscription>> SqliteStore::get_xmpp_to_sip(
    std::string_view watcher_jid, std::string_view sip_uri) {
  auto& s = statement(Sql::x2s_get);
  SqliteStatement::Use use(s);
  s.bind(1, watcher_jid);
  s.bind(2, sip_uri);
  return fetch_one<XmppToSipSubscription>(s, read_x2s);
}

Result<std::optional<XmppToSipSubscription>> SqliteStore::find_xmpp_to_sip_by_call_id(
    std::string_view call_id) {
  // Rows stored before their first SUBSCRIBE have an empty Call-ID; it names no dialog.
  if (call_id.empty()) return std::optional<XmppToSipSubscription>{};
  auto& s = statement(Sql::x2s_by_call_id);
  SqliteStatement::Use use(s);
  s.bind(1, call_id);
  return fetch_one<XmppToSipSubscription>(s, read_x2s);
}

Result<std::vector<XmppToSipSubscription>> SqliteStore::list_xmpp_to_sip_live() {
  auto& s = statement(Sql::x2s_live);
  SqliteStatement::Use use(s);
  return fetch_all<XmppToSipSubscription>(s, read_x2s);
}

Result<bool> SqliteStore::delete_xmpp_to_sip(std::string_view watcher_jid,
                                             std::string_view sip_uri) {
  return delete_by_key(Sql::x2s_delete, watcher_jid, sip_uri);
}

// SIP -> XMPP subscriptions.

Status SqliteStore::upsert_sip_to_xmpp(const SipToXmppSubscription& record) {
  if (auto v = validate(record); !v) return v;
  auto& s = statement(Sql::s2x_upsert);
  SqliteStatement::Use use(s);
  bind_s2x(s, record);
  return s.run();
}

Result<std::optional<SipToXmppSubscription>> SqliteStore::get_sip_to_xmpp(
    std::string_view watcher_uri, std::string_view partner_jid) {
  auto& s = statement(Sql::s2x_get);
  SqliteStatement::Use use(s);
  s.bind(1, watcher_uri);
  s.bind(2, partner_jid);
  return fetch_one<SipToXmppSubscription>(s, read_s2x);
}

Result<std::optional<SipToXmppSubscription>> SqliteStore::find_sip_to_xmpp_by_call_id(
    std::string_view call_id) {
  if (call_id.empty()) return std::optional<SipToXmppSubscription>{};
  auto& s = statement(Sql::s2x_by_call_id);
  SqliteStatement::Use use(s);
  s.bind(1, call_id);
  return fetch_one<SipToXmppSubscription>(s, read_s2x);
}

Result<std::vector<SipToXmppSubscription>> SqliteStore::list_sip_to_xmpp_live() {
  auto& s = statement(Sql::s2x_live);
  SqliteStatement::Use use(s);
  return fetch_all<SipToXmppSubscription>(s, read_s2x);
}

Result<bool> SqliteStore::delete_sip_to_xmpp(std::string_view watcher_uri,
                                             std::string_view partner_jid) {
  return delete_by_key(Sql::s2x_delete, watcher_uri, partner_jid);
}

// Authorizations.

Status SqliteStore::upsert_authorization(const Authorization& record) {
  if (auto v = validate(record); !v) return v;
  auto& s = statement(Sql::auth_upsert);
  SqliteStatement::Use use(s);
  s.bind(1, record.internal_uri);
  s.bind(2, record.partner_jid);
  s.bind(3, to_string(record.decision));
  s.bind(4, record.created_at);
  s.bind(5, record.updated_at);
  return s.run();
}

Result<std::optional<Authorization>> SqliteStore::get_authorization(std::string_view internal_uri,
                                                                    std::string_view partner_jid) {
  auto& s = statement(Sql::auth_get);
  SqliteStatement::Use use(s);
  s.bind(1, internal_uri);
  s.bind(2, partner_jid);
  return fetch_one<Authorization>(s, read_auth);
}

// Presence cache.

Status SqliteStore::upsert_presence(const PresenceRecord& record) {
  if (auto v = validate(record); !v) return v;
  auto& s = statement(Sql::presence_upsert);
  SqliteStatement::Use use(s);
  s.bind(1, record.entity);
  s.bind(2, record.resource);
  s.bind(3, record.content_type);
  s.bind(4, record.document);
  s.bind(5, record.updated_at);
  return s.run();
}

Result<std::optional<PresenceRecord>> SqliteStore::get_presence(std::string_view entity,
                                                                std::string_view resource) {
  auto& s = statement(Sql::presence_get);
  SqliteStatement::Use use(s);
  s.bind(1, entity);
  s.bind(2, resource);
  return fetch_one<PresenceRecord>(s, read_presence);
}

Result<std::vector<PresenceRecord>> SqliteStore::list_presence(std::string_view entity) {
  auto& s = statement(Sql::presence_list);
  SqliteStatement::Use use(s);
  s.bind(1, entity);
  return fetch_all<PresenceRecord>(s, read_presence);
}

}  // namespace xf::store
