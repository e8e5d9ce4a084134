// Routes of 数据按需共享: the catalogue and its DCAT-AP 3.0 export (public),
// data elements, publishing and importing resources (CSV, UTF-8 or GBK, up
// to 64 MiB), grade changes, access requests and their decisions, grants,
// the gateway (GET one record, POST a batch; X-Purpose names the grant's
// purpose), usage figures, quality scorecards, and the resident's own
// data-use log (JSON or CSV). Thin: parse, call ExchangeService, encode.
#pragma once

#include <string>

#include "exchange/exchange_service.h"
#include "http/api.h"

namespace xietong::http {

// Imports are the one exchange body larger than a JSON command.
inline constexpr std::string_view kExchangeImportPrefix = "/api/v1/exchange/resources/";

void RegisterExchangeRoutes(Api& api, exchange::ExchangeService& exchange, std::string base_url);

// components.schemas of the routes above, merged into the OpenAPI document.
json::Json ExchangeSchemas();

}  // namespace xietong::http
