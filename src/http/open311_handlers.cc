#include "http/open311_handlers.h"

#include <fmt/core.h>

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <memory>
#include <sstream>

#include "http/api_schemas.h"
#include "http/errors.h"
#include "http/request_handlers.h"
#include "requests/public_view.h"

namespace xietong::http {
namespace {

// Ordered, so that XML elements and JSON members keep the spec's order.
using OJson = nlohmann::ordered_json;
using requests::Status;

constexpr std::string_view kSpecification = "http://wiki.open311.org/GeoReport_v2";
constexpr std::string_view kPrefix = "/open311/v2";
constexpr Timestamp kWindow = 90 * kMicrosPerDay;  // the spec's longest date range
constexpr std::size_t kMaxResults = 1000;          // the spec's default volume
constexpr std::size_t kMaxDescriptionChars = 4000;
constexpr std::size_t kMaxMediaUrlChars = 500;

enum class Format { kXml, kJson };

struct File {
  std::string name;
  Format format;
};

// "services.json" → {"services", kJson}; nullopt for any other suffix.
std::optional<File> SplitFile(std::string_view file) {
  const auto dot = file.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view ext = file.substr(dot + 1);
  std::string name(file.substr(0, dot));
  if (ext == "xml") return File{std::move(name), Format::kXml};
  if (ext == "json") return File{std::move(name), Format::kJson};
  return std::nullopt;
}

// The Spark convention: a container of repeating children is an array in
// JSON; in XML each child takes the container's singular name.
std::string_view ItemName(std::string_view container) {
  static constexpr std::pair<std::string_view, std::string_view> kItems[] = {
      {"services", "service"},   {"service_requests", "request"}, {"errors", "error"},
      {"endpoints", "endpoint"}, {"formats", "format"},           {"attributes", "attribute"},
      {"values", "value"}};
  for (auto [c, item] : kItems)
    if (c == container) return item;
  return "item";
}

// XML 1.0 admits no control characters but tab, newline and carriage return.
std::string XmlText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r')
      out.push_back(c);
  return out;
}

void AppendXml(pugi::xml_node parent, std::string_view name, const OJson& v) {
  pugi::xml_node node = parent.append_child(std::string(name).c_str());
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) AppendXml(node, key, child);
  } else if (v.is_array()) {
    const std::string_view item = ItemName(name);
    for (const auto& child : v) AppendXml(node, item, child);
  } else if (v.is_string()) {
    node.text().set(XmlText(v.get_ref<const std::string&>()).c_str());
  } else if (!v.is_null()) {
    node.text().set(v.dump().c_str());  // numbers and true/false
  }
}

Response Encode(Format format, int status, std::string_view root, const OJson& body) {
  Response r;
  r.status = status;
  if (format == Format::kJson) {
    r.content_type = "application/json; charset=utf-8";
    r.body = body.dump(-1, ' ', false, OJson::error_handler_t::replace);
    return r;
  }
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  AppendXml(doc, root, body);
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  r.content_type = "text/xml; charset=utf-8";
  r.body = out.str();
  return r;
}

// The spec's error body. The one mapping (errors.h) decides the status and
// keeps internals out of 5xx messages; the spec then folds every status into
// 404 (does not exist), 403 (api_key) and 400 (anything else, a back end
// that is down included).
Response ErrorBody(Format format, const Error& error, std::string_view request_id) {
  const Response mapped = ErrorResponse(error, request_id);
  const int status = mapped.status == 404                           ? 404
                     : mapped.status == 401 || mapped.status == 403 ? 403
                                                                    : 400;
  const auto parsed = json::Json::parse(mapped.body, nullptr, false);
  std::string description = error.message;
  if (!parsed.is_discarded() && parsed.contains("error"))
    description = parsed["error"].value("message", error.message);
  OJson one = OJson::object();
  one["code"] = status;
  one["description"] = std::move(description);
  OJson all = OJson::array();
  all.push_back(std::move(one));
  return Encode(format, status, "errors", all);
}

// W3C datetime with its zone, to the second; null when not set.
OJson W3cTime(Timestamp t) {
  if (t == 0) return nullptr;
  return FormatRfc3339(t - ((t % kMicrosPerSecond) + kMicrosPerSecond) % kMicrosPerSecond);
}

