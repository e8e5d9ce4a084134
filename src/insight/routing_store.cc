#include "insight/routing_store.h"

#include <fmt/core.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

namespace xietong::insight::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"insight", 5, "intake decisions and stored routing models",
     "CREATE TABLE insight_intake_decisions (request_id TEXT PRIMARY KEY,"
     " received_at BIGINT NOT NULL, channel TEXT NOT NULL, suggested_by TEXT NOT NULL,"
     " model_version TEXT NOT NULL, s1 TEXT NOT NULL, s2 TEXT NOT NULL, s3 TEXT NOT NULL,"
     " c1 DOUBLE PRECISION NOT NULL, chosen_matter_id TEXT NOT NULL,"
     " auto_routed BIGINT NOT NULL, final_matter_id TEXT NOT NULL,"
     " recategorised BIGINT NOT NULL, intake_seconds BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL);"
     "CREATE INDEX insight_intake_decisions_received ON insight_intake_decisions (received_at);"
     "CREATE TABLE insight_models (id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
     " version BIGINT NOT NULL, status TEXT NOT NULL, trained_at BIGINT NOT NULL,"
     " trained_on BIGINT NOT NULL, classes BIGINT NOT NULL, data_to BIGINT NOT NULL,"
     " holdout TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL,"
     " chunks BIGINT NOT NULL, note TEXT NOT NULL, created_by TEXT NOT NULL);"
     "CREATE UNIQUE INDEX insight_models_version ON insight_models (kind, version);"
     "CREATE TABLE insight_model_chunks (model_id TEXT NOT NULL, n BIGINT NOT NULL,"
     " data TEXT NOT NULL, PRIMARY KEY (model_id, n))"},
};

constexpr std::string_view kColumns =
    "request_id, received_at, channel, suggested_by, model_version, s1, s2, s3, c1,"
    " chosen_matter_id, auto_routed, final_matter_id, recategorised, intake_seconds, updated_at";

IntakeDecision From(const storage::Row& r) {
  return IntakeDecision{.request_id = r.Text(0),
                        .received_at = r.Int(1),
                        .channel = r.Text(2),
                        .suggested_by = r.Text(3),
                        .model_version = r.Text(4),
                        .s1 = r.Text(5),
                        .s2 = r.Text(6),
                        .s3 = r.Text(7),
                        .c1 = r.Real(8),
                        .chosen_matter_id = r.Text(9),
                        .auto_routed = r.Int(10) != 0,
                        .final_matter_id = r.Text(11),
                        .recategorised = r.Int(12) != 0,
                        .intake_seconds = r.Int(13),
                        .updated_at = r.Int(14)};
}

constexpr std::string_view kModelColumns =
    "id, kind, version, status, trained_at, trained_on, classes, data_to, holdout, sha256, size,"
    " chunks, note, created_by";

ModelRow ModelFrom(const storage::Row& r) {
  return ModelRow{.id = r.Text(0),
                  .kind = r.Text(1),
                  .version = r.Int(2),
                  .status = r.Text(3),
                  .trained_at = r.Int(4),
                  .trained_on = r.Int(5),
                  .classes = r.Int(6),
                  .data_to = r.Int(7),
                  .holdout = r.Text(8),
                  .sha256 = r.Text(9),
                  .size = r.Int(10),
                  .chunks = r.Int(11),
                  .note = r.Text(12),
                  .created_by = r.Text(13)};
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char c : digest) out += fmt::format("{:02x}", c);
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Decodes one chunk; padding decodes as zero bytes, which the caller trims.
std::optional<std::string> Unbase64(std::string_view text) {
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '=' && pad < 2; ++it) ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace

std::span<const storage::Migration> RoutingMigrations() { return kMigrations; }

Result<void> InsertDecision(Executor& ex, const IntakeDecision& d) {
  XT_TRY_VOID(ex.Exec(
      fmt::format("INSERT INTO insight_intake_decisions ({}) VALUES"
                  " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  " ON CONFLICT (request_id) DO NOTHING",
                  kColumns),
      {d.request_id, d.received_at, d.channel, d.suggested_by, d.model_version, d.s1, d.s2, d.s3,
       d.c1, d.chosen_matter_id, static_cast<std::int64_t>(d.auto_routed), d.final_matter_id,
       static_cast<std::int64_t>(d.recategorised), d.intake_seconds, d.updated_at}));
  return {};
}

