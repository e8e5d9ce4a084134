#include "collab/volunteer_store.h"

namespace xietong::collab::store {
namespace {

constexpr storage::Migration kMigrations[] = {
    {"collab", 6, "volunteer hours confirmed on tasks",
     "CREATE TABLE collab_volunteer_hours ("
     " id TEXT PRIMARY KEY, force_id TEXT NOT NULL, task_id TEXT NOT NULL,"
     " volunteer_id TEXT NOT NULL, day TEXT NOT NULL,"
     " minutes BIGINT NOT NULL CHECK (minutes > 0 AND minutes <= 720),"
     " note TEXT NOT NULL, confirmed_by TEXT NOT NULL, confirmed_at BIGINT NOT NULL,"
     " UNIQUE (task_id, volunteer_id, day));"
     "CREATE INDEX collab_volunteer_hours_volunteer ON collab_volunteer_hours"
     " (volunteer_id, day)"},
};

}  // namespace

std::span<const storage::Migration> VolunteerMigrations() { return kMigrations; }

Result<bool> InsertVolunteerHours(storage::Executor& ex, const VolunteerHours& h) {
  XT_ASSIGN_OR_RETURN(
      const std::int64_t n,
      ex.Exec("INSERT INTO collab_volunteer_hours (id, force_id, task_id, volunteer_id, day,"
              " minutes, note, confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
              " ON CONFLICT (task_id, volunteer_id, day) DO NOTHING",
              {h.id, h.force_id, h.task_id, h.volunteer_id, h.day, h.minutes, h.note,
               h.confirmed_by, h.confirmed_at}));
  return n == 1;
}

Result<std::vector<VolunteerHours>> VolunteerHoursOfTask(storage::Executor& ex,
                                                         std::string_view task_id) {
  XT_ASSIGN_OR_RETURN(
      auto rows,
      ex.Query("SELECT id, force_id, task_id, volunteer_id, day, minutes, note, confirmed_by,"
               " confirmed_at FROM collab_volunteer_hours WHERE task_id = ?"
               " ORDER BY day, confirmed_at, id",
               {task_id}));
  std::vector<VolunteerHours> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    VolunteerHours h;
    h.id = r.Text(0);
    h.force_id = r.Text(1);
    h.task_id = r.Text(2);
    h.volunteer_id = r.Text(3);
    h.day = r.Text(4);
    h.minutes = r.Int(5);
    h.note = r.Text(6);
    h.confirmed_by = r.Text(7);
    h.confirmed_at = r.Int(8);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace xietong::collab::store