std::string LimitText(const matters::Limit& limit) {
  switch (limit.unit) {
    case matters::LimitUnit::kNaturalHours:
      return fmt::format("{} 小时", limit.amount);
    case matters::LimitUnit::kWorkingHours:
      return fmt::format("{} 个工作小时", limit.amount);
    case matters::LimitUnit::kWorkingDays:
      return fmt::format("{} 个工作日", limit.amount);
  }
  return std::to_string(limit.amount);
}

std::string_view StatusLabel(Status s) {
  switch (s) {
    case Status::kReceived:
      return "已受理，待派单";
    case Status::kDispatched:
      return "已派单，待签收";
    case Status::kSigned:
      return "已签收";
    case Status::kHandling:
      return "办理中";
    case Status::kReplied:
      return "已答复";
    case Status::kCallback:
      return "回访中";
    case Status::kClosed:
      return "已办结";
    case Status::kMerged:
      return "已与相同诉求合并办理";
  }
  return "";
}

// A leaf matter that new requests may use, by its code.
const matters::Matter* ServiceOf(const matters::Catalog& catalog, std::string_view code) {
  const matters::Matter* m = catalog.FindByCode(code);
  return m && m->is_leaf() && catalog.InEffect(*m) ? m : nullptr;
}

// Empty values count as not sent (spec §0).
using Form = std::vector<std::pair<std::string, std::string>>;
std::string Field(const Form& form, std::string_view name) {
  for (const auto& [k, v] : form)
    if (k == name) return v;
  return "";
}

// The POST body as the spec sends it; query parameters fill what the body lacks.
Result<Form> ParseForm(const Request& req) {
  std::string_view type = req.Header("content-type");
  if (!req.body.empty() && !type.starts_with("application/x-www-form-urlencoded"))
    return Fail(Error::InvalidArgument(
        "send the fields as 'Content-Type: application/x-www-form-urlencoded', as Open311 asks"));
  Form form;
  std::string_view rest = req.body;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value)
      return Fail(Error::InvalidArgument(
          "the form body is not valid: use percent-encoded UTF-8 (application/"
          "x-www-form-urlencoded)"));
    if (!value->empty()) form.emplace_back(std::move(*key), std::move(*value));
  }
  for (const auto& [k, v] : req.query)
    if (!v.empty() && Field(form, k).empty()) form.emplace_back(k, v);
  return form;
}

Result<double> ParseDegrees(std::string_view field, const std::string& text) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v))
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' must be a WGS84 coordinate in degrees, like 30.05, not '{}'", field, text)));
  return v;
}

class Open311 {
 public:
  Open311(identity::IdentityService& identity, requests::RequestService& requests,
          matters::MatterService& matters, const Clock& clock, Open311Options options)
      : identity_(identity),
        requests_(requests),
        matters_(matters),
        clock_(clock),
        options_(std::move(options)),
        report_limiter_(options_.report_limits) {}

  struct Reply {
    int status = 200;
    std::string root;
    OJson body;
    std::vector<std::pair<std::string, std::string>> headers = {};
  };
  using Method = std::function<Result<Reply>(const Request&, const std::string& name)>;

  // Splits {file} into name and format, runs the method and encodes its
  // answer or its error in that format. Never hands an Error to the Api,
  // whose JSON error body the spec does not know.
  static Handler Serve(Method method) {
    return [method = std::move(method)](Request& req) -> Result<Response> {
      auto file = SplitFile(req.Param("file"));
      if (!file)
        return ErrorBody(
            Format::kXml,
            Error::NotFound(fmt::format(
                "{} names no format this server speaks: end it in .xml or .json", req.path)),
            req.request_id);
      auto reply = method(req, file->name);
      if (!reply) return ErrorBody(file->format, reply.error(), req.request_id);
      Response res = Encode(file->format, reply->status, reply->root, reply->body);
      for (const auto& [name, value] : reply->headers) res.SetHeader(name, value);
      return res;
    };
  }

  // GET /open311/v2/{discovery|services|requests}.{fmt}
  Result<Reply> Top(const Request& req, const std::string& name) {
    if (name == "discovery") return Discovery();
    if (name == "services") return Services(req);
    if (name == "requests") return ListRequests(req);
    return Fail(Error::NotFound(
        fmt::format("there is no {}; use discovery, services, requests or tokens", req.path)));
  }

