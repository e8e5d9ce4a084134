// SQL of the generated reports (insight migration 4): each monthly report
// as it was handed out — its bytes (base64 text, as the files module keeps
// them), size, sha256 and page count — so that a closed month's report is
// served again byte for byte and anyone can check it against the audit
// event that recorded its sha256.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace xietong::insight::store {

using storage::Executor;

std::span<const storage::Migration> ReportMigrations();  // insight 4

struct ReportRow {
  std::string id = {};
  std::string kind = {};    // monthly
  std::string period = {};  // yyyy-mm
  std::string unit_id;      // "" = the city
  std::string format = {};  // pdf | xlsx
  Timestamp data_to = 0;    // the figures include what happened before this instant
  std::string bytes = {};   // empty when listed without them
  std::int64_t size = 0;
  std::string sha256 = {};  // hex
  std::int64_t pages = 0;   // 0 for xlsx
  std::string generated_by = {};
  Timestamp generated_at = 0;
};

Result<void> InsertReport(Executor& ex, const ReportRow& r);
// The newest stored report of (kind, period, unit, format), with its bytes.
Result<std::optional<ReportRow>> NewestReport(Executor& ex, std::string_view kind,
                                              std::string_view period, std::string_view unit_id,
                                              std::string_view format);
// Every report of a period, newest first, without bytes.
Result<std::vector<ReportRow>> ListReports(Executor& ex, std::string_view period);

}  // namespace xietong::insight::store
