// PostgreSQL backend of storage::Database (libpq). Writes: one connection driven by a
// GroupCommitter, synchronous_commit = on. Reads: options.reader_connections pooled
// connections, one READ ONLY REPEATABLE READ transaction per call. A lost connection
// fails the call with kUnavailable and reconnects on its next use. Thread-safe.
#pragma once

#include <memory>

#include "core/result.h"
#include "storage/database.h"

namespace xietong::storage {

// Connects to options.url ("postgresql://user@host:port/db"; any libpq URI or
// key=value string works). Fails with kUnavailable naming host:port when the
// server cannot be reached, kInvalidArgument when the URL cannot be parsed.
Result<std::unique_ptr<Database>> OpenPostgres(const DatabaseOptions& options);

}  // namespace xietong::storage