  // POST /open311/v2/requests.{fmt}
  Result<Reply> Post(const Request& req, const std::string& name) {
    if (name != "requests")
      return Fail(Error::NotFound(fmt::format("there is no POST {}; post to requests", req.path)));
    XT_ASSIGN_OR_RETURN(auto form, ParseForm(req));
    XT_TRY_VOID(CheckJurisdiction(Field(form, "jurisdiction_id")));
    XT_ASSIGN_OR_RETURN(auto actor, AuthenticateKey(req, Field(form, "api_key")));
    const std::string code = Field(form, "service_code");
    if (code.empty())
      return Fail(Error::InvalidArgument("'service_code' is required; services.xml lists them"));
    if (auto incident = IncidentService(code)) return PostReport(req, form, actor, *incident);
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    const matters::Matter* service = ServiceOf(*catalog, code);
    if (!service)
      return Fail(Error::NotFound(fmt::format("service_code '{}' is not a service here", code)));

    requests::Intake in;
    in.channel = requests::Channel::kOpen311;
    in.matter_id = service->id;
    const std::string lat = Field(form, "lat"), lon = Field(form, "long");
    if (lat.empty() != lon.empty())
      return Fail(Error::InvalidArgument("'lat' and 'long' are sent together"));
    if (!lat.empty()) {
      XT_ASSIGN_OR_RETURN(in.place.lat, ParseDegrees("lat", lat));
      XT_ASSIGN_OR_RETURN(in.place.lon, ParseDegrees("long", lon));
    }
    in.place.address = Field(form, "address_string");
    if (!in.place.lat && in.place.address.empty())
      return Fail(Error::InvalidArgument(
          Field(form, "address_id").empty()
              ? "a location is required: 'lat' and 'long', or 'address_string'"
              : "'address_id' is not known here; send 'lat' and 'long', or 'address_string'"));
    const std::string description = Field(form, "description");
    if (const auto n = json::CountCodePoints(description); n > kMaxDescriptionChars)
      return Fail(Error::InvalidArgument(fmt::format(
          "'description' has {} characters; at most {} are allowed", n, kMaxDescriptionChars)));
    // A request without words still says what it is about: its service.
    in.text = description.empty() ? service->name : description;
    // There is no upload in GeoReport v2; the link goes with the words, so
    // the handling unit sees it.
    if (const std::string media = Field(form, "media_url"); !media.empty()) {
      if (!(media.starts_with("http://") || media.starts_with("https://")) ||
          media.size() > kMaxMediaUrlChars)
        return Fail(Error::InvalidArgument(fmt::format(
            "'media_url' must be an http(s) URL of at most {} characters", kMaxMediaUrlChars)));
      in.text += "\n\n" + media;
    }
    in.contact_name = ContactName(Field(form, "first_name"), Field(form, "last_name"));
    in.contact_phone = Field(form, "phone");
    in.anonymous = in.contact_name.empty() && in.contact_phone.empty();
    in.idempotency_key = std::string(req.Header("idempotency-key"));
    XT_ASSIGN_OR_RETURN(auto out, requests_.Submit(actor, std::move(in)));

    OJson one = OJson::object();
    one["service_request_id"] = out.request.number;
    one["service_notice"] = fmt::format("已受理，工单号 {}；此类诉求 {}内办结。",
                                        out.request.number, LimitText(service->finish_limit));
    OJson all = OJson::array();
    all.push_back(std::move(one));
    // 200 rather than 201: the spec names no status, and deployed clients
    // are known to look for 200.
    return Reply{200, "service_requests", std::move(all)};
  }

  // GET /open311/v2/services/{code}.{fmt}
  Result<Reply> ServiceDefinition(const Request& req, const std::string& code) {
    XT_TRY_VOID(CheckJurisdiction(req.Query("jurisdiction_id").value_or("")));
    if (auto incident = IncidentService(code)) {
      XT_TRY_VOID(ActiveIncident(*incident));
      return Reply{200, "service_definition", ReportDefinition(code)};
    }
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    if (!ServiceOf(*catalog, code))
      return Fail(Error::NotFound(fmt::format("service_code '{}' is not a service here", code)));
    // No attributes: intake takes nothing beyond the standard fields, and a
    // question whose answer went nowhere would be dishonest.
    OJson def = OJson::object();
    def["service_code"] = code;
    def["attributes"] = OJson::array();
    return Reply{200, "service_definition", std::move(def)};
  }

  // GET /open311/v2/requests/{id}.{fmt}
  Result<Reply> OneRequest(const Request& req, const std::string& id) {
    XT_TRY_VOID(CheckJurisdiction(req.Query("jurisdiction_id").value_or("")));
    XT_ASSIGN_OR_RETURN(auto d, requests_.Get(identity::Principal::System(), id));
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
    OJson all = OJson::array();
    all.push_back(PublicRequest(d.request, *catalog, *dir));
    return Reply{200, "service_requests", std::move(all)};
  }

