#include "http/api_schemas.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/result.h"
#include "files/file.h"
#include "http/capacity_handlers.h"
#include "http/collab_handlers.h"
#include "http/crowd_report_handlers.h"
#include "http/deliberation_handlers.h"
#include "http/evaluation_handlers.h"
#include "http/exchange_handlers.h"
#include "http/forecast_handlers.h"
#include "http/incident_handlers.h"
#include "http/notify_handlers.h"
#include "http/points_handlers.h"
#include "http/report_form_handlers.h"
#include "http/routing_handlers.h"
#include "http/services_handlers.h"
#include "http/warning_handlers.h"
#include "identity/identity.h"
#include "matters/matter.h"
#include "requests/request.h"

namespace xietong::http {
namespace doc {

json::Json Ref(std::string_view component) {
  return {{"$ref", fmt::format("#/components/schemas/{}", component)}};
}

json::Json Nullable(json::Json schema) {
  auto type = schema.find("type");
  if (type == schema.end())
    return {{"anyOf", json::Json::array({std::move(schema), {{"type", "null"}}})}};
  if (type->is_string()) *type = json::Json::array({*type});
  type->push_back("null");
  if (auto values = schema.find("enum"); values != schema.end()) values->push_back(nullptr);
  return schema;
}

json::Json String(std::size_t min_chars, std::size_t max_chars) {
  json::Json s = {{"type", "string"}};
  if (min_chars > 0) s["minLength"] = min_chars;
  if (max_chars > 0) s["maxLength"] = max_chars;
  return s;
}

json::Json Enum(std::vector<std::string> values) {
  return {{"type", "string"}, {"enum", std::move(values)}};
}

json::Json Integer() { return {{"type", "integer"}}; }

json::Json IntegerIn(std::int64_t min, std::int64_t max) {
  return {{"type", "integer"}, {"minimum", min}, {"maximum", max}};
}

json::Json Number() { return {{"type", "number"}}; }
json::Json Boolean() { return {{"type", "boolean"}}; }
json::Json DateTime() { return {{"type", "string"}, {"format", "date-time"}}; }
json::Json ArrayOf(json::Json items) { return {{"type", "array"}, {"items", std::move(items)}}; }

json::Json Object(json::Json properties, std::vector<std::string> required, bool closed) {
  json::Json o = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) o["required"] = std::move(required);
  if (closed) o["additionalProperties"] = false;
  return o;
}

json::Json ItemsOf(json::Json schema) {
  return Object({{"items", ArrayOf(std::move(schema))}}, {"items"});
}

BodyDoc Json(json::Json schema) { return {"application/json", std::move(schema)}; }

AnswerDoc Ok(json::Json schema, int status, std::vector<ParamDoc> headers) {
  return {status, "", {Json(std::move(schema))}, std::move(headers)};
}

AnswerDoc NoContent(std::string description) { return {204, std::move(description), {}, {}}; }

ParamDoc PathId(std::string name, std::string what) {
  return {std::move(name), std::move(what), String(1), true};
}

ParamDoc QueryParam(std::string name, std::string description, json::Json schema, bool required) {
  return {std::move(name), std::move(description), std::move(schema), required};
}

ParamDoc Limit(int max, int default_value) {
  json::Json s = IntegerIn(1, max);
  s["default"] = default_value;
  return {"limit", fmt::format("how many to answer, 1 to {}", max), std::move(s), false};
}

ParamDoc Cursor() {
  return {"cursor", "the next_cursor of the previous page, as it was given", String(), false};
}

ParamDoc IfMatch(bool required) {
  return {"If-Match",
          required ? "the ETag from reading it; a stale version answers 409"
                   : "the ETag from reading it; when sent, a stale version answers 409",
          String(1), required};
}

ParamDoc IdempotencyKey() {
  return {"Idempotency-Key",
          "any unique string; a retry with the same key returns the first answer", String(1, 200),
          false};
}

ParamDoc ETag() { return {"ETag", "the version, for If-Match", String(1), false}; }

ParamDoc Location() { return {"Location", "where the new resource is read", String(1), false}; }

}  // namespace doc

