// The catalogue as DCAT-AP 3.0 (GET /api/v1/exchange/catalog.jsonld and
// .ttl): one dcat:Catalog published by the city, a dcat:Dataset per
// resource (publisher: its owner unit as a foaf:Agent), a dcat:Distribution
// per resource reached through the gateway, and the gateway itself as a
// dcat:DataService. dct:accessRights comes from the share attribute
// (无条件 → PUBLIC, 有条件 → RESTRICTED, 不予共享 → NON_PUBLIC), update
// cycles map to the EU frequency vocabulary, and every vocabulary term used
// is declared with its class, label and scheme, since SHACL validators do
// not infer types. Both serialisations are written from the same triples,
// so they are the same graph. Metadata only, never data. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "exchange/catalog.h"

namespace xietong::exchange {

struct CatalogInfo {
  std::string base_url;  // "http://127.0.0.1:8080", no trailing slash
  std::string title_zh = "江澜市政务数据资源目录";
  std::string title_en = "Jianglan government data catalogue";
  std::string description_zh =
      "江澜市各部门的政务数据资源，按共享属性申请使用，每次调用均留痕可证。";
  std::string description_en =
      "Data resources of Jianglan's departments, shared on request; every use is on the audit "
      "chain.";
  std::string publisher_id, publisher_name;  // the city (root unit)
  Timestamp modified = 0;
};

std::string CatalogJsonLd(const CatalogInfo& info, const std::vector<Resource>& resources);
std::string CatalogTurtle(const CatalogInfo& info, const std::vector<Resource>& resources);

}  // namespace xietong::exchange