  // GET /open311/v2/tokens/{token}.{fmt}: our tokens are request ids.
  Result<Reply> Token(const Request& req, const std::string& token) {
    XT_TRY_VOID(CheckJurisdiction(req.Query("jurisdiction_id").value_or("")));
    auto d = requests_.Get(identity::Principal::System(), token);
    if (!d && d.error().code != ErrorCode::kNotFound) return Fail(d.error());
    if (!d || d->request.id != token)
      return Fail(Error::NotFound(fmt::format("token '{}' is not known here", token)));
    OJson one = OJson::object();
    one["service_request_id"] = d->request.number;
    one["token"] = d->request.id;
    OJson all = OJson::array();
    all.push_back(std::move(one));
    return Reply{200, "service_requests", std::move(all)};
  }

 private:
  Result<void> CheckJurisdiction(const std::string& given) const {
    if (given.empty() || given == options_.jurisdiction_id) return {};
    return Fail(Error::NotFound(fmt::format("jurisdiction_id '{}' is not served here; this is '{}'",
                                            given, options_.jurisdiction_id)));
  }

  Result<identity::Principal> AuthenticateKey(const Request& req, std::string key) {
    if (key.empty()) {
      std::string_view auth = req.Header("authorization");
      if (auth.starts_with("Bearer ")) key = std::string(auth.substr(7));
    }
    if (key.empty())
      return Fail(Error::PermissionDenied(
          "'api_key' is required to post a request; the city's 12345 centre issues keys"));
    auto principal = identity_.AuthenticateApiKey(key);
    if (principal) return std::move(*principal);
    if (principal.error().code == ErrorCode::kUnavailable ||
        principal.error().code == ErrorCode::kInternal)
      return Fail(principal.error());
    return Fail(Error::PermissionDenied("'api_key' is not a valid key (unknown or revoked)"));
  }

  // Chinese names are written family name first, without a space.
  static std::string ContactName(const std::string& first, const std::string& last) {
    if (first.empty() || last.empty()) return first + last;
    const auto ascii = [](const std::string& s) {
      return std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
    };
    return ascii(first) && ascii(last) ? first + " " + last : last + first;
  }

  Result<Reply> Discovery() {
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    Timestamp changed = 0;
    for (const auto& m : catalog->all()) changed = std::max(changed, m.updated_at);
    const std::string changeset = FormatRfc3339Utc(changed - changed % kMicrosPerSecond);
    // Never the request's Host header: a client could make discovery
    // advertise any site. Without a configured base, the path alone.
    const std::string& base = options_.base_url;
    OJson endpoint = OJson::object();
    endpoint["specification"] = kSpecification;
    endpoint["url"] = base + std::string(kPrefix);
    endpoint["changeset"] = changeset;
    endpoint["type"] = "production";
    endpoint["formats"] = OJson::array({"text/xml", "application/json"});
    OJson d = OJson::object();
    d["changeset"] = changeset;
    d["contact"] = fmt::format("{} 12345 政务服务便民热线 (the city's 12345 hotline centre)",
                               options_.city_name);
    d["key_service"] = fmt::format(
        "API 密钥由{} 12345 热线中心的系统管理员签发 (ask the hotline centre's administrator for "
        "an api_key)",
        options_.city_name);
    d["endpoints"] = OJson::array();
    d["endpoints"].push_back(std::move(endpoint));
    return Reply{200, "discovery", std::move(d)};
  }

  Result<Reply> Services(const Request& req) {
    XT_TRY_VOID(CheckJurisdiction(req.Query("jurisdiction_id").value_or("")));
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    OJson all = OJson::array();
    for (const matters::Matter* m : catalog->Leaves()) {
      if (!catalog->InEffect(*m)) continue;
      const matters::Matter* group = catalog->FindByCode(m->code.substr(0, 2));
      const matters::Matter* middle = catalog->FindByCode(matters::ParentCode(m->code));
      std::string keywords;
      for (const auto& k : m->keywords) keywords += (keywords.empty() ? "" : ",") + k;
      OJson s = OJson::object();
      s["service_code"] = m->code;
      s["service_name"] = m->name;
      s["description"] =
          fmt::format("{}{}{}：{}内办结", group ? group->name + " / " : "",
                      middle ? middle->name + " / " : "", m->name, LimitText(m->finish_limit));
      s["metadata"] = false;
      s["type"] = "realtime";
      s["keywords"] = keywords;
      s["group"] = group ? group->name : "";
      all.push_back(std::move(s));
    }
    XT_TRY_VOID(AppendIncidentServices(all));
    return Reply{200, "services", std::move(all)};
  }