namespace {

using doc::ArrayOf;
using doc::Boolean;
using doc::DateTime;
using doc::Enum;
using doc::Integer;
using doc::IntegerIn;
using doc::Nullable;
using doc::Number;
using doc::Object;
using doc::Ref;
using doc::String;

template <typename E, typename NameOf>
std::vector<std::string> Names(std::initializer_list<E> values, NameOf name) {
  std::vector<std::string> out;
  for (E v : values) out.emplace_back(name(v));
  return out;
}

// The enumerations the API writes, by the domain's own names.
json::Json UnitKindEnum() {
  using identity::UnitKind;
  return Enum(Names({UnitKind::kCity, UnitKind::kDistrict, UnitKind::kStreet, UnitKind::kTownship,
                     UnitKind::kCommunity, UnitKind::kGrid, UnitKind::kDepartment,
                     UnitKind::kCentre, UnitKind::kOrganisation},
                    identity::UnitKindName));
}

json::Json RoleEnum() {
  std::vector<std::string> names;
  for (auto r : identity::AllRoles()) names.emplace_back(identity::RoleName(r));
  return Enum(std::move(names));
}

json::Json AccountKindEnum() {
  using identity::AccountKind;
  return Enum(Names({AccountKind::kStaff, AccountKind::kResident}, identity::AccountKindName));
}

json::Json HandlerLevelEnum() {
  using matters::HandlerLevel;
  return Enum(Names({HandlerLevel::kCommunity, HandlerLevel::kStreet,
                     HandlerLevel::kDistrictDepartment, HandlerLevel::kCityDepartment},
                    matters::HandlerLevelName));
}

json::Json TierEnum() {
  using matters::Tier;
  return Enum(
      Names({Tier::kEmergency, Tier::kUrgent, Tier::kGeneral, Tier::kComplex}, matters::TierName));
}

json::Json LimitUnitEnum() {
  using matters::LimitUnit;
  return Enum(Names({LimitUnit::kNaturalHours, LimitUnit::kWorkingHours, LimitUnit::kWorkingDays},
                    matters::LimitUnitName));
}

json::Json ChannelEnum() {
  using requests::Channel;
  return Enum(
      Names({Channel::kWeb, Channel::kPhone, Channel::kOpen311, Channel::kApi, Channel::kImport},
            requests::ChannelName));
}

json::Json StatusEnum() {
  using requests::Status;
  return Enum(Names({Status::kReceived, Status::kDispatched, Status::kSigned, Status::kHandling,
                     Status::kReplied, Status::kCallback, Status::kClosed, Status::kMerged},
                    requests::StatusName));
}

json::Json SatisfactionEnum() {
  using requests::Satisfaction;
  return Enum(Names(
      {Satisfaction::kSatisfied, Satisfaction::kBasicallySatisfied, Satisfaction::kDissatisfied},
      requests::SatisfactionName));
}

json::Json CommandEnum() {
  std::vector<std::string> names;
  for (auto c : requests::AllCommands()) names.emplace_back(requests::CommandName(c));
  return Enum(std::move(names));
}

json::Json ErrorCodeEnum() {
  auto names =
      Names({ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kConflict,
             ErrorCode::kPermissionDenied, ErrorCode::kUnauthenticated, ErrorCode::kTooLarge,
             ErrorCode::kTooManyRequests, ErrorCode::kUnavailable, ErrorCode::kInternal},
            ErrorCodeName);
  names.emplace_back("method_not_allowed");  // MethodNotAllowed (errors.h): no domain Error
  return Enum(std::move(names));
}

// The enumerations as components, referred to by name.
json::Json UnitKinds() { return Ref("UnitKind"); }
json::Json Roles() { return Ref("Role"); }
json::Json AccountKinds() { return Ref("AccountKind"); }
json::Json HandlerLevels() { return Ref("HandlerLevel"); }
json::Json Tiers() { return Ref("Tier"); }
json::Json LimitUnits() { return Ref("LimitUnit"); }
json::Json Channels() { return Ref("Channel"); }
json::Json Statuses() { return Ref("Status"); }
json::Json Satisfactions() { return Ref("Satisfaction"); }
json::Json Commands() { return Ref("Command"); }
json::Json ErrorCodes() { return Ref("ErrorCode"); }

json::Json Id() { return String(1); }
json::Json NullableId() { return Nullable(String(1)); }
json::Json NullableTime() { return Nullable(DateTime()); }
json::Json NullableRate() { return Nullable(Number()); }

// An optional string field of a body: absent and null both mean "not given".
json::Json OptionalText(std::size_t min_chars, std::size_t max_chars) {
  return Nullable(String(min_chars, max_chars));
}

// --- identity (identity_handlers.cc) -------------------------------------------

json::Json Geometry() {
  return Object({{"type", Enum({"Polygon", "MultiPolygon"})}, {"coordinates", {{"type", "array"}}}},
                {"type", "coordinates"}, false);
}

json::Json Membership() {  // MembershipJson
  return Object({{"id", Id()}, {"unit_id", Id()}, {"unit_name", String()}, {"role", Roles()}},
                {"id", "unit_id", "unit_name", "role"});
}

json::Json Unit() {  // UnitJson; geometry only on units that have a shape
  return Object({{"id", Id()},
                 {"parent_id", NullableId()},
                 {"kind", UnitKinds()},
                 {"code", String(1)},
                 {"name", String(1)},
                 {"created_at", DateTime()},
                 {"version", Integer()},
                 {"geometry", Geometry()}},
                {"id", "parent_id", "kind", "code", "name", "created_at", "version"});
}

json::Json Account() {  // AccountJson; the phone masked unless ?reveal=phone
  return Object({{"id", Id()},
                 {"username", String(1)},
                 {"display_name", String(1)},
                 {"kind", AccountKinds()},
                 {"phone", Nullable(String())},
                 {"disabled", Boolean()},
                 {"created_at", DateTime()},
                 {"version", Integer()},
                 {"memberships", ArrayOf(Ref("Membership"))}},
                {"id", "username", "display_name", "kind", "phone", "disabled", "created_at",
                 "version", "memberships"});
}

json::Json Principal() {  // PrincipalJson: GET /me
  return Object({{"id", Id()},
                 {"username", String(1)},
                 {"display_name", String(1)},
                 {"phone", Nullable(String(1))},
                 {"kind", AccountKinds()},
                 {"memberships", ArrayOf(Ref("Membership"))}},
                {"id", "username", "display_name", "kind", "memberships", "phone"});
}

json::Json Login() {
  return Object({{"token", String(1)},
                 {"csrf_token", String(1)},
                 {"expires_at", DateTime()},
                 {"account", Ref("Account")}},
                {"token", "csrf_token", "expires_at", "account"});
}

json::Json Page(json::Json item) {
  return Object({{"items", ArrayOf(std::move(item))}, {"next_cursor", Nullable(String(1))}},
                {"items", "next_cursor"});
}

json::Json UnitMap() {  // GET /units/map, application/geo+json
  json::Json feature = Object(
      {{"type", {{"const", "Feature"}}},
       {"id", Id()},
       {"properties",
        Object(
            {{"id", Id()}, {"name", String(1)}, {"kind", UnitKinds()}, {"parent_id", NullableId()}},
            {"id", "name", "kind", "parent_id"})},
       {"geometry", Geometry()}},
      {"type", "id", "properties", "geometry"});
  return Object({{"type", {{"const", "FeatureCollection"}}}, {"features", ArrayOf(feature)}},
                {"type", "features"});
}

json::Json LoginBody() {
  return Object({{"username", String(1, 64)}, {"password", String(1, 256)}},
                {"username", "password"}, false);
}

json::Json NewUnit() {
  return Object({{"parent_id", OptionalText(1, 64)},
                 {"kind", UnitKinds()},
                 {"code", String(1, 32)},
                 {"name", String(1, 64)},
                 {"geometry", Nullable(Geometry())}},
                {"kind", "code", "name"}, false);
}

json::Json NewAccount() {
  return Object({{"username", String(1, 32)},
                 {"display_name", String(1, 64)},
                 {"kind", Nullable(AccountKinds())},
                 {"phone", OptionalText(1, 20)},
                 {"password", String(1, 256)},
                 {"unit_id", OptionalText(1, 64)},
                 {"role", Nullable(Roles())}},
                {"username", "display_name", "password"}, false);
}

json::Json AccountUpdate() {  // the handler refuses any other field
  return Object({{"display_name", OptionalText(1, 64)},
                 {"phone", OptionalText(0, 20)},
                 {"disabled", Nullable(Boolean())},
                 {"password", OptionalText(1, 256)}},
                {});
}

json::Json NewMembership() {
  return Object({{"unit_id", String(1, 64)}, {"role", Roles()}}, {"unit_id", "role"}, false);
}

// --- matters (matter_handlers.cc) ----------------------------------------------

json::Json Limit() {  // matters::LimitJson
  return Object({{"amount", IntegerIn(1, matters::kMaxLimitAmount)}, {"unit", LimitUnits()}},
                {"amount", "unit"});
}

json::Json Matter() {  // MatterJson; handler … return_window on leaves (level 3) only
  return Object({{"id", Id()},
                 {"parent_id", NullableId()},
                 {"level", IntegerIn(1, matters::kLeafLevel)},
                 {"code", String(2, 8)},
                 {"name", String(1)},
                 {"name_en", String()},
                 {"legal_basis", String()},
                 {"keywords", ArrayOf(String())},
                 {"active", Boolean()},
                 {"version", Integer()},
                 {"updated_at", DateTime()},
                 {"handler", HandlerLevels()},
                 {"department_code", String()},
                 {"tier", Tiers()},
                 {"sign_limit", Ref("Limit")},
                 {"finish_limit", Ref("Limit")},
                 {"return_window", Ref("Limit")}},
                {"id", "parent_id", "level", "code", "name", "name_en", "legal_basis", "keywords",
                 "active", "version", "updated_at"});
}

json::Json MatterFields(bool is_new) {  // NewMatterFrom / UpdateFrom: no other field
  json::Json p = {{"name", is_new ? String(1, matters::kMaxNameChars)
                                  : OptionalText(1, matters::kMaxNameChars)},
                  {"name_en", OptionalText(0, matters::kMaxNameEnChars)},
                  {"handler", Nullable(HandlerLevels())},
                  {"department_code", OptionalText(0, 16)},
                  {"tier", Nullable(Tiers())},
                  {"sign_limit", Nullable(Ref("Limit"))},
                  {"finish_limit", Nullable(Ref("Limit"))},
                  {"return_window", Nullable(Ref("Limit"))},
                  {"legal_basis", OptionalText(0, matters::kMaxLegalBasisChars)},
                  {"keywords", Nullable(ArrayOf(String(1, matters::kMaxKeywordChars)))},
                  {"active", Nullable(Boolean())}};
  if (!is_new) return Object(std::move(p), {});
  p["parent_id"] = OptionalText(1, 64);
  p["code"] = String(2, 8);
  return Object(std::move(p), {"code", "name"});
}

// --- requests (request_handlers.cc) --------------------------------------------

json::Json MatterRef() {
  return Object({{"id", Id()}, {"code", String(1)}, {"name", String(1)}}, {"id", "code", "name"});
}

json::Json Place() {  // PlaceJson
  return Object({{"address", String()},
                 {"lat", Nullable(Number())},
                 {"lon", Nullable(Number())},
                 {"grid_id", NullableId()},
                 {"community_id", NullableId()},
                 {"street_id", NullableId()},
                 {"district_id", NullableId()}},
                {"address", "lat", "lon", "grid_id", "community_id", "street_id", "district_id"});
}

json::Json RequestSchema() {  // RequestJson; "matter" where RequestWithMatter adds it
  json::Json p = {
      {"id", Id()},
      {"number", String(1)},
      {"channel", Channels()},
      {"title", String()},
      {"text", String()},
      {"matter_id", NullableId()},
      {"matter_version", Integer()},
      {"place", Ref("Place")},
      {"contact", Object({{"name", String()}, {"phone", String()}}, {"name", "phone"})},
      {"anonymous", Boolean()},
      {"requester_id", NullableId()},
      {"created_by", NullableId()},
      {"external_id", NullableId()},
      {"attachment_ids", ArrayOf(Id())},
      {"centre_id", NullableId()},
      {"status", Statuses()},
      {"unit_id", NullableId()},
      {"unit_name", String()},
      {"received_at", NullableTime()},
      {"dispatched_at", NullableTime()},
      {"signed_at", NullableTime()},
      {"replied_at", NullableTime()},
      {"closed_at", NullableTime()},
      {"sign_due", NullableTime()},
      {"finish_due", NullableTime()},
      {"sign_warn_at", NullableTime()},
      {"finish_warn_at", NullableTime()},
      {"return_until", NullableTime()},
      {"sign_late", Boolean()},
      {"finish_late", Boolean()},
      {"warned", Boolean()},
      {"parent_id", NullableId()},
      {"return_requested", Boolean()},
      {"return_reason", String()},
      {"extension_days", Integer()},
      {"extension_reason", String()},
      {"reply", String()},
      {"reply_attachment_ids", ArrayOf(Id())},
      {"resolved", Nullable(Boolean())},
      {"satisfaction", Nullable(Satisfactions())},
      {"feedback", String()},
      {"dispatch_count", Integer()},
      {"reopen_count", Integer()},
      {"version", Integer()},
      {"updated_at", NullableTime()},
  };
  std::vector<std::string> required;
  for (const auto& [name, schema] : p.items()) required.push_back(name);
  p["matter"] = Nullable(Ref("MatterRef"));
  p["summoned"] = Boolean();
  json::Json o = Object(std::move(p), std::move(required));
  o["description"] =
      "A request (诉求). The contact phone is masked unless revealed; \"matter\" (the category's "
      "code and name) is present in lists and the detail; \"summoned\" (in lists) is true when the "
      "request is in the caller's work only because one of their departments was summoned "
      "(吹哨报到).";
  return o;
}

json::Json Suggestion() {
  return Object({{"matter", Ref("MatterRef")}, {"confidence", Number()}}, {"matter", "confidence"});
}

json::Json Summons() {  // SummonsJson
  return Object({{"id", Id()},
                 {"department_id", Id()},
                 {"department_name", String()},
                 {"summoned_by", String()},
                 {"reason", String()},
                 {"created_at", NullableTime()},
                 {"report_due", NullableTime()},
                 {"reported_at", NullableTime()},
                 {"report", String()},
                 {"late", Boolean()}},
                {"id", "department_id", "department_name", "summoned_by", "reason", "created_at",
                 "report_due", "reported_at", "report", "late"});
}

json::Json RequestDetail() {
  json::Json quality =
      Object({{"overall", Number()},
              {"relevance", Number()},
              {"completeness", Number()},
              {"timeliness", Number()},
              {"late", Boolean()},
              {"reasons", ArrayOf(String())}},
             {"overall", "relevance", "completeness", "timeliness", "late", "reasons"});
  return Object(
      {{"request", Ref("Request")},
       {"summonses", ArrayOf(Ref("Summons"))},
       {"merged", ArrayOf(Object({{"id", Id()}, {"number", String(1)}}, {"id", "number"}))},
       {"allowed", ArrayOf(Commands())},
       {"reply_quality", quality}},
      {"request", "summonses", "merged", "allowed"});
}

json::Json RequestList() {
  return Object({{"items", ArrayOf(Ref("Request"))},
                 {"next_cursor", Nullable(String(1))},
                 {"total", Integer()},
                 {"total_capped", Boolean()}},
                {"items", "next_cursor", "total", "total_capped"});
}

json::Json IntakeResult() {
  return Object({{"request", Ref("Request")}, {"suggestions", ArrayOf(Ref("Suggestion"))}},
                {"request", "suggestions"});
}

json::Json Preview() {
  json::Json duplicate =
      Object({{"id", Id()},
              {"number", String(1)},
              {"title", String()},
              {"status", Statuses()},
              {"unit_name", String()},
              {"received_at", DateTime()},
              {"score", Number()},
              {"mergeable", Boolean()}},
             {"id", "number", "title", "status", "unit_name", "received_at", "score", "mergeable"});
  json::Json route = Object({{"unit_id", Id()}, {"unit_name", String()}, {"rule", String()}},
                            {"unit_id", "unit_name", "rule"});
  return Object({{"suggestions", ArrayOf(Ref("Suggestion"))},
                 {"suggested_by", Enum({"classifier", "keywords", ""})},
                 // The classifier's version as request.received records it ("v7" for a stored
                 // model, "file" for a model file); "" when keywords suggested or none did.
                 {"model_version", String()},
                 {"duplicates", ArrayOf(duplicate)},
                 {"matter", Nullable(Ref("MatterRef"))},
                 {"place", Ref("Place")},
                 {"route", Nullable(route)},
                 {"problem", Nullable(String())},
                 {"sign_due", NullableTime()},
                 {"finish_due", NullableTime()},
                 {"return_until", NullableTime()}},
                {"suggestions", "suggested_by", "model_version", "duplicates", "matter", "place",
                 "route", "problem", "sign_due", "finish_due", "return_until"});
}

json::Json Intake() {  // IntakeFrom; unknown fields are ignored
  using namespace requests;
  return Object(
      {{"title", OptionalText(0, kMaxTitleChars)},
       {"text", String(1, kMaxTextChars)},
       {"matter_id", OptionalText(0, 64)},
       {"place", Nullable(Object({{"address", OptionalText(0, kMaxAddressChars)},
                                  {"lat", Nullable(Number())},
                                  {"lon", Nullable(Number())},
                                  {"unit_id", OptionalText(0, 64)}},
                                 {}, false))},
       {"contact",
        Nullable(Object({{"name", OptionalText(0, kMaxNameChars)}, {"phone", OptionalText(0, 32)}},
                        {}, false))},
       {"anonymous", Nullable(Boolean())},
       {"attachment_ids", Nullable(ArrayOf(String(1)))},
       {"channel", Nullable(Enum({"phone", "web"}))},
       {"external_id", OptionalText(0, 64)},
       {"dispatch", Nullable(Boolean())},
       {"merge_into", OptionalText(0, 64)}},
      {"text"}, false);
}

// Every argument any command reads (CommandFrom refuses others).
json::Json CommandProperties() {
  using namespace requests;
  return {{"text", OptionalText(0, kMaxReplyChars)},
          {"reason", OptionalText(0, kMaxReasonChars)},
          {"unit_id", OptionalText(0, 64)},
          {"matter_id", OptionalText(0, 64)},
          {"parent_id", OptionalText(0, 64)},
          {"days", Nullable(IntegerIn(0, 1000))},
          {"resolved", Nullable(Boolean())},
          {"satisfaction", Nullable(Satisfactions())},
          {"department_ids", Nullable(ArrayOf(String(1)))},
          {"summons_id", OptionalText(0, 64)},
          {"attachment_ids", Nullable(ArrayOf(String(1)))}};
}

json::Json Timeline() {
  return Object({{"items", ArrayOf(Object({{"seq", Integer()},
                                           {"at", DateTime()},
                                           {"actor", String()},
                                           {"action", String(1)},
                                           {"payload", json::Json::object()}},
                                          {"seq", "at", "actor", "action", "payload"}))}},
                {"items"});
}

json::Json Tracking() {
  return Object(
      {{"number", String(1)},
       {"status", Statuses()},
       {"unit_name", String()},
       {"received_at", NullableTime()},
       {"replied_at", NullableTime()},
       {"reply", String()},
       {"timeline",
        ArrayOf(
            Object({{"at", DateTime()}, {"action", String(1)}, {"payload", json::Json::object()}},
                   {"at", "action", "payload"}))}},
      {"number", "status", "unit_name", "received_at", "replied_at", "reply", "timeline"});
}

json::Json Supervision() {
  json::Json queue = ArrayOf(Ref("Request"));
  return Object({{"overdue", queue}, {"warned", queue}, {"extensions", queue}, {"returns", queue}},
                {"overdue", "warned", "extensions", "returns"});
}

// --- files, stats, insight, calendar -------------------------------------------

json::Json FileInfo() {  // FileInfoJson
  return Object({{"id", Id()},
                 {"content_type",
                  Enum({"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"})},
                 {"size", IntegerIn(1, files::kMaxFileBytes)},
                 {"sha256", {{"type", "string"}, {"pattern", "^[0-9a-f]{64}$"}}},
                 {"created_at", DateTime()}},
                {"id", "content_type", "size", "sha256", "created_at"});
}

json::Json Ranking() {
  json::Json row = Object({{"rank", Integer()},
                           {"unit_id", Id()},
                           {"unit_name", String()},
                           {"unit_kind", UnitKinds()},
                           {"dispatched", Integer()},
                           {"responded_on_time", Integer()},
                           {"replied", Integer()},
                           {"rated", Integer()},
                           {"resolved", Integer()},
                           {"satisfied", Integer()},
                           {"basically_satisfied", Integer()},
                           {"dissatisfied", Integer()},
                           {"summoned", Integer()},
                           {"summons_late", Integer()},
                           {"response_rate", NullableRate()},
                           {"resolution_rate", NullableRate()},
                           {"satisfaction_rate", NullableRate()},
                           {"score", Number()}},
                          {});
  std::vector<std::string> all;
  for (const auto& [name, schema] : row["properties"].items()) all.push_back(name);
  row["required"] = all;
  return Object({{"period", String(1)},
                 {"weights", Object({{"response", Number()},
                                     {"resolution", Number()},
                                     {"satisfaction", Number()},
                                     {"basically", Number()}},
                                    {"response", "resolution", "satisfaction", "basically"})},
                 {"items", ArrayOf(std::move(row))}},
                {"period", "weights", "items"});
}

json::Json Trend() {
  return Object(
      {{"items", ArrayOf(Object({{"month", String(7, 7)},
                                 {"dispatched", Integer()},
                                 {"replied", Integer()},
                                 {"rated", Integer()},
                                 {"response_rate", NullableRate()},
                                 {"resolution_rate", NullableRate()},
                                 {"satisfaction_rate", NullableRate()},
                                 {"score", Number()}},
                                {"month", "dispatched", "replied", "rated", "response_rate",
                                 "resolution_rate", "satisfaction_rate", "score"}))}},
      {"items"});
}

json::Json GridCounts() {
  return Object(
      {{"items", ArrayOf(Object({{"grid_id", Id()}, {"count", Integer()}}, {"grid_id", "count"}))}},
      {"items"});
}

json::Json PlaceCounts() {
  return Object(
      {{"level", Enum({"grid", "community", "street", "district"})},
       {"items", ArrayOf(Object({{"unit_id", Id()}, {"count", Integer()}}, {"unit_id", "count"}))}},
      {"level", "items"});
}

// --- workflow (workflow_handlers.cc) ---

json::Json Deployed() {
  return Object(
      {{"id", Id()}, {"process_id", String(1)}, {"version", Integer()}, {"unchanged", Boolean()}},
      {"id", "process_id", "version", "unchanged"});
}

json::Json DefinitionProperties() {
  return {{"id", Id()},       {"process_id", String(1)}, {"version", Integer()},
          {"name", String()}, {"deployed_by", String()}, {"deployed_at", NullableTime()}};
}

json::Json Definition() {
  return Object(DefinitionProperties(),
                {"id", "process_id", "version", "name", "deployed_by", "deployed_at"});
}

json::Json DefinitionDetail() {
  json::Json p = DefinitionProperties();
  p["xml"] = String(1);
  p["analytics"] = Object(
      {{"elements", ArrayOf(Object({{"element_id", String(1)},
                                    {"visits", Integer()},
                                    {"median_wait_ms", Integer()},
                                    {"p90_wait_ms", Integer()}},
                                   {"element_id", "visits", "median_wait_ms", "p90_wait_ms"}))},
       {"flows",
        ArrayOf(Object({{"flow_id", String(1)}, {"taken", Integer()}}, {"flow_id", "taken"}))}},
      {"elements", "flows"});
  return Object(std::move(p), {"id", "process_id", "version", "name", "deployed_by", "deployed_at",
                               "xml", "analytics"});
}

json::Json WorkflowInstance() {
  return Object({{"id", Id()},
                 {"definition_id", Id()},
                 {"process_id", String(1)},
                 {"version", Integer()},
                 {"state", Enum({"active", "completed", "terminated", "incident"})},
                 {"active_elements", ArrayOf(String(1))},
                 {"variables", {{"type", "object"}}},
                 {"incident", Nullable(String())},
                 {"started_at", NullableTime()},
                 {"ended_at", NullableTime()}},
                {"id", "definition_id", "process_id", "version", "state", "active_elements",
                 "variables", "incident", "started_at", "ended_at"});
}

json::Json WorkflowTask() {
  return Object({{"id", Id()},
                 {"instance_id", Id()},
                 {"process_id", String(1)},
                 {"element_id", String(1)},
                 {"name", String()},
                 {"candidate_groups", String()},
                 {"assignee", String()},
                 {"due", NullableTime()},
                 {"created_at", NullableTime()},
                 {"variables", {{"type", "object"}}}},
                {"id", "instance_id", "process_id", "element_id", "name", "candidate_groups",
                 "assignee", "due", "created_at", "variables"});
}

json::Json WorkflowJob() {
  return Object(
      {{"key", Id()},
       {"type", String(1)},
       {"instance_id", Id()},
       {"element_id", String(1)},
       {"retries", Integer()},
       {"deadline", NullableTime()},
       {"headers", {{"type", "object"}}},
       {"variables", {{"type", "object"}}}},
      {"key", "type", "instance_id", "element_id", "retries", "deadline", "headers", "variables"});
}

json::Json WorkflowIncident() {
  return Object({{"instance_id", Id()},
                 {"element_id", String(1)},
                 {"job_key", Nullable(Id())},
                 {"message", String()}},
                {"instance_id", "element_id", "job_key", "message"});
}

// The workflow routes' own errors: the standard body, or invalid_bpmn and
// unsupported_media_type with every problem of a refused file in details.
json::Json WorkflowError() {
  json::Json detail =
      Object({{"element_id", Nullable(String(1))}, {"line", Integer()}, {"reason", String(1)}},
             {"element_id", "line", "reason"});
  json::Json codes = {
      {"anyOf", json::Json::array({ErrorCodes(), Enum({"invalid_bpmn", "invalid_dmn",
                                                       "unsupported_media_type"})})}};
  return Object({{"error", Object({{"code", codes},
                                   {"message", String(1)},
                                   {"field", String(1)},
                                   {"reason", String(1)},
                                   {"details", ArrayOf(detail)}},
                                  {"code", "message"})}},
                {"error"});
}

json::Json Hotspots() {
  json::Json spot = Object({{"title", String()},
                            {"representative_id", Id()},
                            {"place", String()},
                            {"first_at", DateTime()},
                            {"last_at", DateTime()},
                            {"count", Integer()},
                            {"support", Integer()},
                            {"recent", Integer()},
                            {"previous", Integer()},
                            {"score", Number()},
                            {"request_ids", ArrayOf(Id())}},
                           {"title", "representative_id", "place", "first_at", "last_at", "count",
                            "support", "recent", "previous", "score", "request_ids"});
  return Object(
      {{"items", ArrayOf(std::move(spot))}, {"requests", Integer()}, {"truncated", Boolean()}},
      {"items", "requests", "truncated"});
}

json::Json Calendar() {
  json::Json clock = {{"type", "string"}, {"pattern", "^[0-2][0-9]:[0-5][0-9]$"}};
  return Object(
      {{"year", Integer()},
       {"covered", Boolean()},
       {"provisional", Boolean()},
       {"working_days", Integer()},
       {"working_hours", ArrayOf(Object({{"start", clock}, {"end", clock}}, {"start", "end"}))},
       {"days", ArrayOf(Object({{"date", {{"type", "string"}, {"format", "date"}}},
                                {"kind", Enum({"holiday", "workday"})},
                                {"name", String()}},
                               {"date", "kind", "name"}))}},
      {"year", "covered", "provisional", "working_days", "working_hours", "days"});
}

// --- Open311 GeoReport v2 (open311_handlers.cc) --------------------------------
// Each answers as JSON or, by the Spark convention, as XML whose root is the
// "xml" name and whose arrays name their items.

json::Json XmlArray(json::Json items, std::string_view root, std::string_view item) {
  items["xml"] = {{"name", item}};
  json::Json a = ArrayOf(std::move(items));
  a["xml"] = {{"name", root}, {"wrapped", true}};
  return a;
}

json::Json Open311Discovery() {
  json::Json endpoint = Object({{"specification", String(1)},
                                {"url", String(1)},
                                {"changeset", DateTime()},
                                {"type", Enum({"production", "test"})},
                                {"formats", XmlArray(String(1), "formats", "format")}},
                               {"specification", "url", "changeset", "type", "formats"});
  json::Json d = Object({{"changeset", DateTime()},
                         {"contact", String()},
                         {"key_service", String()},
                         {"endpoints", XmlArray(std::move(endpoint), "endpoints", "endpoint")}},
                        {"changeset", "contact", "key_service", "endpoints"});
  d["xml"] = {{"name", "discovery"}};
  return d;
}

json::Json Open311Services() {
  return XmlArray(Object({{"service_code", String(1)},
                          {"service_name", String()},
                          {"description", String()},
                          {"metadata", Boolean()},
                          {"type", Enum({"realtime", "batch", "blackbox"})},
                          {"keywords", String()},
                          {"group", String()}},
                         {"service_code", "service_name", "description", "metadata", "type",
                          "keywords", "group"}),
                  "services", "service");
}

json::Json Open311ServiceDefinition() {
  json::Json d = Object({{"service_code", String(1)},
                         {"attributes", XmlArray({{"type", "object"}}, "attributes", "attribute")}},
                        {"service_code", "attributes"});
  d["xml"] = {{"name", "service_definition"}};
  return d;
}

json::Json Open311ServiceRequests() {  // PublicRequest: what the public may see
  return XmlArray(Object({{"service_request_id", String(1)},
                          {"status", Enum({"open", "closed"})},
                          {"status_notes", String()},
                          {"service_name", String()},
                          {"service_code", String()},
                          {"description", Nullable(String())},
                          {"agency_responsible", Nullable(String())},
                          {"service_notice", Nullable(String())},
                          {"requested_datetime", NullableTime()},
                          {"updated_datetime", NullableTime()},
                          {"expected_datetime", NullableTime()},
                          {"address", String()},
                          {"address_id", {{"type", "null"}}},
                          {"zipcode", {{"type", "null"}}},
                          {"lat", Nullable(Number())},
                          {"long", Nullable(Number())},
                          {"media_url", {{"type", "null"}}}},
                         {"service_request_id", "status", "status_notes", "service_name",
                          "service_code", "description", "agency_responsible", "service_notice",
                          "requested_datetime", "updated_datetime", "expected_datetime", "address",
                          "address_id", "zipcode", "lat", "long", "media_url"}),
                  "service_requests", "request");
}

json::Json Open311Created() {
  return XmlArray(Object({{"service_request_id", String(1)}, {"service_notice", String()}},
                         {"service_request_id", "service_notice"}),
                  "service_requests", "request");
}

json::Json Open311Token() {
  return XmlArray(Object({{"service_request_id", String(1)}, {"token", String(1)}},
                         {"service_request_id", "token"}),
                  "service_requests", "request");
}

json::Json Open311Errors() {
  return XmlArray(Object({{"code", Integer()}, {"description", String()}}, {"code", "description"}),
                  "errors", "error");
}

// The POST body (application/x-www-form-urlencoded); empty fields count as
// not sent, and query parameters fill what the body lacks.
json::Json Open311NewRequest() {
  return Object({{"jurisdiction_id", String()},
                 {"api_key", String(1)},
                 {"service_code", String(1)},
                 {"lat", Number()},
                 {"long", Number()},
                 {"address_string", String()},
                 {"address_id", String()},
                 {"description", String(0, 4000)},
                 {"media_url", {{"type", "string"}, {"format", "uri"}, {"maxLength", 500}}},
                 {"first_name", String()},
                 {"last_name", String()},
                 {"phone", String()}},
                {"service_code"}, false);
}

// --- the pipeline ----------------------------------------------------------------

json::Json ErrorSchema() {  // errors.h: the one error body
  return Object(
      {{"error", Object({{"code", ErrorCodes()},
                         {"message", String(1)},
                         {"field", String(1)},
                         {"reason", String(1)},
                         {"details",
                          ArrayOf(Object(
                              {{"field", String(1)}, {"reason", String(1)}, {"message", String(1)}},
                              {"field", "reason", "message"}))}},
                        {"code", "message"})}},
      {"error"});
}

json::Json LiveMessage() {  // live.cc: what the socket sends
  return {
      {"oneOf",
       {Object({{"type", {{"const", "request"}}},
                {"request_id", Id()},
                {"action", {{"type", "string"}, {"pattern", "^request\\."}}}},
               {"type", "request_id", "action"}),
        // collab (live.h): a hint to reload what the page shows of it.
        Object({{"type", {{"const", "channel"}}},
                {"channel_id", Id()},
                {"seq", {{"type", "integer"}, {"minimum", 0}}}},
               {"type", "channel_id", "seq"}),
        Object({{"type", {{"enum", json::Json::array({"directive", "receipt"})}}},
                {"directive_id", Id()}},
               {"type", "directive_id"}),
        Object({{"type", {{"const", "taskforce"}}}, {"force_id", Id()}}, {"type", "force_id"})}}};
}

json::Json Build() {
  return {{"Error", ErrorSchema()},
          {"UnitKind", UnitKindEnum()},
          {"Role", RoleEnum()},
          {"AccountKind", AccountKindEnum()},
          {"HandlerLevel", HandlerLevelEnum()},
          {"Tier", TierEnum()},
          {"LimitUnit", LimitUnitEnum()},
          {"Channel", ChannelEnum()},
          {"Status", StatusEnum()},
          {"Satisfaction", SatisfactionEnum()},
          {"Command", CommandEnum()},
          {"ErrorCode", ErrorCodeEnum()},
          {"Membership", Membership()},
          {"Unit", Unit()},
          {"UnitList", Page(Ref("Unit"))},
          {"UnitMap", UnitMap()},
          {"Account", Account()},
          {"AccountList", Page(Ref("Account"))},
          {"Principal", Principal()},
          {"Login", Login()},
          {"LoginBody", LoginBody()},
          {"NewUnit", NewUnit()},
          {"NewAccount", NewAccount()},
          {"AccountUpdate", AccountUpdate()},
          {"NewMembership", NewMembership()},
          {"Limit", Limit()},
          {"Matter", Matter()},
          {"MatterList", Object({{"items", ArrayOf(Ref("Matter"))}}, {"items"})},
          {"MatterSuggestions",
           Object({{"items", ArrayOf(Object({{"matter", Ref("Matter")}, {"confidence", Number()}},
                                            {"matter", "confidence"}))}},
                  {"items"})},
          {"NewMatter", MatterFields(true)},
          {"MatterUpdate", MatterFields(false)},
          {"MatterRef", MatterRef()},
          {"Place", Place()},
          {"Request", RequestSchema()},
          {"Suggestion", Suggestion()},
          {"Summons", Summons()},
          {"RequestDetail", RequestDetail()},
          {"RequestList", RequestList()},
          {"IntakeResult", IntakeResult()},
          {"Intake", Intake()},
          {"Preview", Preview()},
          {"CommandBody", Object(CommandProperties(), {})},
          {"CommandResult", Object({{"request", Ref("Request")}}, {"request"})},
          {"Timeline", Timeline()},
          {"Tracking", Tracking()},
          {"Supervision", Supervision()},
          {"FileInfo", FileInfo()},
          {"Ranking", Ranking()},
          {"Trend", Trend()},
          {"GridCounts", GridCounts()},
          {"PlaceCounts", PlaceCounts()},
          {"Deployed", Deployed()},
          {"Definition", Definition()},
          {"DefinitionDetail", DefinitionDetail()},
          {"Instance", WorkflowInstance()},
          {"Task", WorkflowTask()},
          {"Job", WorkflowJob()},
          {"Incident", WorkflowIncident()},
          {"WorkflowError", WorkflowError()},
          {"Hotspots", Hotspots()},
          {"Calendar", Calendar()},
          {"LiveMessage", LiveMessage()},
          {"Open311Discovery", Open311Discovery()},
          {"Open311Services", Open311Services()},
          {"Open311ServiceDefinition", Open311ServiceDefinition()},
          {"Open311ServiceRequests", Open311ServiceRequests()},
          {"Open311Created", Open311Created()},
          {"Open311Token", Open311Token()},
          {"Open311Errors", Open311Errors()},
          {"Open311NewRequest", Open311NewRequest()}};
}

}  // namespace

