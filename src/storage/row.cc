#include "storage/database.h"

#include <fmt/core.h>
#include <charconv>

namespace xietong::storage {

std::int64_t Row::Int(std::size_t i) const {
  const auto& v = values_.at(i).variant();
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

double Row::Real(std::size_t i) const {
  const auto& v = values_.at(i).variant();
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    double out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

std::string Row::Text(std::size_t i) const {
  const auto& v = values_.at(i).variant();
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return fmt::format("{}", *p);
  return {};
}

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(std::size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Result<std::optional<Row>> Executor::QueryOne(std::string_view sql,
                                              std::initializer_list<Value> params) {
  XT_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  if (rows.empty()) return std::optional<Row>{};
  return std::optional<Row>{std::move(rows.front())};
}

}  // namespace xietong::storage

namespace xietong::storage {

Result<void> Executor::Defer(std::string_view sql, Params params) {
  XT_TRY_VOID(Exec(sql, params));
  return {};
}

Result<void> Executor::QueryEach(std::string_view sql, Params params,
                                 const std::function<bool(const Row&)>& fn) {
  XT_ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  for (const auto& row : rows)
    if (!fn(row)) break;
  return {};
}

}  // namespace xietong::storage