  Result<Reply> ListRequests(const Request& req) {
    XT_TRY_VOID(CheckJurisdiction(req.Query("jurisdiction_id").value_or("")));
    XT_ASSIGN_OR_RETURN(auto catalog, matters_.Snapshot());
    XT_ASSIGN_OR_RETURN(auto dir, requests_.directory());
    std::vector<requests::Request> found;
    // A list of ids overrides every other argument (spec §6).
    if (const std::string ids = req.Query("service_request_id").value_or(""); !ids.empty()) {
      for (const auto& id : SplitList(ids)) {
        if (found.size() >= kMaxResults)
          return Fail(Error::InvalidArgument(
              fmt::format("ask for at most {} service_request_id at once", kMaxResults)));
        auto d = requests_.Get(identity::Principal::System(), id);
        if (d) {
          found.push_back(std::move(d->request));
        } else if (d.error().code != ErrorCode::kNotFound) {
          return Fail(d.error());
        }
      }
    } else {
      XT_ASSIGN_OR_RETURN(auto filter, ListFilterOf(req));
      std::vector<std::string> matter_ids;
      bool only_incidents = false;  // crowd reports are not listed here
      for (const auto& code : SplitList(req.Query("service_code").value_or(""))) {
        if (IncidentService(code)) {
          only_incidents = matter_ids.empty();
          continue;
        }
        only_incidents = false;
        const matters::Matter* m = catalog->FindByCode(code);
        if (!m)
          return Fail(
              Error::InvalidArgument(fmt::format("service_code '{}' is not a service here", code)));
        matter_ids.push_back(m->id);
      }
      if (matter_ids.empty() && !only_incidents) matter_ids.emplace_back();  // every service
      for (const auto& matter_id : matter_ids) {
        filter.matter_id = matter_id;
        filter.cursor.clear();
        for (std::size_t taken = 0; taken < kMaxResults;) {
          XT_ASSIGN_OR_RETURN(auto page, requests_.List(identity::Principal::System(), filter));
          taken += page.items.size();
          for (auto& r : page.items) found.push_back(std::move(r));
          if (!page.next_cursor) break;
          filter.cursor = *page.next_cursor;
        }
      }
      // Newest first across services; ids are time-ordered.
      std::sort(found.begin(), found.end(),
                [](const auto& a, const auto& b) { return a.id > b.id; });
      if (found.size() > kMaxResults) found.resize(kMaxResults);
    }
    OJson all = OJson::array();
    for (const auto& r : found) all.push_back(PublicRequest(r, *catalog, *dir));
    return Reply{200, "service_requests", std::move(all)};
  }