const json::Json& ComponentSchemas() {
  static const json::Json schemas = [] {
    json::Json all = Build();
    // Newer modules keep their schemas beside their encoders.
    const json::Json services = ServicesSchemas();
    for (const auto& [name, schema] : services.items()) all[name] = schema;
    const json::Json exchange = ExchangeSchemas();
    for (const auto& [name, schema] : exchange.items()) all[name] = schema;
    const json::Json collab = CollabSchemas();
    for (const auto& [name, schema] : collab.items()) all[name] = schema;
    const json::Json forms = ReportFormSchemas();
    for (const auto& [name, schema] : forms.items()) all[name] = schema;
    const json::Json notify = NotifySchemas();
    for (const auto& [name, schema] : notify.items()) all[name] = schema;
    const json::Json incident = IncidentSchemas();
    for (const auto& [name, schema] : incident.items()) all[name] = schema;
    const json::Json crowd = CrowdReportSchemas();
    for (const auto& [name, schema] : crowd.items()) all[name] = schema;
    const json::Json warnings = WarningSchemas();
    for (const auto& [name, schema] : warnings.items()) all[name] = schema;
    const json::Json points = PointsSchemas();
    for (const auto& [name, schema] : points.items()) all[name] = schema;
    const json::Json deliberation = DeliberationSchemas();
    for (const auto& [name, schema] : deliberation.items()) all[name] = schema;
    const json::Json forecast = ForecastSchemas();
    for (const auto& [name, schema] : forecast.items()) all[name] = schema;
    const json::Json evaluation = EvaluationSchemas();
    for (const auto& [name, schema] : evaluation.items()) all[name] = schema;
    const json::Json capacity = CapacitySchemas();
    for (const auto& [name, schema] : capacity.items()) all[name] = schema;
    const json::Json routing = RoutingSchemas();
    for (const auto& [name, schema] : routing.items()) all[name] = schema;
    return all;
  }();
  return schemas;
}

