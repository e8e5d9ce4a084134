#include "requests/public_view.h"

namespace xietong::requests {

PublicView ForPublic(const Request& r, const Directory& dir) {
  PublicView v;
  const bool own_channel = r.channel == Channel::kOpen311;
  v.number = r.number;
  v.status = r.status;
  v.closed = !IsOpen(r.status);
  v.matter_id = r.matter_id;
  v.unit_name = r.unit_name;
  v.received_at = r.received_at;
  v.updated_at = v.closed && r.closed_at != 0 ? r.closed_at : r.updated_at;
  v.finish_due = r.finish_due;
  if (own_channel) {
    v.text = r.text;
    if (r.parent_id.empty()) v.reply = r.reply;
    v.address = r.place.address;
    v.lat = r.place.lat;
    v.lon = r.place.lon;
    return v;
  }
  // Most specific first, as an address is written.
  for (const std::string* id : {&r.place.community_id, &r.place.street_id, &r.place.district_id}) {
    const identity::OrgUnit* unit = id->empty() ? nullptr : dir.Find(*id);
    if (unit) v.address += (v.address.empty() ? "" : "，") + unit->name;
  }
  return v;
}

}  // namespace xietong::requests
