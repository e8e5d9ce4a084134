#include <fmt/core.h>

#include "storage/database.h"
#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace xietong::storage {

Result<std::unique_ptr<Database>> OpenDatabase(const DatabaseOptions& options) {
  const std::string& url = options.url;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return OpenPostgres(options);
  if (url.starts_with("sqlite:")) return OpenSqlite(url.substr(7), options);
  if (url.find("://") != std::string::npos)
    return Fail(Error::InvalidArgument(fmt::format(
        "unknown database URL '{}': use a file path, sqlite:PATH or postgresql://…", url)));
  return OpenSqlite(url, options);
}

std::string Placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

Result<std::int64_t> DatabaseBytes(Executor& ex) {
  const std::string_view sql =
      ex.dialect() == Dialect::kPostgres
          ? "SELECT pg_database_size(current_database())"
          : "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(sql));
  if (!row) return Fail(Error::Internal("the database did not say its size"));
  return row->Int(0);
}

}  // namespace xietong::storage
