#include "exchange/dcat.h"

#include <fmt/core.h>

#include <map>
#include <set>

#include "core/json.h"

namespace xietong::exchange {
namespace {

constexpr std::string_view kEu = "http://publications.europa.eu/resource/authority/";

const std::vector<std::pair<std::string_view, std::string_view>>& Prefixes() {
  static const std::vector<std::pair<std::string_view, std::string_view>> p = {
      {"dcat", "http://www.w3.org/ns/dcat#"},
      {"dct", "http://purl.org/dc/terms/"},
      {"foaf", "http://xmlns.com/foaf/0.1/"},
      {"xsd", "http://www.w3.org/2001/XMLSchema#"},
      {"skos", "http://www.w3.org/2004/02/skos/core#"},
      {"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
      {"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
      {"xt", "https://xietong.example/ns/exchange#"},
  };
  return p;
}

// An RDF term: an IRI, or a literal with a language or a datatype.
struct Term {
  enum Kind { kIri, kLiteral } kind = kIri;
  std::string value;
  std::string lang = {};      // literals: "zh", "en" or ""
  std::string datatype = {};  // literals: a prefixed name such as "xsd:dateTime", or ""
};
Term Iri(std::string v) { return {Term::kIri, std::move(v)}; }
Term Lit(std::string v, std::string lang = {}) { return {Term::kLiteral, std::move(v), lang}; }
Term Typed(std::string v, std::string dt) {
  return {Term::kLiteral, std::move(v), {}, std::move(dt)};
}

// Triples grouped by subject, in the order they were added.
class Graph {
 public:
  void Add(const std::string& s, std::string p, Term o) {
    if (!index_.contains(s)) {
      index_[s] = nodes_.size();
      nodes_.push_back({s, {}});
    }
    nodes_[index_[s]].second.push_back({std::move(p), std::move(o)});
  }
  void Type(const std::string& s, std::string cls) { Add(s, "rdf:type", Iri(std::move(cls))); }
  const auto& nodes() const { return nodes_; }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, Term>>>> nodes_;
};

std::string Expand(std::string_view name) {  // "dcat:Dataset" → full IRI; full IRIs as they are
  const auto colon = name.find(':');
  if (colon != std::string_view::npos)
    for (const auto& [p, iri] : Prefixes())
      if (name.substr(0, colon) == p) return fmt::format("{}{}", iri, name.substr(colon + 1));
  return std::string(name);
}

std::string DateTime(Timestamp t) {
  const std::time_t tt = static_cast<std::time_t>(t / kMicrosPerSecond);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string_view AccessRight(Share s) {
  switch (s) {
    case Share::kUnconditional:
      return "PUBLIC";
    case Share::kConditional:
      return "RESTRICTED";
    case Share::kNone:
      return "NON_PUBLIC";
  }
  return "NON_PUBLIC";
}

std::string_view Frequency(Cycle c) {
  switch (c) {
    case Cycle::kRealtime:
      return "UPDATE_CONT";
    case Cycle::kDaily:
      return "DAILY";
    case Cycle::kWeekly:
      return "WEEKLY";
    case Cycle::kMonthly:
      return "MONTHLY";
    case Cycle::kQuarterly:
      return "QUARTERLY";
    case Cycle::kYearly:
      return "ANNUAL";
  }
  return "MONTHLY";
}

Graph Build(const CatalogInfo& info, const std::vector<Resource>& resources) {
  Graph g;
  const std::string base = info.base_url + "/api/v1/exchange";
  const std::string catalog = base + "/catalog";
  const std::string service = base + "/gateway";
  auto agent = [&](const std::string& unit_id) {
    return info.base_url + "/api/v1/org/units/" + unit_id;
  };
  std::set<std::string> vocab;  // EU terms used, declared at the end
  auto eu = [&](std::string_view scheme, std::string_view code) {
    std::string iri = fmt::format("{}{}/{}", kEu, scheme, code);
    vocab.insert(fmt::format("{}|{}|{}", scheme, code, iri));
    return iri;
  };

  g.Type(catalog, "dcat:Catalog");
  g.Add(catalog, "dct:title", Lit(info.title_zh, "zh"));
  g.Add(catalog, "dct:title", Lit(info.title_en, "en"));
  g.Add(catalog, "dct:description", Lit(info.description_zh, "zh"));
  g.Add(catalog, "dct:description", Lit(info.description_en, "en"));
  g.Add(catalog, "dct:publisher", Iri(agent(info.publisher_id)));
  g.Add(catalog, "dct:language", Iri(eu("language", "ZHO")));
  g.Add(catalog, "dct:modified", Typed(DateTime(info.modified), "xsd:dateTime"));
  g.Add(catalog, "dcat:service", Iri(service));
  g.Type(agent(info.publisher_id), "foaf:Agent");
  g.Add(agent(info.publisher_id), "foaf:name", Lit(info.publisher_name, "zh"));

  g.Type(service, "dcat:DataService");
  g.Add(service, "dct:title", Lit("江澜市数据共享网关", "zh"));
  g.Add(service, "dct:title", Lit("Jianglan data sharing gateway", "en"));
  g.Add(service, "dct:description",
        Lit("按授权返回记录：仅授权字段，按规则脱敏，每次应答写入审计链。", "zh"));
  g.Add(service, "dcat:endpointURL", Iri(base + "/"));
  g.Type(base + "/", "rdfs:Resource");
  g.Add(service, "dcat:endpointDescription", Iri(info.base_url + "/api/v1/openapi.json"));
  g.Type(info.base_url + "/api/v1/openapi.json", "rdfs:Resource");
  g.Add(service, "dct:accessRights", Iri(eu("access-right", "RESTRICTED")));
  g.Add(service, "dct:publisher", Iri(agent(info.publisher_id)));

  std::set<std::string> agents = {info.publisher_id};
  for (const auto& r : resources) {
    const std::string ds = base + "/resources/" + r.id;
    const std::string dist = ds + "/distribution";
    const std::string access = ds + "/records/";
    g.Add(catalog, "dcat:dataset", Iri(ds));
    g.Add(service, "dcat:servesDataset", Iri(ds));
    g.Type(ds, "dcat:Dataset");
    g.Add(ds, "dct:title", Lit(r.title, "zh"));
    g.Add(ds, "dct:description", Lit(r.description, "zh"));
    g.Add(ds, "dct:identifier", Lit(r.code));
    g.Add(ds, "dct:publisher", Iri(agent(r.owner_unit_id)));
    g.Add(ds, "dct:accessRights", Iri(eu("access-right", AccessRight(r.share))));
    g.Add(ds, "dct:accrualPeriodicity", Iri(eu("frequency", Frequency(r.cycle))));
    g.Add(ds, "dct:language", Iri(eu("language", "ZHO")));
    g.Add(ds, "dct:issued", Typed(DateTime(r.created_at), "xsd:dateTime"));
    g.Add(ds, "dct:modified",
          Typed(DateTime(std::max(r.updated_at, r.last_import_at)), "xsd:dateTime"));
    for (const auto& k : r.keywords) g.Add(ds, "dcat:keyword", Lit(k, "zh"));
    // What DCAT-AP has no term for, in the platform's own namespace.
    g.Add(ds, "xt:shareAttribute", Lit(std::string(ShareName(r.share))));
    g.Add(ds, "xt:openAttribute", Lit(std::string(OpennessName(r.openness))));
    g.Add(ds, "xt:grade", Lit(std::string(GradeName(EffectiveGrade(r)))));
    g.Add(ds, "xt:updateCycle", Lit(std::string(CycleName(r.cycle))));
    if (r.share != Share::kNone) {
      g.Add(ds, "dcat:distribution", Iri(dist));
      g.Type(dist, "dcat:Distribution");
      g.Add(dist, "dct:title", Lit(r.title + "（共享网关）", "zh"));
      g.Add(dist, "dcat:accessURL", Iri(access));
      g.Type(access, "rdfs:Resource");
      g.Add(dist, "dcat:accessService", Iri(service));
      g.Add(dist, "dct:format", Iri(eu("file-type", "JSON")));
      g.Add(dist, "dct:rights", Iri(eu("access-right", AccessRight(r.share))));
    }
    agents.insert(r.owner_unit_id);
    if (!r.owner_name.empty() || r.owner_unit_id != info.publisher_id) {
      g.Type(agent(r.owner_unit_id), "foaf:Agent");
      g.Add(agent(r.owner_unit_id), "foaf:name",
            Lit(r.owner_name.empty() ? r.owner_unit_id : r.owner_name, "zh"));
    }
  }
  for (const auto& v : vocab) {
    const auto a = v.find('|'), b = v.find('|', a + 1);
    const std::string scheme = v.substr(0, a), code = v.substr(a + 1, b - a - 1),
                      iri = v.substr(b + 1);
    const std::string cls = scheme == "access-right" ? "dct:RightsStatement"
                            : scheme == "frequency"  ? "dct:Frequency"
                            : scheme == "language"   ? "dct:LinguisticSystem"
                                                     : "dct:MediaTypeOrExtent";
    g.Type(iri, cls);
    g.Type(iri, "skos:Concept");
    g.Add(iri, "skos:prefLabel", Lit(code));
    g.Add(iri, "skos:inScheme", Iri(fmt::format("{}{}", kEu, scheme)));
  }
  return g;
}

std::string TurtleString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20)
          out += fmt::format("\\u{:04X}", static_cast<unsigned char>(ch));
        else
          out.push_back(ch);
    }
  }
  return out + "\"";
}

std::string TurtleTerm(const Term& t) {
  if (t.kind == Term::kIri) {
    // Prefixed names stay prefixed; full IRIs go in <>.
    for (const auto& [p, iri] : Prefixes())
      if (t.value.starts_with(std::string(p) + ":")) return t.value;
    return "<" + t.value + ">";
  }
  std::string out = TurtleString(t.value);
  if (!t.lang.empty()) out += "@" + t.lang;
  if (!t.datatype.empty()) out += "^^" + t.datatype;
  return out;
}

}  // namespace

