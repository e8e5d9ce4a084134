#include "emergency/crowd_report.h"

#include <fmt/core.h>

#include <cctype>
#include <charconv>
#include <cmath>

namespace xietong::emergency {
namespace {

Error Wrong(std::string field, std::string message) {
  return Error::InvalidArgument(fmt::format("field '{}': {}", field, message)).About(field);
}

// A JSON value of the right type or absent/null.
Result<std::optional<std::string>> Text(const json::Json& obj, std::string_view field,
                                        std::size_t max_chars, std::string_view name) {
  auto v = json::OptionalString(obj, field, {0, max_chars});
  if (!v) {
    Error e = std::move(v.error());
    if (!name.empty()) e.field = std::string(name);
    return Fail(std::move(e));
  }
  return v;
}

Result<std::optional<double>> Number(const json::Json& obj, std::string_view field,
                                     std::string_view name) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return Fail(Wrong(std::string(name), "must be a number"));
  return std::optional<double>(it->get<double>());
}

}  // namespace

std::string_view ReportKindName(ReportKind k) {
  return k == ReportKind::kNeed ? "need" : "situation";
}
Result<ReportKind> ParseReportKind(std::string_view s) {
  if (s == "situation") return ReportKind::kSituation;
  if (s == "need") return ReportKind::kNeed;
  return Fail(Wrong("kind", "is situation or need"));
}

std::string_view NeedTypeName(NeedType t) {
  switch (t) {
    case NeedType::kRescue:
      return "rescue";
    case NeedType::kSupplies:
      return "supplies";
    case NeedType::kMedical:
      return "medical";
    case NeedType::kEvacuation:
      return "evacuation";
    case NeedType::kNone:
      break;
  }
  return "";
}
std::string_view NeedTypeNameZh(NeedType t) {
  switch (t) {
    case NeedType::kRescue:
      return "救援";
    case NeedType::kSupplies:
      return "物资";
    case NeedType::kMedical:
      return "医疗";
    case NeedType::kEvacuation:
      return "转移";
    case NeedType::kNone:
      break;
  }
  return "";
}
Result<NeedType> ParseNeedType(std::string_view s) {
  for (NeedType t :
       {NeedType::kRescue, NeedType::kSupplies, NeedType::kMedical, NeedType::kEvacuation})
    if (s == NeedTypeName(t) || s == NeedTypeNameZh(t)) return t;
  return Fail(Wrong("need_type",
                    "is rescue (救援), supplies (物资), medical (医疗) or "
                    "evacuation (转移)"));
}

std::string_view ReportPriorityName(ReportPriority p) {
  switch (p) {
    case ReportPriority::kLow:
      return "low";
    case ReportPriority::kNormal:
      return "normal";
    case ReportPriority::kHigh:
      return "high";
    case ReportPriority::kCritical:
      return "critical";
  }
  return "normal";
}
Result<ReportPriority> ParseReportPriority(std::string_view s) {
  for (ReportPriority p : {ReportPriority::kLow, ReportPriority::kNormal, ReportPriority::kHigh,
                           ReportPriority::kCritical})
    if (s == ReportPriorityName(p)) return p;
  return Fail(Wrong("priority", "is low, normal, high or critical"));
}

std::string_view ReportChannelName(ReportChannel c) {
  switch (c) {
    case ReportChannel::kWeb:
      return "web";
    case ReportChannel::kPhone:
      return "phone";
    case ReportChannel::kOpen311:
      return "open311";
  }
  return "web";
}
Result<ReportChannel> ParseReportChannel(std::string_view s) {
  for (ReportChannel c : {ReportChannel::kWeb, ReportChannel::kPhone, ReportChannel::kOpen311})
    if (s == ReportChannelName(c)) return c;
  return Fail(Wrong("channel", "is web, phone or open311"));
}

