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

}  // namespace xietong::storage
