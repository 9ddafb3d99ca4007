// A prepared SQLite statement owned for the life of the store, so the hot path never prepares.
// Each use binds, steps and is reset by a Use guard, so that no statement keeps a read
// transaction open (which in WAL mode would hold back checkpoints) after the call returns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace xf::store {

class SqliteStatement {
 public:
  // Resets the statement and clears its bindings when the scope ends.
  class Use {
   public:
    explicit Use(SqliteStatement& statement) : statement_(statement) {}
    ~Use() { statement_.reset(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

   private:
    SqliteStatement& statement_;
  };

  SqliteStatement() = default;
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // io_error with sqlite3_errmsg when the SQL does not compile.
  static Result<SqliteStatement> prepare(sqlite3* db, std::string_view sql);

  // Parameters are 1-based, as in SQLite. Text is copied. A failed bind is reported by the
  // next step(), so callers bind without checking each call.
  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t value);

  // True when a row is available, false when the statement is done.
  Result<bool> step();
  // Steps a statement that returns no rows (INSERT/UPDATE/DELETE) to completion.
  Status run();
  // Rows changed by the last run() on this connection.
  int changes() const;

  // Columns are 0-based, as in SQLite.
  std::string column_text(int index) const;
  std::int64_t column_int64(int index) const;

  void reset();

 private:
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  Error error(std::string_view what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
  int bind_rc_ = 0;  // First failed bind's result code, or SQLITE_OK.
};

}  // namespace xf::store
