// The SQLite schema as an ordered list of migrations. PRAGMA user_version holds how many have
// been applied; a migration is never edited once released, only new ones appended.
#pragma once

#include <span>
#include <string_view>

namespace xf::store {

// Marks a database as the gateway's (PRAGMA application_id), so that opening some other SQLite
// file by mistake is refused instead of being migrated. ASCII "xfgw".
inline constexpr int kSqliteApplicationId = 0x78666777;

// migrations()[i] takes the schema from version i to version i + 1.
std::span<const std::string_view> sqlite_migrations();

// The version this build writes and the highest it can open.
int sqlite_schema_version();

}  // namespace xf::store
