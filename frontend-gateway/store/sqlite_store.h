// StateStore on an embedded SQLite database: the gateway's default store.
//
// The connection runs in WAL mode with synchronous=NORMAL: a commit appends to the WAL without
// an fsync (only checkpoints sync), so writes from the loop thread cost microseconds, and a power
// loss can lose at most the last commits, never corrupt the file. busy_timeout lets a second
// process (the sqlite3 shell, a backup) hold a lock briefly without failing our writes. Every
// statement is prepared once at open; every write is one statement.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "frontend-gateway/store/sqlite_statement.h"
#include "frontend-gateway/store/state_store.h"

struct sqlite3;

namespace xf::store {

struct SqliteStoreOptions {
  // How long a write waits for another connection's lock before failing with io_error. Five
  // seconds outlasts any checkpoint or backup step yet stays below SIP's 32 s transaction timer.
  int busy_timeout_ms = 5000;
  // Create the file (and the schema) when it does not exist; off to insist on an existing one.
  bool create_if_missing = true;
};

class SqliteStore final : public StateStore {
 public:
  // Opens (or creates) the database at `path`, or a private in-memory one for ":memory:".
  // Applies pending schema migrations in one transaction. Refuses with config_error a database
  // whose schema is newer than this build knows, or a file that is not a gateway database.
  // Other failures are io_error with SQLite's message.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   const SqliteStoreOptions& options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // "wal" for a file database, "memory" for ":memory:".
  const std::string& journal_mode() const { return journal_mode_; }
  int schema_version() const { return schema_version_; }

  Status upsert_xmpp_to_sip(const XmppToSipSubscription& record) override;
  Result<std::optional<XmppToSipSubscription>> get_xmpp_to_sip(std::string_view watcher_jid,
                                                               std::string_view sip_uri) override;
  Result<std::optional<XmppToSipSubscription>> find_xmpp_to_sip_by_call_id(
      std::string_view call_id) override;
  Result<std::vector<XmppToSipSubscription>> list_xmpp_to_sip_live() override;
  Result<bool> delete_xmpp_to_sip(std::string_view watcher_jid, std::string_view sip_uri) override;

  Status upsert_sip_to_xmpp(const SipToXmppSubscription& record) override;
  Result<std::optional<SipToXmppSubscription>> get_sip_to_xmpp(
      std::string_view watcher_uri, std::string_view partner_jid) override;
  Result<std::optional<SipToXmppSubscription>> find_sip_to_xmpp_by_call_id(
      std::string_view call_id) override;
  Result<std::vector<SipToXmppSubscription>> list_sip_to_xmpp_live() override;
  Result<bool> delete_sip_to_xmpp(std::string_view watcher_uri,
                                  std::string_view partner_jid) override;

  Status upsert_authorization(const Authorization& record) override;
  Result<std::optional<Authorization>> get_authorization(std::string_view internal_uri,
                                                         std::string_view partner_jid) override;

  Status upsert_presence(const PresenceRecord& record) override;
  Result<std::optional<PresenceRecord>> get_presence(std::string_view entity,
                                                     std::string_view resource) override;
  Result<std::vector<PresenceRecord>> list_presence(std::string_view entity) override;

 private:
  // One cached statement per query; sql_for() holds the text.
  enum class Sql {
    x2s_upsert,
    x2s_get,
    x2s_by_call_id,
    x2s_live,
    x2s_delete,
    s2x_upsert,
    s2x_get,
    s2x_by_call_id,
    s2x_live,
    s2x_delete,
    auth_upsert,
    auth_get,
    presence_upsert,
    presence_get,
    presence_list,
    number_of_statements,  // Not a statement: the number of them.
  };
  static std::string_view sql_for(Sql id);

  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Status configure(const SqliteStoreOptions& options);
  Status migrate();
  Status prepare_all();
  SqliteStatement& statement(Sql id) { return statements_[static_cast<std::size_t>(id)]; }
  // Runs a keyed DELETE and reports whether it removed a row.
  Result<bool> delete_by_key(Sql id, std::string_view key1, std::string_view key2);

  sqlite3* db_ = nullptr;
  std::array<SqliteStatement, static_cast<std::size_t>(Sql::number_of_statements)> statements_;
  std::string journal_mode_;
  int schema_version_ = 0;
};

}  // namespace xf::store
