#include "insight/report_store.h"

#include <fmt/core.h>
#include <openssl/evp.h>

namespace xietong::insight::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"insight", 4, "generated reports with their bytes and sha256",
     "CREATE TABLE insight_reports (id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
     " period TEXT NOT NULL, unit_id TEXT NOT NULL, format TEXT NOT NULL,"
     " data_to BIGINT NOT NULL, bytes_base64 TEXT NOT NULL, size BIGINT NOT NULL,"
     " sha256 TEXT NOT NULL, pages BIGINT NOT NULL, generated_by TEXT NOT NULL,"
     " generated_at BIGINT NOT NULL);"
     "CREATE INDEX insight_reports_key ON insight_reports"
     " (kind, period, unit_id, format, generated_at)"},
};

constexpr std::string_view kColumns =
    "id, kind, period, unit_id, format, data_to, size, sha256, pages, generated_by, generated_at";

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> Unbase64(std::string_view text, std::int64_t size, std::string_view id) {
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  // EVP_DecodeBlock counts padding as zero bytes; the stored size is the truth.
  if (n < 0 || size < 0 || size > n)
    return Fail(Error::Internal(fmt::format("stored report '{}' is unreadable", id)));
  out.resize(static_cast<std::size_t>(size));
  return out;
}

ReportRow From(const storage::Row& r) {
  return ReportRow{.id = r.Text(0),
                   .kind = r.Text(1),
                   .period = r.Text(2),
                   .unit_id = r.Text(3),
                   .format = r.Text(4),
                   .data_to = r.Int(5),
                   .size = r.Int(6),
                   .sha256 = r.Text(7),
                   .pages = r.Int(8),
                   .generated_by = r.Text(9),
                   .generated_at = r.Int(10)};
}

}  // namespace

std::span<const storage::Migration> ReportMigrations() { return kMigrations; }

Result<void> InsertReport(Executor& ex, const ReportRow& r) {
  XT_TRY_VOID(ex.Exec(fmt::format("INSERT INTO insight_reports ({}, bytes_base64)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  kColumns),
                      {r.id, r.kind, r.period, r.unit_id, r.format, r.data_to, r.size, r.sha256,
                       r.pages, r.generated_by, r.generated_at, Base64(r.bytes)}));
  return {};
}

Result<std::optional<ReportRow>> NewestReport(Executor& ex, std::string_view kind,
                                              std::string_view period, std::string_view unit_id,
                                              std::string_view format) {
  XT_ASSIGN_OR_RETURN(
      auto row, ex.QueryOne(fmt::format("SELECT {}, bytes_base64 FROM insight_reports"
                                        " WHERE kind = ? AND period = ? AND unit_id = ? AND"
                                        " format = ? ORDER BY generated_at DESC, id DESC LIMIT 1",
                                        kColumns),
                            {kind, period, unit_id, format}));
  if (!row) return std::optional<ReportRow>();
  ReportRow r = From(*row);
  XT_ASSIGN_OR_RETURN(r.bytes, Unbase64(row->TextView(11), r.size, r.id));
  return std::optional<ReportRow>(std::move(r));
}

Result<std::vector<ReportRow>> ListReports(Executor& ex, std::string_view period) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM insight_reports"
                                                      " WHERE period = ?"
                                                      " ORDER BY generated_at DESC, id DESC",
                                                      kColumns),
                                          {period}));
  std::vector<ReportRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(From(r));
  return out;
}

}  // namespace xietong::insight::store
