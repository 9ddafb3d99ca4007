#include "frontend-gateway/store/sqlite_statement.h"

#include <sqlite3.h>

#include <utility>

namespace xf::store {

SqliteStatement::~SqliteStatement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      statement_(std::exchange(other.statement_, nullptr)),
      bind_rc_(std::exchange(other.bind_rc_, SQLITE_OK)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    if (statement_ != nullptr) sqlite3_finalize(statement_);
    db_ = std::exchange(other.db_, nullptr);
    statement_ = std::exchange(other.statement_, nullptr);
    bind_rc_ = std::exchange(other.bind_rc_, SQLITE_OK);
  }
  return *this;
}

Result<SqliteStatement> SqliteStatement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  // PERSISTENT: these statements live as long as the connection.
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) {
    if (statement != nullptr) sqlite3_finalize(statement);
    return fail(Errc::io_error,
                "sqlite: cannot prepare \"" + std::string(sql) + "\": " + sqlite3_errmsg(db));
  }
  return SqliteStatement(db, statement);
}

void SqliteStatement::bind(int index, std::string_view text) {
  // A non-null pointer even for an empty string: SQLite binds NULL for a null pointer.
  const char* data = text.empty() ? "" : text.data();
  const int rc =
      sqlite3_bind_text64(statement_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void SqliteStatement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> SqliteStatement::step() {
  if (bind_rc_ != SQLITE_OK) {
    return fail(Errc::io_error, std::string("sqlite: bind failed: ") + sqlite3_errstr(bind_rc_));
  }
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail(error("step"));
}

Status SqliteStatement::run() {
  for (;;) {
    auto row = step();
    if (!row) return fail(row.error());
    if (!row.value()) return {};
  }
}

int SqliteStatement::changes() const { return sqlite3_changes(db_); }

std::string SqliteStatement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(statement_, index);
  if (text == nullptr) return {};
  const int bytes = sqlite3_column_bytes(statement_, index);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

std::int64_t SqliteStatement::column_int64(int index) const {
  return sqlite3_column_int64(statement_, index);
}

void SqliteStatement::reset() {
  if (statement_ == nullptr) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_rc_ = SQLITE_OK;
}

Error SqliteStatement::error(std::string_view what) const {
  const char* sql = sqlite3_sql(statement_);
  return make_error(Errc::io_error, "sqlite: " + std::string(what) + " \"" +
                                        std::string(sql != nullptr ? sql : "") +
                                        "\": " + sqlite3_errmsg(db_));
}

}  // namespace xf::store