json::Json CommandBodySchema(requests::Command command) {
  using requests::Command;
  // Which fields a command reads, and which of them it needs, as
  // RequestService::Apply reads them; a new command fails to compile here.
  std::vector<std::string> reads, needs;
  switch (command) {
    case Command::kDispatch:  // reason: when unit_id overrides the computed route
      reads = {"matter_id", "unit_id", "reason"};
      break;
    case Command::kTransfer:
      reads = {"matter_id", "unit_id", "reason"};
      needs = {"reason"};
      break;
    case Command::kSign:
    case Command::kApproveReturn:
    case Command::kApproveExtension:
      break;
    case Command::kHandle:
      reads = needs = {"text"};
      break;
    case Command::kReply:  // attachment_ids: photos after handling (处置后照片)
      reads = {"text", "attachment_ids"};
      needs = {"text"};
      break;
    case Command::kRequestReturn:
    case Command::kRejectReturn:
    case Command::kRejectExtension:
    case Command::kUrge:
      reads = needs = {"reason"};
      break;
    case Command::kRequestExtension:
      reads = needs = {"reason", "days"};
      break;
    case Command::kMerge:
      reads = needs = {"parent_id"};
      break;
    case Command::kCallback:  // text: the resident's words
      reads = {"resolved", "satisfaction", "text"};
      needs = {"resolved", "satisfaction"};
      break;
    case Command::kClose:
      reads = {"reason"};
      break;
    case Command::kReopen:
      reads = {"reason", "matter_id"};
      needs = {"reason"};
      break;
    case Command::kSummon:
      reads = needs = {"reason", "department_ids"};
      break;
    case Command::kReport:  // summons_id: when more than one of the caller's is pending
      reads = {"text", "summons_id"};
      needs = {"text"};
      break;
  }
  const json::Json all = CommandProperties();
  json::Json properties = json::Json::object();
  for (const auto& name : reads) {
    json::Json p = all.at(name);
    // A needed field must be there and not null (nor an empty text).
    if (std::find(needs.begin(), needs.end(), name) != needs.end()) {
      if (p.contains("anyOf")) p = json::Json(p["anyOf"][0]);
      if (p.contains("type") && p["type"].is_array()) p["type"] = json::Json(p["type"][0]);
      if (p.value("type", "") == "string") p["minLength"] = 1;
      if (p.value("type", "") == "array") p["minItems"] = 1;
    }
    properties[name] = std::move(p);
  }
  json::Json schema = doc::Object(std::move(properties), std::move(needs));
  schema["title"] = requests::CommandName(command);
  return schema;
}

}  // namespace xietong::http