  static std::vector<std::string> SplitList(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
      const auto comma = text.find(',');
      std::string_view one = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
      while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
      while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
      if (!one.empty()) out.emplace_back(one);
    }
    return out;
  }

  // status and the date window of GET requests; with no dates, the last 90 days.
  Result<requests::ListFilter> ListFilterOf(const Request& req) const {
    requests::ListFilter f;
    f.limit = 500;
    for (const auto& s : SplitList(req.Query("status").value_or(""))) {
      if (s == "open") {
        for (Status open : requests::OpenStatuses()) f.statuses.push_back(open);
      } else if (s == "closed") {
        f.statuses.push_back(Status::kClosed);
        f.statuses.push_back(Status::kMerged);
      } else {
        return Fail(Error::InvalidArgument(
            fmt::format("'status' must be open, closed or both (open,closed), not '{}'", s)));
      }
    }
    const std::string start = req.Query("start_date").value_or("");
    const std::string end = req.Query("end_date").value_or("");
    Timestamp from = 0, to = 0;
    if (!start.empty()) {
      XT_ASSIGN_OR_RETURN(from, ParseTimeParam("start_date", start, false));
    }
    if (!end.empty()) {
      XT_ASSIGN_OR_RETURN(to, ParseTimeParam("end_date", end, true));
    }
    if (start.empty() && end.empty()) {
      to = clock_.Now() + 1;
      from = to - kWindow;
    } else if (start.empty()) {
      from = to - kWindow;
    } else if (end.empty()) {
      to = from + kWindow;
    }
    if (to <= from) return Fail(Error::InvalidArgument("'end_date' must come after 'start_date'"));
    if (to - from > kWindow)
      return Fail(Error::InvalidArgument(
          "'start_date' to 'end_date' may span at most 90 days; ask for several windows"));
    f.received_from = from;
    f.received_to = to;
    return f;
  }

  // What the public may see of a request: requests::ForPublic decides.
  OJson PublicRequest(const requests::Request& r, const matters::Catalog& catalog,
                      const requests::Directory& dir) const {
    const requests::PublicView v = requests::ForPublic(r, dir);
    const matters::Matter* m = v.matter_id.empty() ? nullptr : catalog.Find(v.matter_id);
    std::string notes(StatusLabel(v.status));
    if (!v.reply.empty()) notes += "：" + v.reply;
    OJson j = OJson::object();
    j["service_request_id"] = v.number;
    j["status"] = v.closed ? "closed" : "open";
    j["status_notes"] = notes;
    j["service_name"] = m ? m->name : "";
    j["service_code"] = m ? m->code : "";
    j["description"] = v.text ? OJson(*v.text) : OJson(nullptr);
    j["agency_responsible"] = v.unit_name.empty() ? OJson(nullptr) : OJson(v.unit_name);
    j["service_notice"] =
        m ? OJson(fmt::format("此类诉求 {}内办结", LimitText(m->finish_limit))) : OJson(nullptr);
    j["requested_datetime"] = W3cTime(v.received_at);
    j["updated_datetime"] = W3cTime(v.updated_at);
    j["expected_datetime"] = W3cTime(v.finish_due);
    j["address"] = v.address;
    j["address_id"] = nullptr;
    j["zipcode"] = nullptr;
    j["lat"] = v.lat ? OJson(*v.lat) : OJson(nullptr);
    j["long"] = v.lon ? OJson(*v.lon) : OJson(nullptr);
    j["media_url"] = nullptr;
    return j;
  }

  // --- incidents as services (issue 17) -----------------------------------

  // The incident a service_code names, when emergencies are served here.
  std::optional<std::string> IncidentService(std::string_view code) const {
    if (!options_.incidents || !options_.crowd_reports) return std::nullopt;
    return emergency::IncidentOfServiceCode(code);
  }

  Result<emergency::Incident> ActiveIncident(const std::string& id) {
    auto view = options_.incidents->Get(identity::Principal::System(), id);
    if (!view) {
      if (view.error().code == ErrorCode::kNotFound)
        return Fail(Error::NotFound(fmt::format("service_code '{}' is not a service here",
                                                emergency::Open311ServiceCode(id))));
      return Fail(view.error());
    }
    if (view->incident.status != emergency::IncidentStatus::kActive)
      return Fail(Error::InvalidArgument(
          fmt::format("the incident of service_code '{}' is closed: it takes no more reports",
                      emergency::Open311ServiceCode(id))));
    return std::move(view->incident);
  }

  Result<void> AppendIncidentServices(OJson& all) {
    if (!options_.incidents || !options_.crowd_reports) return {};
    XT_ASSIGN_OR_RETURN(auto active,
                        options_.incidents->List(
                            identity::Principal::System(),
                            {.status = "active", .limit = emergency::IncidentService::kMaxPage}));
    for (const auto& inc : active) {
      OJson s = OJson::object();
      s["service_code"] = emergency::Open311ServiceCode(inc.id);
      s["service_name"] = "应急求助：" + inc.title;
      s["description"] = fmt::format(
          "{}（{}）的群众上报：险情或求助（救援、物资、医疗、转移），核实后处置。"
          "上报不在 requests 列表中列出。Crowd reports of this emergency: a situation or a need; "
          "verified before use; reports are not listed by GET requests.",
          inc.title, inc.unit_name);
      s["metadata"] = true;
      s["type"] = "realtime";
      s["keywords"] = "应急,求助,险情,救援,物资";
      s["group"] = "应急";
      all.push_back(std::move(s));
    }
    return {};
  }

  static OJson ReportDefinition(const std::string& code) {
    const auto list = [](std::initializer_list<std::pair<const char*, const char*>> values) {
      OJson all = OJson::array();
      for (auto [key, name] : values) {
        OJson v = OJson::object();
        v["key"] = key;
        v["name"] = name;
        all.push_back(std::move(v));
      }
      return all;
    };
    const auto attribute = [](const char* name, const char* datatype, bool required, int order,
                              const char* datatype_description, const char* description) {
      OJson a = OJson::object();
      a["variable"] = true;
      a["code"] = name;
      a["datatype"] = datatype;
      a["required"] = required;
      a["datatype_description"] = datatype_description;
      a["order"] = order;
      a["description"] = description;
      return a;
    };
    OJson kind =
        attribute("kind", "singlevaluelist", false, 1, "",
                  "上报类型：险情或求助（默认险情；给出求助类型即为求助） / situation or need");
    kind["values"] = list({{"situation", "险情 situation"}, {"need", "求助 need"}});
    OJson need_type = attribute("need_type", "singlevaluelist", false, 2, "",
                                "求助类型（求助必填） / what is needed (required for a need)");
    need_type["values"] = list({{"rescue", "救援 rescue"},
                                {"supplies", "物资 supplies"},
                                {"medical", "医疗 medical"},
                                {"evacuation", "转移 evacuation"}});
    OJson count =
        attribute("count", "number", false, 3, "0 到 1000000 的整数 / a whole number, 0 = unknown",
                  "人数或数量（求助） / how many people or items (a need)");
    OJson priority = attribute("priority", "singlevaluelist", false, 4, "",
                               "紧急程度（默认一般） / how urgent (default normal)");
    priority["values"] = list({{"low", "较低 low"},
                               {"normal", "一般 normal"},
                               {"high", "紧急 high"},
                               {"critical", "危急 critical"}});
    OJson def = OJson::object();
    def["service_code"] = code;
    def["attributes"] = OJson::array({kind, need_type, count, priority});
    return def;
  }

  // POST requests for an incident's service: one crowd report on the open311
  // channel, unverified until a verifier looks at it.
  Result<Reply> PostReport(const Request& req, const Form& form, const identity::Principal& actor,
                           const std::string& incident_id) {
    const RateDecision allowed = report_limiter_.Take("addr:" + req.remote, clock_.Now());
    if (!allowed.allowed) {
      OJson one = OJson::object();
      one["code"] = 429;
      one["description"] = fmt::format(
          "too many reports from this address; retry in {} s (a retry with the same "
          "Idempotency-Key is never stored twice)",
          allowed.retry_after_seconds);
      return Reply{429,
                   "errors",
                   OJson::array({std::move(one)}),
                   {{"Retry-After", std::to_string(allowed.retry_after_seconds)}}};
    }
    emergency::Open311Report in;
    const std::string lat = Field(form, "lat"), lon = Field(form, "long");
    if (lat.empty() != lon.empty())
      return Fail(Error::InvalidArgument("'lat' and 'long' are sent together"));
    if (!lat.empty()) {
      XT_ASSIGN_OR_RETURN(in.lat, ParseDegrees("lat", lat));
      XT_ASSIGN_OR_RETURN(in.lng, ParseDegrees("long", lon));
    }
    in.address = Field(form, "address_string");
    in.description = Field(form, "description");
    in.contact_name = ContactName(Field(form, "first_name"), Field(form, "last_name"));
    in.contact_phone = Field(form, "phone");
    in.media_url = Field(form, "media_url");
    for (const auto& [key, value] : form) {
      if (!key.starts_with("attribute[")) continue;
      if (!key.ends_with("]") || key.ends_with("[]"))
        return Fail(Error::InvalidArgument(
            fmt::format("'{}' is not an attribute of this service; send attribute[CODE]=value "
                        "(kind, need_type, count, priority)",
                        key)));
      in.attributes.emplace_back(key.substr(10, key.size() - 11), value);
    }
    XT_ASSIGN_OR_RETURN(auto report, emergency::ReportFromOpen311(in));
    XT_ASSIGN_OR_RETURN(auto incident, ActiveIncident(incident_id));
    XT_ASSIGN_OR_RETURN(auto out, options_.crowd_reports->Submit(actor, incident.id, report,
                                                                 req.Header("idempotency-key")));
    OJson one = OJson::object();
    one["service_request_id"] = out.id;
    one["service_notice"] =
        fmt::format("已收到，待核实。「{}」的指挥部核实后处置；请勿重复上报。", incident.title);
    return Reply{200, "service_requests", OJson::array({std::move(one)})};
  }

  identity::IdentityService& identity_;
  requests::RequestService& requests_;
  matters::MatterService& matters_;
  const Clock& clock_;
  const Open311Options options_;
  RateLimiter report_limiter_;
};

