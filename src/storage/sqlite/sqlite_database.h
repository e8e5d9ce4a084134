// The embedded SQLite backend: one file, WAL journal, synchronous=FULL.
//
// One writer connection owned by a GroupCommitter (SQLite allows one writer
// at a time anyway) and a pool of reader connections that see committed
// snapshots while the writer works. Each connection caches its prepared
// statements. Thread-safe as Database requires.
#pragma once

#include <memory>

#include "storage/database.h"

namespace xietong::storage {

// path: the database file; its folder must exist.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const DatabaseOptions& options);

}  // namespace xietong::storage