std::string_view ReportStateName(ReportState s) {
  switch (s) {
    case ReportState::kUnverified:
      return "unverified";
    case ReportState::kVerified:
      return "verified";
    case ReportState::kDuplicate:
      return "duplicate";
    case ReportState::kFalse:
      return "false";
  }
  return "unverified";
}
Result<ReportState> ParseReportState(std::string_view s) {
  for (ReportState st : {ReportState::kUnverified, ReportState::kVerified, ReportState::kDuplicate,
                         ReportState::kFalse})
    if (s == ReportStateName(st)) return st;
  return Fail(Error::InvalidArgument("'state' is unverified, verified, duplicate or false")
                  .About("state", "unknown"));
}

namespace {
constexpr std::string_view kIncidentServicePrefix = "incident-";
}  // namespace

std::string Open311ServiceCode(std::string_view incident_id) {
  return std::string(kIncidentServicePrefix) + std::string(incident_id);
}

std::optional<std::string> IncidentOfServiceCode(std::string_view service_code) {
  if (!service_code.starts_with(kIncidentServicePrefix) ||
      service_code.size() == kIncidentServicePrefix.size())
    return std::nullopt;
  return std::string(service_code.substr(kIncidentServicePrefix.size()));
}

Result<NewCrowdReport> ReportFromOpen311(const Open311Report& in) {
  NewCrowdReport r;
  r.channel = ReportChannel::kOpen311;
  if (in.description.find_first_not_of(" \t\r\n") == std::string::npos)
    return Fail(Wrong("description", "is required: say what is happening or what is needed"));
  if (!in.media_url.empty())
    return Fail(Wrong("media_url",
                      "is not taken for an incident's reports; send the words (photos "
                      "come with an account through the web page)"));
  r.text = in.description;
  r.place.lat = in.lat;
  r.place.lng = in.lng;
  r.place.address = in.address;
  r.contact_name = in.contact_name;
  r.contact_phone = in.contact_phone;
  bool kind_given = false;
  for (const auto& [code, value] : in.attributes) {
    const std::string field = "attribute[" + code + "]";
    if (code == "kind") {
      auto k = ParseReportKind(value);
      if (!k) return Fail(Wrong(field, "is situation or need"));
      r.kind = *k;
      kind_given = true;
    } else if (code == "need_type") {
      auto t = ParseNeedType(value);
      if (!t || *t == NeedType::kNone)
        return Fail(Wrong(field, "is rescue, supplies, medical or evacuation"));
      r.need_type = *t;
    } else if (code == "count") {
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n < 0 || n > kMaxNeedCount)
        return Fail(Wrong(field, fmt::format("is a whole number from 0 to {}", kMaxNeedCount)));
      r.count = n;
    } else if (code == "priority") {
      auto pr = ParseReportPriority(value);
      if (!pr) return Fail(Wrong(field, "is low, normal, high or critical"));
      r.priority = *pr;
    } else {
      return Fail(Wrong(field,
                        "is not an attribute of this service (kind, need_type, count, "
                        "priority)"));
    }
  }
  // A need_type alone says the report is a need.
  if (!kind_given && r.need_type != NeedType::kNone) r.kind = ReportKind::kNeed;
  auto valid = ValidateReport(r);
  if (!valid) {
    Error e = valid.error();
    // Name the Open311 fields the client sent.
    static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
        {"'text'", "'description'"},
        {"'place.address'", "'address_string'"},
        {"'contact.name'", "'first_name'/'last_name'"},
        {"'contact.phone'", "'phone'"},
        {"'place.lat'", "'lat'"},
        {"'place.lng'", "'long'"},
        {"'need_type'", "'attribute[need_type]'"},
        {"'count'", "'attribute[count]'"},
        {"'kind'", "'attribute[kind]'"},
        {"'place'", "'lat'/'long' or 'address_string'"}};
    for (auto [from, to] : kNames)
      if (auto at = e.message.find(from); at != std::string::npos) {
        e.message.replace(at, from.size(), to);
        break;
      }
    return Fail(std::move(e));
  }
  return r;
}

