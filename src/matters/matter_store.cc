#include "matters/matter_store.h"

#include <fmt/core.h>

#include "core/json.h"

namespace xietong::matters::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"matters", 1, "matters and their version snapshots",
     "CREATE TABLE matters ("
     " id TEXT PRIMARY KEY, parent_id TEXT REFERENCES matters (id), level BIGINT NOT NULL,"
     " code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_en TEXT NOT NULL,"
     " handler TEXT NOT NULL, department_code TEXT NOT NULL, tier TEXT NOT NULL,"
     " sign_amount BIGINT NOT NULL, sign_unit TEXT NOT NULL,"
     " finish_amount BIGINT NOT NULL, finish_unit TEXT NOT NULL,"
     " return_amount BIGINT NOT NULL, return_unit TEXT NOT NULL,"
     " legal_basis TEXT NOT NULL, keywords TEXT NOT NULL, active BIGINT NOT NULL,"
     " version BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
     "CREATE INDEX matters_parent ON matters (parent_id, code);"
     "CREATE TABLE matter_versions ("
     " matter_id TEXT NOT NULL REFERENCES matters (id), version BIGINT NOT NULL,"
     " snapshot TEXT NOT NULL, created_at BIGINT NOT NULL,"
     " PRIMARY KEY (matter_id, version))"},
};

constexpr std::string_view kColumns =
    "id, parent_id, level, code, name, name_en, handler, department_code, tier,"
    " sign_amount, sign_unit, finish_amount, finish_unit, return_amount, return_unit,"
    " legal_basis, keywords, active, version, updated_at";

Error Corrupt(std::string_view id, std::string_view what) {
  return Error::Internal(fmt::format("stored matter '{}' is unreadable: {}", id, what));
}

Result<Limit> LimitFrom(const json::Json& j) {
  if (!j.is_object() || !j.contains("amount") || !j["amount"].is_number_integer() ||
      !j.contains("unit") || !j["unit"].is_string())
    return Fail(Error::InvalidArgument("a limit must be {\"amount\": n, \"unit\": \"…\"}"));
  XT_ASSIGN_OR_RETURN(LimitUnit unit, ParseLimitUnit(j["unit"].get<std::string>()));
  return Limit{j["amount"].get<int>(), unit};
}

// The snapshot kept for each version: every field of the Matter.
std::string SnapshotText(const Matter& m) {
  json::Json j = {{"id", m.id},
                  {"parent_id", m.parent_id ? json::Json(*m.parent_id) : json::Json(nullptr)},
                  {"level", m.level},
                  {"code", m.code},
                  {"name", m.name},
                  {"name_en", m.name_en},
                  {"handler", HandlerLevelName(m.handler)},
                  {"department_code", m.department_code},
                  {"tier", TierName(m.tier)},
                  {"sign_limit", LimitJson(m.sign_limit)},
                  {"finish_limit", LimitJson(m.finish_limit)},
                  {"return_window", LimitJson(m.return_window)},
                  {"legal_basis", m.legal_basis},
                  {"keywords", m.keywords},
                  {"active", m.active},
                  {"version", m.version},
                  {"updated_at", m.updated_at}};
  return j.dump();
}

Result<Matter> FromSnapshot(std::string_view id, std::string_view text) {
  auto j = json::Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Fail(Corrupt(id, "snapshot is not JSON"));
  try {
    Matter m;
    m.id = j.at("id").get<std::string>();
    if (!j.at("parent_id").is_null()) m.parent_id = j["parent_id"].get<std::string>();
    m.level = j.at("level").get<int>();
    m.code = j.at("code").get<std::string>();
    m.name = j.at("name").get<std::string>();
    m.name_en = j.at("name_en").get<std::string>();
    m.department_code = j.at("department_code").get<std::string>();
    m.legal_basis = j.at("legal_basis").get<std::string>();
    m.keywords = j.at("keywords").get<std::vector<std::string>>();
    m.active = j.at("active").get<bool>();
    m.version = j.at("version").get<std::int64_t>();
    m.updated_at = j.at("updated_at").get<std::int64_t>();
    auto handler = ParseHandlerLevel(j.at("handler").get<std::string>());
    auto tier = ParseTier(j.at("tier").get<std::string>());
    auto sign = LimitFrom(j.at("sign_limit"));
    auto finish = LimitFrom(j.at("finish_limit"));
    auto ret = LimitFrom(j.at("return_window"));
    if (!handler || !tier || !sign || !finish || !ret)
      return Fail(Corrupt(id, "snapshot has an unknown handler, tier or limit"));
    m.handler = *handler;
    m.tier = *tier;
    m.sign_limit = *sign;
    m.finish_limit = *finish;
    m.return_window = *ret;
    return m;
  } catch (const json::Json::exception& e) {
    return Fail(Corrupt(id, fmt::format("snapshot field missing or mistyped ({})", e.what())));
  }
}

Result<Limit> LimitFrom(const storage::Row& r, std::size_t amount_col, std::string_view id) {
  auto unit = ParseLimitUnit(r.TextView(amount_col + 1));
  if (!unit) return Fail(Corrupt(id, unit.error().message));
  return Limit{static_cast<int>(r.Int(amount_col)), *unit};
}

