#include "text/corpus.h"

#include <fmt/core.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/csv.h"
#include "text/utf8.h"

namespace xietong::text {

Result<Corpus> ReadCorpus(const std::string& path, std::span<const std::string> text_columns,
                          const std::string& label_column) {
  if (text_columns.empty())
    return Fail(Error::InvalidArgument("name at least one text column (--text TITLE,BODY)"));
  XT_ASSIGN_OR_RETURN(csv::Table table, csv::Table::Open(path));
  std::vector<std::size_t> columns;
  for (const auto& name : text_columns) {
    XT_ASSIGN_OR_RETURN(const std::size_t c, table.Column(name));
    columns.push_back(c);
  }
  std::optional<std::size_t> label;
  if (!label_column.empty()) {
    XT_ASSIGN_OR_RETURN(label, table.Column(label_column));
  }
  Corpus corpus;
  for (;;) {
    XT_ASSIGN_OR_RETURN(auto row, table.Next());
    if (!row) break;
    if (label && (*row)[*label].find_first_not_of(" \t\r\n") == std::string::npos) continue;
    std::vector<std::string> fields;
    for (std::size_t c : columns) fields.push_back(std::move((*row)[c]));
    corpus.documents.push_back(std::move(fields));
    if (label) corpus.labels.push_back(std::move((*row)[*label]));
    corpus.lines.push_back(table.reader().line());
  }
  return corpus;
}

Result<Corpus> ReadLabelNames(const std::string& path) {
  XT_ASSIGN_OR_RETURN(csv::Table table, csv::Table::Open(path));
  if (table.header().size() < 2)
    return Fail(Error::InvalidArgument(fmt::format(
        "{} needs at least two columns: a first-level category and its sub-categories", path)));
  // (first level, second level) → third-level names, in file order.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> tree;
  for (;;) {
    XT_ASSIGN_OR_RETURN(auto row, table.Next());
    if (!row) break;
    if ((*row)[0].empty() || (*row)[1].empty()) continue;
    auto& leaves = tree[{(*row)[0], (*row)[1]}];
    if (row->size() > 2 && !(*row)[2].empty()) leaves.push_back((*row)[2]);
  }
  Corpus corpus;
  for (const auto& [key, leaves] : tree) {
    std::string body;
    for (const auto& leaf : leaves) body += (body.empty() ? "" : "，") + leaf;
    corpus.documents.push_back({key.second, body});
    corpus.labels.push_back(key.first);
    corpus.lines.push_back(0);
  }
  return corpus;
}

std::string_view ReplyClass(std::string_view reply) {
  struct Rule {
    std::string_view label;
    std::vector<std::string_view> names;
  };
  static const std::vector<Rule> kRules = {
      {"教育文体", {"教育局", "教育厅", "文体", "文化旅游", "体育局", "文旅"}},
      {"劳动和社会保障",
       {"人社局", "人力资源和社会保障", "人力资源社会保障", "社保", "医保局", "医疗保障"}},
      {"城乡建设",
       {"住建", "住房和城乡建设", "城管", "城市管理", "规划", "国土", "自然资源", "房屋交易",
        "住房保障", "不动产"}},
      {"环境保护", {"环保", "环境保护", "生态环境"}},
      {"交通运输", {"交通运输", "交通局", "公路", "运管", "公交"}},
      {"卫生计生", {"卫生", "卫健", "计生", "疾控"}},
      {"商贸旅游", {"商务局", "工商", "物价", "市场监督", "市场监管", "旅游局", "发改"}},
  };
  std::string_view found;
  for (const auto& rule : kRules)
    for (std::string_view name : rule.names)
      if (reply.find(name) != std::string_view::npos) {
        if (!found.empty()) return {};  // two classes: no label
        found = rule.label;
        break;
      }
  return found;
}

Result<Corpus> ReadReplyLabels(const std::string& path, std::span<const std::string> text_columns,
                               const std::string& reply_column) {
  std::vector<std::string> columns(text_columns.begin(), text_columns.end());
  columns.push_back(reply_column);
  XT_ASSIGN_OR_RETURN(Corpus all, ReadCorpus(path, columns, ""));
  Corpus out;
  for (std::size_t i = 0; i < all.documents.size(); ++i) {
    auto& fields = all.documents[i];
    const std::string_view label = ReplyClass(fields.back());
    if (label.empty()) continue;
    fields.pop_back();
    out.documents.push_back(std::move(fields));
    out.labels.emplace_back(label);
    out.lines.push_back(all.lines[i]);
  }
  return out;
}

Result<PreparedDocument> Prepare(const Normalizer& normalizer, const FeatureExtractor& extractor,
                                 std::span<const std::string> fields) {
  PreparedDocument doc;
  std::vector<std::u32string> folded;
  folded.reserve(fields.size());
  for (std::size_t f = 0; f < fields.size(); ++f) {
    auto n = normalizer.NormalizeCodePoints(fields[f]);
    if (!n) {
      n.error().message = fmt::format("text field {}: {}", f + 1, n.error().message);
      return Fail(std::move(n.error()));
    }
    doc.truncated = doc.truncated || n->truncated;
    if (f > 0) doc.text.push_back('\n');
    doc.text += EncodeUtf8(n->text);
    folded.push_back(std::move(n->text));
  }
  doc.keys = extractor.Extract(folded);
  return doc;
}

Result<std::vector<PreparedDocument>> PrepareAll(
    const Normalizer& normalizer, const FeatureExtractor& extractor, const Corpus& corpus,
    int threads, const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::size_t n = corpus.documents.size();
  std::vector<PreparedDocument> out(n);
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex mutex;
  std::optional<Error> first_error;
  auto work = [&](bool report) {
    for (std::size_t i = next++; i < n; i = next++) {
      auto doc = Prepare(normalizer, extractor, corpus.documents[i]);
      if (doc) {
        out[i] = std::move(*doc);
      } else {
        std::lock_guard lock(mutex);
        if (!first_error)
          first_error = Error{doc.error().code,
                              fmt::format("line {}: {}", corpus.lines[i], doc.error().message)};
      }
      ++done;
      if (report && progress) progress(done.load(), n);
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(work, false);
  work(true);
  for (auto& w : workers) w.join();
  if (progress) progress(done.load(), n);
  if (first_error) return Fail(std::move(*first_error));
  return out;
}

}  // namespace xietong::text