Result<void> ValidateReport(const NewCrowdReport& r) {
  auto text_ok = [](std::string_view field, const std::string& s, std::size_t min,
                    std::size_t max) -> Result<void> {
    if (json::FindInvalidUtf8(s)) return Fail(Wrong(std::string(field), "is not valid UTF-8"));
    if (json::FindMisleadingChar(s))
      return Fail(Wrong(std::string(field), "holds a control or direction character"));
    const std::size_t n = json::CountCodePoints(s);
    if (n < min) return Fail(Wrong(std::string(field), "is required"));
    if (n > max)
      return Fail(Wrong(std::string(field), fmt::format("is at most {} characters", max)));
    return {};
  };
  XT_TRY_VOID(text_ok("text", r.text, 1, kMaxReportTextChars));
  XT_TRY_VOID(text_ok("place.address", r.place.address, 0, kMaxReportAddressChars));
  XT_TRY_VOID(text_ok("contact.name", r.contact_name, 0, kMaxContactNameChars));
  XT_TRY_VOID(text_ok("contact.phone", r.contact_phone, 0, kMaxContactPhoneChars));
  for (char c : r.contact_phone)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == ' '))
      return Fail(Wrong("contact.phone", "holds only digits, '+', '-' and spaces"));
  if (r.text.find_first_not_of(" \t\r\n") == std::string::npos)
    return Fail(Wrong("text", "is required"));
  if (r.place.lat.has_value() != r.place.lng.has_value())
    return Fail(Wrong("place", "give both lat and lng, or neither"));
  if (r.place.lat) {
    if (!std::isfinite(*r.place.lat) || *r.place.lat < -90 || *r.place.lat > 90)
      return Fail(Wrong("place.lat", "is between -90 and 90"));
    if (!std::isfinite(*r.place.lng) || *r.place.lng < -180 || *r.place.lng > 180)
      return Fail(Wrong("place.lng", "is between -180 and 180"));
  }
  if (!r.place.lat && r.place.address.find_first_not_of(" \t") == std::string::npos)
    return Fail(Wrong("place", "say where: lat and lng, or an address"));
  if (r.kind == ReportKind::kNeed) {
    if (r.need_type == NeedType::kNone) return Fail(Wrong("need_type", "is required for a need"));
    if (r.count < 0 || r.count > kMaxNeedCount)
      return Fail(Wrong("count", fmt::format("is between 0 and {}", kMaxNeedCount)));
  } else if (r.need_type != NeedType::kNone || r.count != 0) {
    return Fail(Wrong("kind", "need_type and count belong to a need; send kind 'need'"));
  }
  if (r.photo_ids.size() > kMaxReportPhotos)
    return Fail(Wrong("photo_ids", fmt::format("at most {} photos", kMaxReportPhotos)));
  for (const auto& id : r.photo_ids)
    if (id.empty() || id.size() > 64 || json::FindInvalidUtf8(id))
      return Fail(Wrong("photo_ids", "each is a file id from an upload"));
  return {};
}

