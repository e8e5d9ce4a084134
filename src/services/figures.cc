// The services' figures: promised against actual time per part and per
// service, corrections, and 好差评 ratings per service and per department —
// counted from the applications of a period, and written as CSV and XLSX.
#include <fmt/core.h>

#include <map>
#include <variant>

#include "core/csv.h"
#include "core/xlsx.h"
#include "identity/authorization.h"
#include "services/services_service.h"
#include "services/services_store.h"

namespace xietong::services {
namespace {

// A table as both writers see it: a title, a header, rows of text or numbers.
using Cell = std::variant<std::string, double>;
struct Table {
  std::string sheet;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows = {};
};

double Rate(std::int64_t part, std::int64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::vector<Table> Tables(const Figures& f) {
  Table services{"一件事",
                 {"事项编码", "一件事", "申请数", "办结数", "承诺时限(工作日)", "平均用时(工作日)",
                  "按时办结率", "评价数", "平均评分", "好评率"}};
  for (const auto& s : f.services)
    services.rows.push_back({s.service_code, s.service_title, double(s.applications),
                             double(s.completed), double(s.promised_days), s.mean_days,
                             Rate(s.on_time, s.completed), double(s.ratings), s.mean_score,
                             Rate(s.good, s.ratings)});
  Table parts{"办理环节",
              {"事项编码", "一件事", "环节", "环节名称", "承办部门", "已办理", "承诺时限(工作日)",
               "平均用时(工作日)", "按时率", "补正次数"}};
  for (const auto& p : f.parts)
    parts.rows.push_back({p.service_code, p.service_title, p.part_key, p.part_title, p.unit_name,
                          double(p.decided), double(p.promised_days), p.mean_days,
                          Rate(p.on_time, p.decided), double(p.corrections)});
  Table units{"部门", {"部门编码", "部门", "已办理", "按时率", "评价数", "平均评分"}};
  for (const auto& u : f.units)
    units.rows.push_back({u.unit_code, u.unit_name, double(u.decided), Rate(u.on_time, u.decided),
                          double(u.ratings), u.mean_score});
  return {std::move(services), std::move(parts), std::move(units)};
}

std::string CellText(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  const double v = std::get<double>(c);
  if (v == static_cast<double>(static_cast<std::int64_t>(v)))
    return std::to_string(static_cast<std::int64_t>(v));
  return fmt::format("{:.2f}", v);
}

}  // namespace

Result<std::string> FiguresCsv(const Figures& f) {
  std::string out = "\xEF\xBB\xBF";
  bool first = true;
  for (const auto& t : Tables(f)) {
    if (!first) out += "\r\n";
    first = false;
    csv::AppendRecord(out, {t.sheet});
    csv::AppendRecord(out, t.header);
    for (const auto& row : t.rows) {
      std::vector<std::string> cells;
      for (const auto& c : row) cells.push_back(CellText(c));
      csv::AppendRecord(out, cells);
    }
  }
  return out;
}

Result<std::string> FiguresXlsx(const Figures& f, std::string_view period) {
  const auto tables = Tables(f);
  return WorkbookBytes([&](lxw_workbook* wb) {
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    format_set_bg_color(header, 0xD9E1F2);
    format_set_border(header, LXW_BORDER_THIN);
    lxw_format* title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    lxw_error first_error = LXW_NO_ERROR;
    auto check = [&](lxw_error e) {
      if (first_error == LXW_NO_ERROR) first_error = e;
    };
    for (const auto& t : tables) {
      lxw_worksheet* ws = workbook_add_worksheet(wb, t.sheet.c_str());
      check(worksheet_write_string(ws, 0, 0, fmt::format("{} {}", t.sheet, period).c_str(), title));
      for (lxw_col_t col = 0; col < t.header.size(); ++col)
        check(worksheet_write_string(ws, 1, col, t.header[col].c_str(), header));
      lxw_row_t line = 2;
      for (const auto& row : t.rows) {
        for (lxw_col_t col = 0; col < row.size(); ++col) {
          if (const auto* s = std::get_if<std::string>(&row[col]))
            check(worksheet_write_string(ws, line, col, s->c_str(), nullptr));
          else
            check(worksheet_write_number(ws, line, col, std::get<double>(row[col]), nullptr));
        }
        ++line;
      }
      check(worksheet_set_column(ws, 0, static_cast<lxw_col_t>(t.header.size() - 1), 14, nullptr));
    }
    return first_error;
  });
}

Result<Figures> ServicesService::FiguresOf(const identity::Principal& actor, Timestamp from,
                                           Timestamp to) {
  if (!identity::Can(actor, identity::Action::kServiceOversee, ""))
    return Fail(Error::PermissionDenied(
        "the services' figures are for the city's leaders, supervisors and administrators"));
  XT_TRY_VOID(Units());
  const double day = static_cast<double>(calendar_.working_time_per_day());
  return db_.Read([&](storage::Executor& ex) -> Result<Figures> {
    XT_ASSIGN_OR_RETURN(auto apps,
                        store::ListApplications(ex, {.from = from, .to = to, .limit = 1'000'000}));
    std::map<std::string, Bundle> bundles;  // by id
    struct PartSum {
      PartFigure f;
      double days = 0;
    };
    struct ServiceSum {
      ServiceFigure f;
      double days = 0, score = 0;
    };
    struct UnitSum {
      UnitFigure f;
      double score = 0;
    };
    std::map<std::pair<std::string, std::string>, PartSum> parts;
    std::map<std::string, ServiceSum> services;
    std::map<std::string, UnitSum> units;
    for (const auto& a : apps) {
      if (!bundles.contains(a.bundle_id)) {
        XT_ASSIGN_OR_RETURN(auto b, BundleOf(ex, a.bundle_id));
        if (!b) continue;
        bundles.emplace(a.bundle_id, std::move(*b));
      }
      const Bundle& b = bundles.at(a.bundle_id);
      ServiceSum& s = services[b.code];
      s.f.service_code = b.code;
      s.f.service_title = b.title.zh;
      s.f.promised_days = b.promised_days;
      s.f.applications += 1;
      if (a.status == AppStatus::kCompleted) {
        s.f.completed += 1;
        s.f.on_time += a.finished_at <= a.promised_at;
        Timestamp paused = 0;
        for (const auto& p : a.parts) paused = std::max(paused, p.paused_us);
        s.days += static_cast<double>(std::max<Timestamp>(
                      0, calendar_.WorkingTimeBetween(a.submitted_at, a.finished_at) - paused)) /
                  day;
      }
      if (a.rating) {
        s.f.ratings += 1;
        s.f.good += a.rating->score >= 4;
        s.score += a.rating->score;
      }
      for (const auto& p : a.parts) {
        const PartDef* def = b.Part(p.key);
        if (!def) continue;
        PartSum& ps = parts[{b.code, p.key}];
        ps.f.service_code = b.code;
        ps.f.service_title = b.title.zh;
        ps.f.part_key = p.key;
        ps.f.part_title = def->title.zh;
        ps.f.unit_code = p.unit_code;
        ps.f.unit_name = UnitName(p.unit_code);
        ps.f.promised_days = def->promised_days;
        ps.f.corrections += p.corrections + (p.status == PartStatus::kCorrection);
        UnitSum& us = units[p.unit_code];
        us.f.unit_code = p.unit_code;
        us.f.unit_name = ps.f.unit_name;
        if (a.rating) {
          us.f.ratings += 1;
          us.score += a.rating->score;
        }
        if (p.status != PartStatus::kApproved && p.status != PartStatus::kRejected) continue;
        const bool on_time = p.decided_at <= p.due_at;
        ps.f.decided += 1;
        ps.f.on_time += on_time;
        ps.days += static_cast<double>(std::max<Timestamp>(
                       0, calendar_.WorkingTimeBetween(p.opened_at, p.decided_at) - p.paused_us)) /
                   day;
        us.f.decided += 1;
        us.f.on_time += on_time;
      }
    }
    Figures out;
    for (auto& [key, ps] : parts) {
      if (ps.f.decided) ps.f.mean_days = ps.days / static_cast<double>(ps.f.decided);
      out.parts.push_back(std::move(ps.f));
    }
    for (auto& [key, s] : services) {
      if (s.f.completed) s.f.mean_days = s.days / static_cast<double>(s.f.completed);
      if (s.f.ratings) s.f.mean_score = s.score / static_cast<double>(s.f.ratings);
      out.services.push_back(std::move(s.f));
    }
    for (auto& [key, u] : units) {
      if (u.f.ratings) u.f.mean_score = u.score / static_cast<double>(u.f.ratings);
      out.units.push_back(std::move(u.f));
    }
    return out;
  });
}

}  // namespace xietong::services