// --- documentation ---------------------------------------------------------------

// {file}: a name and the format it is answered in, by its extension.
ParamDoc FileParam(std::string examples) {
  return {"file",
          "a name ending in .xml (text/xml) or .json (application/json): " + examples,
          {{"type", "string"}, {"pattern", "\\.(xml|json)$"}},
          true};
}

ParamDoc Jurisdiction() {
  return doc::QueryParam("jurisdiction_id", "this server's jurisdiction_id, or nothing");
}

// A route of the spec: answered as XML or JSON by {file}'s extension, and so
// are its errors, in the spec's own error body (400, 404; 403 for api_key).
RouteDoc Doc(std::string summary, std::string summary_zh, ParamDoc file, json::Json schema,
             std::vector<ParamDoc> query) {
  return {.summary = std::move(summary),
          .summary_zh = std::move(summary_zh),
          .tag = "open311",
          .description = "GeoReport v2; XML by the Spark convention (arrays name their items).",
          .path = {std::move(file)},
          .query = std::move(query),
          .answers = {{200,
                       "",
                       {{"text/xml; charset=utf-8", schema},
                        {"application/json; charset=utf-8", schema}},
                       {}}},
          .errors = {400, 404},
          .error_body = {{"text/xml; charset=utf-8", doc::Ref("Open311Errors")},
                         {"application/json; charset=utf-8", doc::Ref("Open311Errors")}}};
}

}  // namespace