Result<NewCrowdReport> ReportFromJson(const json::Json& body) {
  if (!body.is_object()) return Fail(Error::InvalidArgument("the body must be a JSON object"));
  NewCrowdReport r;
  XT_ASSIGN_OR_RETURN(auto text, Text(body, "text", kMaxReportTextChars, "text"));
  r.text = text.value_or("");
  XT_ASSIGN_OR_RETURN(auto kind, Text(body, "kind", 20, "kind"));
  if (kind && !kind->empty()) {
    XT_ASSIGN_OR_RETURN(r.kind, ParseReportKind(*kind));
  }
  XT_ASSIGN_OR_RETURN(auto need_type, Text(body, "need_type", 20, "need_type"));
  if (need_type && !need_type->empty()) {
    XT_ASSIGN_OR_RETURN(r.need_type, ParseNeedType(*need_type));
  }
  if (auto it = body.find("count"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) return Fail(Wrong("count", "must be an integer"));
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(kMaxNeedCount))
      return Fail(Wrong("count", fmt::format("is between 0 and {}", kMaxNeedCount)));
    r.count = it->get<std::int64_t>();
  }
  XT_ASSIGN_OR_RETURN(auto priority, Text(body, "priority", 20, "priority"));
  if (priority && !priority->empty()) {
    XT_ASSIGN_OR_RETURN(r.priority, ParseReportPriority(*priority));
  }
  if (auto it = body.find("place"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return Fail(Wrong("place", "must be an object {lat, lng, address}"));
    XT_ASSIGN_OR_RETURN(r.place.lat, Number(*it, "lat", "place.lat"));
    XT_ASSIGN_OR_RETURN(r.place.lng, Number(*it, "lng", "place.lng"));
    XT_ASSIGN_OR_RETURN(auto address,
                        Text(*it, "address", kMaxReportAddressChars, "place.address"));
    r.place.address = address.value_or("");
  }
  if (auto it = body.find("photo_ids"); it != body.end() && !it->is_null()) {
    XT_ASSIGN_OR_RETURN(r.photo_ids, json::StringArray(body, "photo_ids"));
  }
  if (auto it = body.find("contact"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return Fail(Wrong("contact", "must be an object {name, phone}"));
    XT_ASSIGN_OR_RETURN(auto name, Text(*it, "name", kMaxContactNameChars, "contact.name"));
    XT_ASSIGN_OR_RETURN(auto phone, Text(*it, "phone", kMaxContactPhoneChars, "contact.phone"));
    r.contact_name = name.value_or("");
    r.contact_phone = phone.value_or("");
  }
  XT_ASSIGN_OR_RETURN(auto channel, Text(body, "channel", 20, "channel"));
  if (channel && !channel->empty()) {
    XT_ASSIGN_OR_RETURN(r.channel, ParseReportChannel(*channel));
  }
  XT_TRY_VOID(ValidateReport(r));
  return r;
}

std::int64_t QueueRank(bool duplicate_candidate, ReportPriority p) {
  return (duplicate_candidate ? 10 : 0) + (3 - static_cast<std::int64_t>(p));
}

std::string ReportFingerprint(std::string_view incident_id, const NewCrowdReport& r) {
  json::Json j = {{"incident", incident_id},
                  {"text", r.text},
                  {"kind", ReportKindName(r.kind)},
                  {"need_type", NeedTypeName(r.need_type)},
                  {"count", r.count},
                  {"priority", ReportPriorityName(r.priority)},
                  {"address", r.place.address},
                  {"photos", r.photo_ids},
                  {"contact", {r.contact_name, r.contact_phone}}};
  if (r.place.lat) j["lat"] = fmt::format("{:.7f},{:.7f}", *r.place.lat, *r.place.lng);
  // FNV-1a, 64 bits: stable on every node and build (std::hash is not).
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : j.dump()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

Result<Verdict> VerdictFromJson(const json::Json& body) {
  Verdict v;
  XT_ASSIGN_OR_RETURN(auto verdict, json::RequireString(body, "verdict", {1, 20}));
  if (verdict == "verified") {
    v.state = ReportState::kVerified;
  } else if (verdict == "duplicate") {
    v.state = ReportState::kDuplicate;
  } else if (verdict == "false") {
    v.state = ReportState::kFalse;
  } else {
    return Fail(Wrong("verdict", "is verified, duplicate or false"));
  }
  XT_ASSIGN_OR_RETURN(auto dup, json::OptionalString(body, "duplicate_of", {0, 64}));
  v.duplicate_of = dup.value_or("");
  if (!v.duplicate_of.empty() && v.state != ReportState::kDuplicate)
    return Fail(Wrong("duplicate_of", "belongs to the verdict 'duplicate'"));
  XT_ASSIGN_OR_RETURN(auto note, json::OptionalString(body, "note", {0, kMaxVerdictNoteChars}));
  v.note = note.value_or("");
  return v;
}

Result<VerdictDecision> DecideVerdict(const CrowdReport& r, const Verdict& v,
                                      const std::optional<CrowdReport>& original) {
  if (v.state == ReportState::kUnverified)
    return Fail(Wrong("verdict", "is verified, duplicate or false"));
  VerdictDecision d;
  d.state = v.state;
  if (v.state == ReportState::kDuplicate) {
    const std::string& of = v.duplicate_of.empty() ? r.duplicate_of : v.duplicate_of;
    if (of.empty())
      return Fail(Wrong("duplicate_of", "name the report this one repeats (it has no candidate)"));
    if (of == r.id) return Fail(Wrong("duplicate_of", "a report cannot repeat itself"));
    if (!original || original->incident_id != r.incident_id)
      return Fail(
          Wrong("duplicate_of", fmt::format("no report '{}' in this incident", of.substr(0, 64))));
    if (original->state == ReportState::kFalse)
      return Fail(Wrong("duplicate_of", "that report was marked false"));
    // A duplicate of a duplicate points at the first report.
    d.duplicate_of = original->state == ReportState::kDuplicate && !original->duplicate_of.empty()
                         ? original->duplicate_of
                         : original->id;
    if (d.duplicate_of == r.id) return Fail(Wrong("duplicate_of", "a report cannot repeat itself"));
  }
  if (r.state != ReportState::kUnverified) {
    const bool same = r.state == d.state &&
                      (d.state != ReportState::kDuplicate || r.duplicate_of == d.duplicate_of);
    if (!same)
      return Fail(
          Error::Conflict(fmt::format("this report was already marked {}; a verdict is "
                                      "final",
                                      ReportStateName(r.state))));
    d.unchanged = true;
    d.duplicate_of = r.state == ReportState::kDuplicate ? r.duplicate_of : "";
    return d;
  }
  d.creates_need = d.state == ReportState::kVerified && r.kind == ReportKind::kNeed;
  return d;
}

double RoundCoordinate(double degrees) { return std::round(degrees * 1000.0) / 1000.0; }

namespace {

// Consecutive ASCII digits at text[i].
std::size_t DigitsAt(std::string_view text, std::size_t i) {
  std::size_t j = i;
  while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
  return j - i;
}

// The bytes of one separator people write inside a phone number at text[i]:
// '-', ' ', the full-width hyphen － and the ideographic space; 0 for none.
std::size_t SeparatorAt(std::string_view text, std::size_t i) {
  if (text[i] == '-' || text[i] == ' ') return 1;
  const std::string_view rest = text.substr(i);
  if (rest.starts_with("\xEF\xBC\x8D") || rest.starts_with("\xE3\x80\x80")) return 3;
  return 0;
}

}  // namespace

std::string PublicText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out += text[i++];
      continue;
    }
    // One number: digit groups joined by up to 3 separators when the next
    // group has 3 or more digits (138-1234-5678, 0571 8765 4321; a date
    // such as 2021-07-20 stays apart).
    std::size_t end = i + DigitsAt(text, i);
    std::size_t digits = end - i;
    for (;;) {
      std::size_t k = end;
      int separators = 0;
      while (k < text.size() && separators < 3) {
        const std::size_t s = SeparatorAt(text, k);
        if (s == 0) break;
        k += s;
        ++separators;
      }
      const std::size_t group = separators == 0 ? 0 : DigitsAt(text, k);
      if (group < 3) break;
      end = k + group;
      digits += group;
    }
    if (digits >= 7) {  // all but the last 2 digits masked, the separators kept
      std::size_t seen = 0;
      for (std::size_t k = i; k < end; ++k) {
        if (std::isdigit(static_cast<unsigned char>(text[k]))) {
          out += ++seen + 2 > digits ? text[k] : '*';
        } else {
          out += text[k];
        }
      }
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

PublicReport PublicOf(const CrowdReport& r) {
  PublicReport p;
  p.id = r.id;
  p.text = PublicText(r.text);
  p.kind = r.kind;
  p.need_type = r.need_type;
  p.count = r.count;
  if (r.place.lat && r.place.lng) {
    p.lat = RoundCoordinate(*r.place.lat);
    p.lng = RoundCoordinate(*r.place.lng);
  }
  p.received_at = r.received_at;
  p.verified_at = r.verified_at;
  return p;
}

}  // namespace xietong::emergency