Result<Matter> MatterFrom(const storage::Row& r) {
  Matter m;
  m.id = r.Text(0);
  m.parent_id = r.OptText(1);
  m.level = static_cast<int>(r.Int(2));
  m.code = r.Text(3);
  m.name = r.Text(4);
  m.name_en = r.Text(5);
  auto handler = ParseHandlerLevel(r.TextView(6));
  if (!handler) return Fail(Corrupt(m.id, handler.error().message));
  m.handler = *handler;
  m.department_code = r.Text(7);
  auto tier = ParseTier(r.TextView(8));
  if (!tier) return Fail(Corrupt(m.id, tier.error().message));
  m.tier = *tier;
  XT_ASSIGN_OR_RETURN(m.sign_limit, LimitFrom(r, 9, m.id));
  XT_ASSIGN_OR_RETURN(m.finish_limit, LimitFrom(r, 11, m.id));
  XT_ASSIGN_OR_RETURN(m.return_window, LimitFrom(r, 13, m.id));
  m.legal_basis = r.Text(15);
  auto keywords = json::Json::parse(r.TextView(16), nullptr, false);
  if (!keywords.is_array()) return Fail(Corrupt(m.id, "keywords are not a JSON array"));
  for (const auto& k : keywords) {
    if (!k.is_string()) return Fail(Corrupt(m.id, "a keyword is not a string"));
    m.keywords.push_back(k.get<std::string>());
  }
  m.active = r.Int(17) != 0;
  m.version = r.Int(18);
  m.updated_at = r.Int(19);
  return m;
}

Result<std::optional<Matter>> FindWhere(Executor& ex, std::string_view column,
                                        std::string_view value) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query(fmt::format("SELECT {} FROM matters WHERE {} = ?", kColumns, column), {value}));
  if (rows.empty()) return std::optional<Matter>{};
  XT_ASSIGN_OR_RETURN(Matter m, MatterFrom(rows.front()));
  return std::optional<Matter>{std::move(m)};
}

Result<void> InsertVersion(Executor& ex, const Matter& m) {
  XT_TRY_VOID(ex.Exec(
      "INSERT INTO matter_versions (matter_id, version, snapshot, created_at) VALUES (?, ?, ?, ?)",
      {m.id, m.version, SnapshotText(m), m.updated_at}));
  return {};
}

}  // namespace

std::span<const storage::Migration> Migrations() { return kMigrations; }

Result<void> InsertMatter(Executor& ex, const Matter& m) {
  const storage::Value params[] = {m.id,
                                   m.parent_id,
                                   m.level,
                                   m.code,
                                   m.name,
                                   m.name_en,
                                   HandlerLevelName(m.handler),
                                   m.department_code,
                                   TierName(m.tier),
                                   m.sign_limit.amount,
                                   LimitUnitName(m.sign_limit.unit),
                                   m.finish_limit.amount,
                                   LimitUnitName(m.finish_limit.unit),
                                   m.return_window.amount,
                                   LimitUnitName(m.return_window.unit),
                                   m.legal_basis,
                                   json::Json(m.keywords).dump(),
                                   m.active,
                                   m.version,
                                   m.updated_at};
  XT_TRY_VOID(ex.Exec(fmt::format("INSERT INTO matters ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                                  " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  kColumns),
                      storage::Params(params)));
  return InsertVersion(ex, m);
}

Result<bool> UpdateMatter(Executor& ex, const Matter& m, std::int64_t expected_version) {
  const storage::Value params[] = {m.name,
                                   m.name_en,
                                   HandlerLevelName(m.handler),
                                   m.department_code,
                                   TierName(m.tier),
                                   m.sign_limit.amount,
                                   LimitUnitName(m.sign_limit.unit),
                                   m.finish_limit.amount,
                                   LimitUnitName(m.finish_limit.unit),
                                   m.return_window.amount,
                                   LimitUnitName(m.return_window.unit),
                                   m.legal_basis,
                                   json::Json(m.keywords).dump(),
                                   m.active,
                                   m.version,
                                   m.updated_at,
                                   m.id,
                                   expected_version};
  XT_ASSIGN_OR_RETURN(
      auto changed,
      ex.Exec("UPDATE matters SET name = ?, name_en = ?, handler = ?, department_code = ?,"
              " tier = ?, sign_amount = ?, sign_unit = ?, finish_amount = ?, finish_unit = ?,"
              " return_amount = ?, return_unit = ?, legal_basis = ?, keywords = ?, active = ?,"
              " version = ?, updated_at = ? WHERE id = ? AND version = ?",
              storage::Params(params)));
  if (changed == 0) return false;
  XT_TRY_VOID(InsertVersion(ex, m));
  return true;
}

Result<std::optional<Matter>> FindMatter(Executor& ex, std::string_view id) {
  return FindWhere(ex, "id", id);
}

Result<std::optional<Matter>> FindMatterByCode(Executor& ex, std::string_view code) {
  return FindWhere(ex, "code", code);
}

Result<std::vector<Matter>> ListMatters(Executor& ex) {
  // Codes are fixed-width digit groups, so every collation orders them alike.
  XT_ASSIGN_OR_RETURN(auto rows,
                      ex.Query(fmt::format("SELECT {} FROM matters ORDER BY code", kColumns)));
  std::vector<Matter> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    XT_ASSIGN_OR_RETURN(Matter m, MatterFrom(r));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::optional<Matter>> FindVersion(Executor& ex, std::string_view id, std::int64_t version) {
  XT_ASSIGN_OR_RETURN(auto row, ex.QueryOne("SELECT snapshot FROM matter_versions"
                                            " WHERE matter_id = ? AND version = ?",
                                            {id, version}));
  if (!row) return std::optional<Matter>{};
  XT_ASSIGN_OR_RETURN(Matter m, FromSnapshot(id, row->TextView(0)));
  return std::optional<Matter>{std::move(m)};
}

Result<std::vector<Matter>> ListVersions(Executor& ex, std::string_view id) {
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT snapshot FROM matter_versions"
                                          " WHERE matter_id = ? ORDER BY version DESC",
                                          {id}));
  std::vector<Matter> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    XT_ASSIGN_OR_RETURN(Matter m, FromSnapshot(id, r.TextView(0)));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace xietong::matters::store