std::string CatalogTurtle(const CatalogInfo& info, const std::vector<Resource>& resources) {
  const Graph g = Build(info, resources);
  std::string out;
  for (const auto& [p, iri] : Prefixes()) out += fmt::format("@prefix {}: <{}> .\n", p, iri);
  for (const auto& [subject, props] : g.nodes()) {
    out += "\n<" + subject + ">";
    for (std::size_t i = 0; i < props.size(); ++i) {
      const auto& [p, o] = props[i];
      out += fmt::format("{}\n    {} {}", i == 0 ? "" : " ;", p == "rdf:type" ? "a" : p,
                         TurtleTerm(o));
    }
    out += " .\n";
  }
  return out;
}

std::string CatalogJsonLd(const CatalogInfo& info, const std::vector<Resource>& resources) {
  const Graph g = Build(info, resources);
  json::Json context = json::Json::object();
  for (const auto& [p, iri] : Prefixes()) context[std::string(p)] = iri;
  json::Json graph = json::Json::array();
  for (const auto& [subject, props] : g.nodes()) {
    json::Json node = {{"@id", subject}};
    for (const auto& [p, o] : props) {
      if (p == "rdf:type") {
        node["@type"].push_back(o.value);
        continue;
      }
      json::Json value;
      if (o.kind == Term::kIri) {
        value = {{"@id", Expand(o.value)}};
      } else {
        value = {{"@value", o.value}};
        if (!o.lang.empty()) value["@language"] = o.lang;
        if (!o.datatype.empty()) value["@type"] = o.datatype;
      }
      node[p].push_back(std::move(value));
    }
    graph.push_back(std::move(node));
  }
  return json::Json{{"@context", std::move(context)}, {"@graph", std::move(graph)}}.dump(
      2, ' ', false, json::Json::error_handler_t::replace);
}

}  // namespace xietong::exchange