void RegisterOpen311Routes(Api& api, identity::IdentityService& identity,
                           requests::RequestService& requests, matters::MatterService& matters,
                           const Clock& clock, Open311Options options) {
  auto o = std::make_shared<Open311>(identity, requests, matters, clock, std::move(options));
  const auto bind =
      [o](Result<Open311::Reply> (Open311::*method)(const Request&, const std::string&)) {
        return Open311::Serve([o, method](const Request& req, const std::string& name) {
          return (*o.*method)(req, name);
        });
      };
  Router& r = api.router();
  const std::string prefix(kPrefix);
  r.Add(
      "GET", prefix + "/{file}", Auth::kPublic,
      Doc("Discovery, the list of services, or requests by id, service, status and date",
          "Open311 发现、服务列表与诉求查询",
          FileParam("discovery.xml, services.json, requests.xml, …"),
          {{"anyOf", json::Json::array({doc::Ref("Open311Discovery"), doc::Ref("Open311Services"),
                                        doc::Ref("Open311ServiceRequests")})}},
          {Jurisdiction(),
           doc::QueryParam("service_request_id",
                           "requests: ids (request numbers), comma-separated; overrides the rest"),
           doc::QueryParam("service_code", "requests: service codes, comma-separated"),
           doc::QueryParam("status", "requests: open, closed or open,closed"),
           doc::QueryParam("start_date", "requests: received from (W3C datetime or a day)"),
           doc::QueryParam("end_date",
                           "requests: received until; at most 90 days after start_date")}),
      bind(&Open311::Top));
  // Public in the Api: the handler checks the api_key form field itself.
  RouteDoc post =
      Doc("Post a request (service_code, a location, description, contact)", "Open311 提交诉求",
          FileParam("requests.xml or requests.json"), doc::Ref("Open311Created"), {});
  post.body = {{"application/x-www-form-urlencoded", doc::Ref("Open311NewRequest")}};
  post.errors.push_back(403);
  post.errors.push_back(429);  // reports to an incident's service, per client address
  post.security = {"open311_api_key", "api_key"};
  r.Add("POST", prefix + "/{file}", Auth::kPublic, std::move(post), bind(&Open311::Post));
  r.Add("GET", prefix + "/services/{file}", Auth::kPublic,
        Doc("A service's definition (an incident's service: the crowd-report attributes)",
            "Open311 服务定义", FileParam("<service_code>.xml or .json"),
            doc::Ref("Open311ServiceDefinition"), {Jurisdiction()}),
        bind(&Open311::ServiceDefinition));
  r.Add("GET", prefix + "/requests/{file}", Auth::kPublic,
        Doc("One request by its number, as the public may see it", "Open311 查询单个诉求",
            FileParam("<service_request_id>.xml or .json"), doc::Ref("Open311ServiceRequests"),
            {Jurisdiction()}),
        bind(&Open311::OneRequest));
  r.Add("GET", prefix + "/tokens/{file}", Auth::kPublic,
        Doc("The request number a token (the request's id) stands for", "Open311 令牌查询",
            FileParam("<token>.xml or .json"), doc::Ref("Open311Token"), {Jurisdiction()}),
        bind(&Open311::Token));
}

}  // namespace xietong::http
