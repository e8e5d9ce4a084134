// The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the API sends
// and takes: the reusable components ("Request", "Account", "Error", …), each
// mirroring the encoder that writes it (RequestJson, AccountJson,
// FileInfoJson, MatterJson, …) field for field, and the small builders the
// handlers' RouteDocs are written with. Enumerations are taken from the
// domain's name functions. Pure; the components are built once, then
// read-only: thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "http/router.h"
#include "requests/lifecycle.h"

namespace xietong::http {

// components.schemas of the OpenAPI document: name → schema.
const json::Json& ComponentSchemas();

// The body of a command, POST /api/v1/requests/{id}/{command}: which of the
// CommandBody fields that command reads and which it needs (mirrors
// RequestService::Apply).
json::Json CommandBodySchema(requests::Command command);

namespace doc {

// {"$ref": "#/components/schemas/<name>"}.
json::Json Ref(std::string_view component);
// The schema or null: a "type" gains "null" (and an "enum" the value null);
// anything else becomes anyOf [schema, {"type": "null"}].
json::Json Nullable(json::Json schema);
// Strings, their length in characters (code points); max 0: no limit.
json::Json String(std::size_t min_chars = 0, std::size_t max_chars = 0);
json::Json Enum(std::vector<std::string> values);
json::Json Integer();
json::Json IntegerIn(std::int64_t min, std::int64_t max);
json::Json Number();
json::Json Boolean();
json::Json DateTime();  // RFC 3339 with offset
json::Json ArrayOf(json::Json items);
// An object with these properties, of which `required` must be present;
// closed: no other property (additionalProperties: false).
json::Json Object(json::Json properties, std::vector<std::string> required, bool closed = true);

// {"items": [schema…]}: how every list is answered.
json::Json ItemsOf(json::Json schema);

// A JSON body, sent or answered.
BodyDoc Json(json::Json schema);
// A success answered as JSON.
AnswerDoc Ok(json::Json schema, int status = 200, std::vector<ParamDoc> headers = {});
// 204 No Content.
AnswerDoc NoContent(std::string description);

// Parameters and headers that recur.
ParamDoc PathId(std::string name, std::string what);
ParamDoc QueryParam(std::string name, std::string description, json::Json schema = String(),
                    bool required = false);
ParamDoc Limit(int max = 500, int default_value = 50);
ParamDoc Cursor();
ParamDoc IfMatch(bool required);
ParamDoc IdempotencyKey();
ParamDoc ETag();
ParamDoc Location();

}  // namespace doc
}  // namespace xietong::http