Result<void> UpdateFinal(Executor& ex, std::string_view request_id,
                         std::string_view final_matter_id, bool recategorised, Timestamp at) {
  if (recategorised) {
    XT_TRY_VOID(
        ex.Exec("UPDATE insight_intake_decisions SET final_matter_id = ?,"
                " recategorised = 1, updated_at = ? WHERE request_id = ?",
                {final_matter_id, at, request_id}));
    return {};
  }
  XT_TRY_VOID(
      ex.Exec("UPDATE insight_intake_decisions SET final_matter_id = ?, updated_at = ?"
              " WHERE request_id = ?",
              {final_matter_id, at, request_id}));
  return {};
}

Result<std::vector<IntakeDecision>> DecisionsReceived(Executor& ex, Timestamp from, Timestamp to) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM insight_intake_decisions"
                                                      " WHERE received_at >= ? AND received_at < ?"
                                                      " ORDER BY received_at, request_id",
                                                      kColumns),
                                          {from, to}));
  std::vector<IntakeDecision> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(From(r));
  return out;
}

Result<void> InsertModel(Executor& ex, ModelRow row, std::string_view bytes) {
  row.size = static_cast<std::int64_t>(bytes.size());
  row.sha256 = Sha256Hex(bytes);
  row.chunks = static_cast<std::int64_t>((bytes.size() + kModelChunkBytes - 1) / kModelChunkBytes);
  XT_TRY_VOID(ex.Exec(
      fmt::format("INSERT INTO insight_models ({}) VALUES"
                  " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  kModelColumns),
      {row.id, row.kind, row.version, row.status, row.trained_at, row.trained_on, row.classes,
       row.data_to, row.holdout, row.sha256, row.size, row.chunks, row.note, row.created_by}));
  for (std::int64_t n = 0; n < row.chunks; ++n) {
    const std::string_view part =
        bytes.substr(static_cast<std::size_t>(n) * kModelChunkBytes, kModelChunkBytes);
    XT_TRY_VOID(ex.Exec("INSERT INTO insight_model_chunks (model_id, n, data) VALUES (?, ?, ?)",
                        {row.id, n, Base64(part)}));
  }
  return {};
}

Result<std::string> ModelBytes(Executor& ex, std::string_view model_id) {
  XT_ASSIGN_OR_RETURN(auto model, FindModel(ex, model_id));
  if (!model) return Fail(Error::NotFound(fmt::format("no model with id '{}'", model_id)));
  XT_ASSIGN_OR_RETURN(
      auto rows, ex.Query("SELECT n, data FROM insight_model_chunks WHERE model_id = ? ORDER BY n",
                          {model_id}));
  std::string out;
  out.reserve(static_cast<std::size_t>(model->size));
  std::int64_t expect = 0;
  for (const auto& r : rows) {
    auto part = Unbase64(r.TextView(1));
    if (r.Int(0) != expect++ || !part) break;
    out += *part;
  }
  if (expect != model->chunks || static_cast<std::int64_t>(out.size()) != model->size ||
      Sha256Hex(out) != model->sha256)
    return Fail(Error::Internal(fmt::format("stored model '{}' is unreadable", model_id)));
  return out;
}

Result<std::optional<ModelRow>> ActiveModel(Executor& ex, std::string_view kind) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne(fmt::format("SELECT {} FROM insight_models WHERE"
                                                        " kind = ? AND status = 'active'"
                                                        " ORDER BY version DESC LIMIT 1",
                                                        kModelColumns),
                                            {kind}));
  if (!row) return std::optional<ModelRow>();
  return std::optional<ModelRow>(ModelFrom(*row));
}

Result<std::vector<ModelRow>> ListModels(Executor& ex, std::string_view kind) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(fmt::format("SELECT {} FROM insight_models WHERE kind = ?"
                                                      " ORDER BY version DESC",
                                                      kModelColumns),
                                          {kind}));
  std::vector<ModelRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(ModelFrom(r));
  return out;
}

Result<std::optional<ModelRow>> FindModel(Executor& ex, std::string_view model_id) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne(fmt::format("SELECT {} FROM insight_models WHERE id = ?", kModelColumns),
                  {model_id}));
  if (!row) return std::optional<ModelRow>();
  return std::optional<ModelRow>(ModelFrom(*row));
}

Result<void> SetModelStatus(Executor& ex, std::string_view model_id, std::string_view status) {
  XT_TRY_VOID(ex.Exec("UPDATE insight_models SET status = ? WHERE id = ?", {status, model_id}));
  return {};
}

Result<std::int64_t> NextModelVersion(Executor& ex, std::string_view kind) {
  XT_ASSIGN_OR_RETURN(
      auto row,
      ex.QueryOne("SELECT COALESCE(MAX(version), 0) FROM insight_models WHERE kind = ?", {kind}));
  return (row ? row->Int(0) : 0) + 1;
}

}  // namespace xietong::insight::store
