#include "frontend-gateway/store/sqlite_schema.h"

#include <array>

namespace xf::store {

namespace {

// Version 1. Route sets are stored as their entries joined by "\n" (records.h validation keeps
// line breaks out of every entry). Enum columns hold the to_string() names so that an operator
// can read the database with the sqlite3 shell. The partial indexes cover exactly the "live"
// rows that the due / fan-out queries ask for.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE xmpp_to_sip_subscription (
  watcher_jid   TEXT NOT NULL,
  sip_uri       TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'active', 'terminated')),
  call_id       TEXT NOT NULL,
  local_tag     TEXT NOT NULL,
  remote_tag    TEXT NOT NULL,
  local_cseq    INTEGER NOT NULL,
  remote_target TEXT NOT NULL,
  route_set     TEXT NOT NULL,
  expires_at    INTEGER NOT NULL,
  last_refresh  INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (watcher_jid, sip_uri)
);
CREATE INDEX xmpp_to_sip_due ON xmpp_to_sip_subscription (expires_at)
  WHERE state <> 'terminated';
CREATE INDEX xmpp_to_sip_call_id ON xmpp_to_sip_subscription (call_id);

CREATE TABLE sip_to_xmpp_subscription (
  watcher_uri   TEXT NOT NULL,
  partner_jid   TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'active', 'terminated')),
  call_id       TEXT NOT NULL,
  local_tag     TEXT NOT NULL,
  remote_tag    TEXT NOT NULL,
  remote_cseq   INTEGER NOT NULL,
  notify_cseq   INTEGER NOT NULL,
  remote_target TEXT NOT NULL,
  route_set     TEXT NOT NULL,
  expires_at    INTEGER NOT NULL,
  xmpp_state    TEXT NOT NULL CHECK (xmpp_state IN ('none', 'pending', 'subscribed')),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (watcher_uri, partner_jid)
);
CREATE INDEX sip_to_xmpp_partner ON sip_to_xmpp_subscription (partner_jid, watcher_uri)
  WHERE state <> 'terminated';
CREATE INDEX sip_to_xmpp_expiring ON sip_to_xmpp_subscription (expires_at)
  WHERE state <> 'terminated';
CREATE INDEX sip_to_xmpp_call_id ON sip_to_xmpp_subscription (call_id);

CREATE TABLE partner_authorization (
  internal_uri TEXT NOT NULL,
  partner_jid  TEXT NOT NULL,
  decision     TEXT NOT NULL CHECK (decision IN ('pending', 'allowed', 'denied')),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (internal_uri, partner_jid)
);

CREATE TABLE presence (
  entity       TEXT NOT NULL,
  resource     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  document     TEXT NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (entity, resource)
);

CREATE TABLE im_session (
  call_id       TEXT NOT NULL PRIMARY KEY,
  local_tag     TEXT NOT NULL,
  remote_tag    TEXT NOT NULL,
  remote_target TEXT NOT NULL,
  route_set     TEXT NOT NULL,
  local_cseq    INTEGER NOT NULL,
  remote_cseq   INTEGER NOT NULL,
  internal_uri  TEXT NOT NULL,
  partner_jid   TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX im_session_parties ON im_session (internal_uri, partner_jid, updated_at);
)sql";

// Version 2. Session-mode IM dialogs live only in memory (a restart ends them), so their table
// goes. So do the indexes that only the refresh-due, fan-out and expiry queries used: those
// queries are gone, since refreshes and expiries run on timers armed from the live rows at startup.
constexpr std::string_view kVersion2 = R"sql(
DROP TABLE im_session;
DROP INDEX xmpp_to_sip_due;
DROP INDEX sip_to_xmpp_partner;
DROP INDEX sip_to_xmpp_expiring;
)sql";

constexpr std::array<std::string_view, 2> kMigrations = {kVersion1, kVersion2};

}  // namespace

std::span<const std::string_view> sqlite_migrations() { return kMigrations; }

int sqlite_schema_version() { return static_cast<int>(kMigrations.size()); }

}  // namespace xf::store
