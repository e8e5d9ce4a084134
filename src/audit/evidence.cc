#include "audit/evidence.h"

#include <fmt/core.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>
#include <variant>
#include <vector>

#include "audit/audit_log.h"
#include "audit/verify.h"
#include "core/json.h"

namespace xietong::audit {
namespace {

namespace od = simdjson::ondemand;

// The bytes the header's signature covers: the range it announces, as numbers
// (the header writes the times as RFC 3339 text, which the verifier parses).
// Seqs start at 1, so 0 stands for "none" (an empty package).
std::string HeaderMessage(Timestamp exported_at, const std::optional<Timestamp>& from,
                          const std::optional<Timestamp>& to, std::int64_t first_seq,
                          std::int64_t last_seq) {
  auto time = [](const std::optional<Timestamp>& t) {
    return t ? std::to_string(*t) : std::string();
  };
  auto seq = [](std::int64_t n) { return n > 0 ? std::to_string(n) : std::string(); };
  return fmt::format(
      "xietong audit evidence\nformat={}\nexported_at={}\nfrom={}\nto={}\nfirst_seq={}\n"
      "last_seq={}\n",
      kEvidenceFormat, exported_at, time(from), time(to), seq(first_seq), seq(last_seq));
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A stored hash or signature as a JSON string. They are hex, which needs no
// escaping; a damaged row is escaped, so that its line stays JSON and the
// verifier names its event instead of a malformed line.
void AppendHexString(std::string& out, std::string_view hex) {
  if (IsLowerHex(hex)) {
    out += '"';
    out += hex;
    out += '"';
  } else {
    out += json::Json(std::string(hex)).dump(-1, ' ', false, json::Json::error_handler_t::replace);
  }
}

std::string TimeOrNull(const std::optional<Timestamp>& t) {
  return t ? fmt::format("\"{}\"", FormatRfc3339(*t)) : std::string("null");
}

std::string SeqOrNull(std::int64_t seq) { return seq > 0 ? std::to_string(seq) : "null"; }

// The seq of the first (or, with last, the last) event within the range's
// seq bounds whose time satisfies time_condition; nullopt when there is none.
Result<std::optional<std::int64_t>> EdgeSeq(storage::Executor& ex, const ExportRange& range,
                                            std::string_view time_condition,
                                            std::optional<Timestamp> time, bool last) {
  std::string sql = "SELECT seq FROM audit_events WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (range.first_seq) {
    sql += " AND seq >= ?";
    params.emplace_back(*range.first_seq);
  }
  if (range.last_seq) {
    sql += " AND seq <= ?";
    params.emplace_back(*range.last_seq);
  }
  if (time) {
    sql += fmt::format(" AND at {} ?", time_condition);
    params.emplace_back(*time);
  }
  sql += last ? " ORDER BY seq DESC LIMIT 1" : " ORDER BY seq LIMIT 1";
  XT_ASSIGN_OR_RETURN(auto rows, ex.Query(sql, storage::Params(params)));
  if (rows.empty()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{rows[0].Int(0)};
}

struct CheckpointRow {
  std::int64_t seq, signed_at;
  std::string hash, signature;
};

}  // namespace

Result<ExportReport> ExportEvidence(storage::Database& db, const SigningKey& key, Timestamp now,
                                    const ExportRange& range, std::ostream& out) {
  if (range.from && range.to && *range.from > *range.to)
    return Fail(Error::InvalidArgument("the range's start (from) is after its end (to)"));
  if (range.first_seq && range.last_seq && *range.first_seq > *range.last_seq)
    return Fail(Error::InvalidArgument("the range's first seq is after its last seq"));
  XT_TRY_VOID(Checkpoint(db, key, now));
  const std::string public_key = key.PublicKeyHex();
  return db.Read([&](storage::Executor& ex) -> Result<ExportReport> {
    ExportReport report;
    XT_ASSIGN_OR_RETURN(auto first, EdgeSeq(ex, range, ">=", range.from, false));
    XT_ASSIGN_OR_RETURN(auto last, EdgeSeq(ex, range, "<", range.to, true));
    std::vector<CheckpointRow> checkpoints;
    if (first && last && *first <= *last) {
      report.first_seq = *first;
      report.last_seq = *last;
      XT_ASSIGN_OR_RETURN(auto cover, ex.QueryOne("SELECT seq FROM audit_checkpoints"
                                                  " WHERE seq >= ? AND public_key = ?"
                                                  " ORDER BY seq LIMIT 1",
                                                  {*last, public_key}));
      if (!cover)
        return Fail(Error::Conflict(fmt::format(
            "no checkpoint signed by this instance's key covers event {} (the head was signed "
            "by another key); export again after the next event is recorded",
            *last)));
      report.signed_seq = cover->Int(0);
      XT_ASSIGN_OR_RETURN(auto rows, ex.Query("SELECT seq, signed_at, hash, signature"
                                              " FROM audit_checkpoints WHERE seq >= ?"
                                              " AND seq <= ? AND public_key = ? ORDER BY seq",
                                              {*first, report.signed_seq, public_key}));
      for (const auto& r : rows) checkpoints.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3)});
    }
    const std::string header = fmt::format(
        "{{\"format\":\"{}\",\"exported_at\":\"{}\",\"from\":{},\"to\":{},\"first_seq\":{},"
        "\"last_seq\":{},\"public_key\":\"{}\",\"signature\":\"{}\"}}\n",
        kEvidenceFormat, FormatRfc3339(now), TimeOrNull(range.from), TimeOrNull(range.to),
        SeqOrNull(report.first_seq), SeqOrNull(report.last_seq), public_key,
        key.Sign(HeaderMessage(now, range.from, range.to, report.first_seq, report.last_seq)));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    report.bytes += static_cast<std::int64_t>(header.size());

    if (report.first_seq > 0) {
      std::optional<Error> failed;
      std::string canonical, line;  // reused for every event
      std::int64_t expect = report.first_seq;
      auto next_checkpoint = checkpoints.begin();
      XT_TRY_VOID(ex.QueryEach(
          "SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM audit_events"
          " WHERE seq >= ? AND seq <= ? ORDER BY seq",
          storage::Params(
              std::initializer_list<storage::Value>{report.first_seq, report.signed_seq}),
          [&](const storage::Row& r) {
            const std::int64_t seq = r.Int(0);
            if (seq != expect) {
              failed = Error::Internal(fmt::format(
                  "the audit chain has no event {}; run `xietong audit verify`", expect));
              return false;
            }
            CanonicalInto(canonical, seq, r.Int(1), r.TextView(2), r.TextView(3), r.TextView(4),
                          r.TextView(5));
            // The verifier reads JSON, which must be UTF-8; the bytes hashed
            // cannot be escaped without changing them.
            if (!simdjson::validate_utf8(canonical.data(), canonical.size())) {
              failed = Error::Internal(fmt::format(
                  "event {} holds bytes that are not UTF-8; an evidence package cannot carry it",
                  seq));
              return false;
            }
            while (next_checkpoint != checkpoints.end() && next_checkpoint->seq < seq)
              ++next_checkpoint;
            line.clear();
            line += "{\"prev_hash\":";
            AppendHexString(line, r.TextView(6));
            line += ",\"hash\":";
            AppendHexString(line, r.TextView(7));
            line += ",\"event\":";
            line += canonical;
            if (seq > report.last_seq) line += ",\"tail\":true";
            if (next_checkpoint != checkpoints.end() && next_checkpoint->seq == seq)
              line += ",\"checkpointed\":true";
            line += "}\n";
            if (line.size() > kMaxEvidenceLineBytes) {
              failed = Error::Internal(
                  fmt::format("event {} is larger than an evidence line may be ({} bytes)", seq,
                              kMaxEvidenceLineBytes));
              return false;
            }
            out.write(line.data(), static_cast<std::streamsize>(line.size()));
            report.bytes += static_cast<std::int64_t>(line.size());
            ++report.events;
            ++expect;
            return static_cast<bool>(out);
          }));
      if (failed) return Fail(std::move(*failed));
      if (out && expect != report.signed_seq + 1)
        return Fail(Error::Internal(
            fmt::format("the audit chain has no event {}; run `xietong audit verify`", expect)));
      for (const auto& c : checkpoints) {
        line.clear();
        line += fmt::format("{{\"checkpoint\":{{\"seq\":{},\"hash\":", c.seq);
        AppendHexString(line, c.hash);
        line += fmt::format(",\"signed_at\":{},\"public_key\":\"{}\",\"signature\":", c.signed_at,
                            public_key);
        AppendHexString(line, c.signature);
        line += "}}\n";
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
        report.bytes += static_cast<std::int64_t>(line.size());
        ++report.checkpoints;
      }
    }
    out.flush();
    if (!out) return Fail(Error::Unavailable("cannot write the evidence package"));
    return report;
  });
}

namespace {

constexpr std::size_t kBlockBytes = 1 << 20;

// Whole lines of the package, read in blocks of about kBlockBytes and padded
// as simdjson needs, so that a worker can parse every line where it lies.
struct Block {
  std::vector<char> data;
  std::size_t begin = 0, end = 0;  // the lines are data[begin, end)
  std::size_t capacity = 0;        // data.size(): end + padding at least
  std::int64_t first_line = 0;     // the file's line number of data[begin]
  bool unterminated = false;       // the input ended without a newline after the last line
  bool too_long = false;           // a line longer than kMaxEvidenceLineBytes, unread
};

// Block buffers the workers hand back, so that reading a large package does
// not map fresh memory for every block. Thread-safe.
class BufferPool {
 public:
  std::vector<char> Take(std::size_t size) {
    std::vector<char> b;
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        b = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (b.size() < size) b.resize(size);
    return b;
  }
  void Give(std::vector<char> b) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(b));
  }

 private:
  std::mutex mutex_;
  std::vector<std::vector<char>> free_;  // guarded by mutex_
};

class BlockReader {
 public:
  BlockReader(std::istream& in, BufferPool& pool) : in_(in), pool_(pool) {}

  // The next block, or nullopt at the end of the input.
  Result<std::optional<Block>> Next() {
    if (done_) return std::optional<Block>{};
    std::size_t want = kBlockBytes;
    for (;;) {
      Block b;
      std::size_t size = carry_.size();
      b.data = pool_.Take(size + want + simdjson::SIMDJSON_PADDING);
      b.capacity = b.data.size();
      std::memcpy(b.data.data(), carry_.data(), size);
      in_.read(b.data.data() + size, static_cast<std::streamsize>(want));
      size += static_cast<std::size_t>(in_.gcount());
      if (in_.bad()) return Fail(Error::Unavailable("cannot read the evidence package"));
      std::memset(b.data.data() + size, 0, simdjson::SIMDJSON_PADDING);
      if (in_.eof()) {
        done_ = true;
        if (size == 0) return std::optional<Block>{};
        b.end = size;
        b.unterminated = b.data[size - 1] != '\n';
        return std::optional<Block>{std::move(b)};
      }
      if (const void* nl = ::memrchr(b.data.data(), '\n', size)) {
        b.end = static_cast<std::size_t>(static_cast<const char*>(nl) - b.data.data()) + 1;
        carry_.assign(b.data.data() + b.end, size - b.end);
        return std::optional<Block>{std::move(b)};
      }
      if (size > kMaxEvidenceLineBytes) {
        done_ = true;
        b.end = size;
        b.too_long = true;
        return std::optional<Block>{std::move(b)};
      }
      carry_.assign(b.data.data(), size);  // one long line: read more of it
      want = std::max(want, size);
    }
  }

 private:
  std::istream& in_;
  BufferPool& pool_;
  std::string carry_;  // the start of a line the last block did not end
  bool done_ = false;
};

struct Finding {
  std::int64_t line;  // in the file, from 1
  std::optional<std::int64_t> seq;
  std::string problem;
};

void Keep(std::optional<Finding>& slot, Finding f) {
  if (!slot || f.line < slot->line) slot = std::move(f);
}

// Text from the package for a message: printable ASCII only (a forged line
// must not put terminal escapes in a report), at most max characters.
std::string Quote(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) out += c >= ' ' && c <= '~' ? c : '?';
  if (text.size() > max) out += "…";
  return out;
}

Finding NotALine(std::int64_t line, std::string_view why) {
  return {line, std::nullopt, fmt::format("line {} is not a valid evidence line ({})", line, why)};
}

// Event seq follows event prev_seq in the file, but not as the next one.
Finding Misplaced(std::int64_t line, std::int64_t seq, std::int64_t prev_seq) {
  if (seq > prev_seq + 1)
    return {line, prev_seq + 1,
            fmt::format("event {} is missing (the package jumps from event {} to event {}: a "
                        "line was removed or moved)",
                        prev_seq + 1, prev_seq, seq)};
  return {line, seq,
          fmt::format("event {} is out of place (it follows event {}: lines were repeated or "
                      "reordered)",
                      seq, prev_seq)};
}

Finding Unlinked(std::int64_t line, std::int64_t seq) {
  return {line, seq,
          fmt::format("event {} does not link to event {} (its prev_hash is not that event's "
                      "hash: events were changed, inserted or reordered)",
                      seq, seq - 1)};
}

// One line's fields, as views into the block or the line parser's strings.
struct LineFields {
  bool is_checkpoint = false;
  std::string_view prev_hash, hash, event;  // event: the raw bytes of the "event" value
  bool has_prev_hash = false, has_hash = false, has_event = false;
  bool tail = false, checkpointed = false;
  std::int64_t seq = 0, signed_at = 0;  // of a checkpoint
  std::string_view public_key, signature;
  bool has_seq = false, has_signed_at = false, has_key = false, has_signature = false;
  bool event_fields = false;  // the line has any of an event line's fields
};

// After a whole document was read: whether anything follows it.
bool AtEnd(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

// Why a checkpoint object is not one; nullptr when it is.
const char* ParseCheckpoint(od::object cp, LineFields& f) {
  f.is_checkpoint = true;
  for (auto field_or : cp) {
    od::field field;
    std::string_view key;
    if (std::move(field_or).get(field) || field.unescaped_key().get(key)) return "it is not JSON";
    od::value v = field.value();
    simdjson::error_code e = simdjson::SUCCESS;
    if (key == "seq") {
      e = v.get_int64().get(f.seq);
      f.has_seq = !e;
    } else if (key == "hash") {
      e = v.get_string().get(f.hash);
      f.has_hash = !e;
    } else if (key == "signed_at") {
      e = v.get_int64().get(f.signed_at);
      f.has_signed_at = !e;
    } else if (key == "public_key") {
      e = v.get_string().get(f.public_key);
      f.has_key = !e;
    } else if (key == "signature") {
      e = v.get_string().get(f.signature);
      f.has_signature = !e;
    } else {
      return "a checkpoint has no such field";
    }
    if (e) return "a checkpoint field has the wrong type";
  }
  if (!f.has_seq || !f.has_hash || !f.has_signed_at || !f.has_key || !f.has_signature)
    return "a checkpoint needs seq, hash, signed_at, public_key and signature";
  return nullptr;
}

// Why data[0, size) is not an evidence line; nullptr when it is one. The
// views in f stay valid until the parser reads another line.
const char* ParseLine(od::parser& parser, const char* data, std::size_t size, std::size_t capacity,
                      LineFields& f) {
  od::document doc;
  od::object obj;
  if (parser.iterate(data, size, capacity).get(doc) || doc.get_object().get(obj))
    return "it is not a JSON object";
  for (auto field_or : obj) {
    od::field field;
    std::string_view key;
    if (std::move(field_or).get(field) || field.unescaped_key().get(key)) return "it is not JSON";
    od::value v = field.value();
    simdjson::error_code e = simdjson::SUCCESS;
    f.event_fields = f.event_fields || key != "checkpoint";
    if (key == "event") {
      od::object event;
      e = v.get_object().get(event);
      if (!e) e = event.raw_json().get(f.event);
      f.has_event = !e;
    } else if (key == "prev_hash") {
      e = v.get_string().get(f.prev_hash);
      f.has_prev_hash = !e;
    } else if (key == "hash") {
      e = v.get_string().get(f.hash);
      f.has_hash = !e;
    } else if (key == "tail") {
      e = v.get_bool().get(f.tail);
    } else if (key == "checkpointed") {
      e = v.get_bool().get(f.checkpointed);
    } else if (key == "checkpoint") {
      od::object cp;
      if (v.get_object().get(cp)) return "a checkpoint must be an object";
      if (const char* why = ParseCheckpoint(cp, f)) return why;
    } else {
      return "it has an unknown field";
    }
    if (e) return "a field has the wrong type";
  }
  if (!AtEnd(doc)) return "something follows the JSON object";
  if (f.is_checkpoint) {
    if (f.event_fields) return "it mixes an event and a checkpoint";
  } else if (!f.has_event || !f.has_prev_hash || !f.has_hash) {
    return "an event line needs prev_hash, hash and event";
  }
  return nullptr;
}

// The seq inside an event's canonical text, without parsing it again: in
// what Canonical writes only the subject (a JSON string) follows "seq", and
// a JSON string cannot hold `,"` (its quote would end the string), so the
// last `,"seq":` is the key. Text Canonical did not write fails its hash
// check whatever seq this finds.
std::optional<std::int64_t> EventSeq(std::string_view event) {
  constexpr std::string_view kKey = ",\"seq\":";
  const auto at = event.rfind(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = event.data() + at + kKey.size();
  const char* last = event.data() + event.size();
  std::int64_t seq = 0;
  const auto [end, ec] = std::from_chars(first, last, seq);
  if (ec != std::errc() || end == first || end == last || (*end != ',' && *end != '}'))
    return std::nullopt;
  return seq;
}

struct Edge {
  std::int64_t seq = 0, line = 0;
  std::string hash;  // the first event's prev_hash, or the last event's hash
};

struct CheckpointRef {
  std::int64_t seq, line;
  std::string hash;
};

// What a worker learned from one block.
struct BlockResult {
  std::int64_t events = 0, tail_events = 0, checkpoints = 0;
  std::optional<Edge> first, last;  // the block's first and last events
  std::vector<std::pair<std::int64_t, std::string>> checkpointed;  // seq, hash
  std::vector<CheckpointRef> checkpoint_lines;
  std::optional<Finding> finding;
};

struct Context {
  std::string public_key;                // the given key, lowercase hex
  std::optional<std::int64_t> last_seq;  // the range's last event, from the header
};

// memchr, not std::count: the lines are long, and memchr skips them fastest.
std::int64_t CountNewlines(const char* p, const char* end) {
  std::int64_t n = 0;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

bool IsBlank(const char* p, std::size_t n) {
  return std::all_of(p, p + n,
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

void CheckLine(const Context& ctx, od::parser& parser, const char* data, std::size_t size,
               std::size_t capacity, bool cut_off, std::int64_t line, BlockResult& r) {
  if (size > kMaxEvidenceLineBytes) {
    Keep(r.finding,
         NotALine(line, fmt::format("it is longer than {} bytes", kMaxEvidenceLineBytes)));
    return;
  }
  if (IsBlank(data, size)) return;
  LineFields f;
  if (const char* why = ParseLine(parser, data, size, capacity, f)) {
    if (cut_off) {
      Keep(r.finding, {line, std::nullopt,
                       fmt::format("the package is truncated: line {} ends in the middle", line)});
    } else {
      Keep(r.finding, NotALine(line, why));
    }
    return;
  }
  if (f.is_checkpoint) {
    ++r.checkpoints;
    if (f.public_key != ctx.public_key) {
      Keep(r.finding, {line, f.seq,
                       fmt::format("the checkpoint at event {} is not signed by the given key "
                                   "(it names the key {})",
                                   f.seq, Quote(f.public_key, 16))});
    } else if (!VerifySignature(ctx.public_key, CheckpointMessage(f.seq, f.hash, f.signed_at),
                                f.signature)) {
      Keep(r.finding, {line, f.seq,
                       fmt::format("the checkpoint at event {} has an invalid signature (it was "
                                   "forged or altered)",
                                   f.seq)});
    }
    r.checkpoint_lines.push_back({f.seq, line, std::string(f.hash)});
    return;
  }
  const auto seq = EventSeq(f.event);
  if (!seq) {
    Keep(r.finding, NotALine(line, "its event has no seq"));
    return;
  }
  ++r.events;
  if (f.tail) ++r.tail_events;
  if (r.last) {
    if (*seq != r.last->seq + 1) {
      Keep(r.finding, Misplaced(line, *seq, r.last->seq));
    } else if (f.prev_hash != r.last->hash) {
      Keep(r.finding, Unlinked(line, *seq));
    }
  } else {
    r.first = Edge{*seq, line, std::string(f.prev_hash)};
    r.last.emplace();
  }
  if (!ChainHashEquals(f.prev_hash, f.event, f.hash)) {
    Keep(r.finding, {line, *seq,
                     fmt::format("event {} does not match its hash (its time, actor, action, "
                                 "subject or payload was changed)",
                                 *seq)});
  }
  if (ctx.last_seq && f.tail != (*seq > *ctx.last_seq)) {
    Keep(r.finding, {line, *seq,
                     fmt::format("event {} is marked as {} the requested range, which ends at "
                                 "event {}",
                                 *seq, f.tail ? "after" : "within", *ctx.last_seq)});
  }
  if (f.checkpointed) r.checkpointed.emplace_back(*seq, std::string(f.hash));
  r.last->seq = *seq;
  r.last->line = line;
  r.last->hash.assign(f.hash);
}

BlockResult CheckBlock(const Context& ctx, od::parser& parser, const Block& b) {
  BlockResult r;
  const char* p = b.data.data() + b.begin;
  const char* const end = b.data.data() + b.end;
  const char* const readable_end = b.data.data() + b.capacity;
  std::int64_t line = b.first_line;
  while (p < end) {
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    CheckLine(ctx, parser, p, static_cast<std::size_t>(line_end - p),
              static_cast<std::size_t>(readable_end - p), !nl && b.unterminated, line++, r);
    p = nl ? nl + 1 : end;
  }
  return r;
}

struct Header {
  std::optional<std::int64_t> first_seq, last_seq;
};

// The header's range, or what is wrong with it (as a finding at line 1).
std::variant<Header, Finding> CheckHeader(od::parser& parser, const Block& b, std::size_t size,
                                          const std::string& public_key) {
  auto bad = [](std::string why) -> std::variant<Header, Finding> {
    return Finding{1, std::nullopt, std::move(why)};
  };
  auto not_header = [&] {
    return bad(
        "line 1 is not an evidence header (the file is not an evidence package, or its "
        "start was cut off)");
  };
  od::document doc;
  od::object obj;
  if (parser.iterate(b.data.data() + b.begin, size, b.capacity - b.begin).get(doc) ||
      doc.get_object().get(obj))
    return not_header();
  std::string_view format, exported_at, key, signature;
  std::optional<std::string_view> from, to;
  Header h;
  bool has_exported_at = false, has_first = false, has_last = false;
  for (auto field_or : obj) {
    od::field field;
    std::string_view name;
    if (std::move(field_or).get(field) || field.unescaped_key().get(name)) return not_header();
    od::value v = field.value();
    auto optional_text = [&](std::optional<std::string_view>& out) {
      bool null = false;
      if (v.is_null().get(null)) return false;
      if (null) return true;
      std::string_view s;
      if (v.get_string().get(s)) return false;
      out = s;
      return true;
    };
    auto optional_seq = [&](std::optional<std::int64_t>& out, bool& seen) {
      seen = true;
      bool null = false;
      if (v.is_null().get(null)) return false;
      if (null) return true;
      std::int64_t n = 0;
      if (v.get_int64().get(n) || n <= 0) return false;
      out = n;
      return true;
    };
    bool ok = true;
    if (name == "format") {
      ok = !v.get_string().get(format);
    } else if (name == "exported_at") {
      ok = !v.get_string().get(exported_at);
      has_exported_at = ok;
    } else if (name == "from") {
      ok = optional_text(from);
    } else if (name == "to") {
      ok = optional_text(to);
    } else if (name == "first_seq") {
      ok = optional_seq(h.first_seq, has_first);
    } else if (name == "last_seq") {
      ok = optional_seq(h.last_seq, has_last);
    } else if (name == "public_key") {
      ok = !v.get_string().get(key);
    } else if (name == "signature") {
      ok = !v.get_string().get(signature);
    } else {
      ok = false;
    }
    if (!ok) return not_header();
  }
  if (!AtEnd(doc) || format.empty()) return not_header();
  if (format != kEvidenceFormat)
    return bad(fmt::format("the package's format is '{}'; this verifier reads {}",
                           Quote(format, 64), kEvidenceFormat));
  auto time = [](std::optional<std::string_view> text) -> std::optional<Result<Timestamp>> {
    if (!text) return std::nullopt;
    return ParseRfc3339(*text);
  };
  const auto exported = ParseRfc3339(exported_at);
  const auto from_time = time(from), to_time = time(to);
  if (!has_exported_at || !has_first || !has_last || !exported || (from_time && !*from_time) ||
      (to_time && !*to_time) || h.first_seq.has_value() != h.last_seq.has_value() ||
      (h.first_seq && *h.first_seq > *h.last_seq))
    return not_header();
  if (key != public_key)
    return bad(fmt::format("the package is signed by the key {}, not by the given key {}",
                           Quote(key, 16), Quote(public_key, 16)));
  const auto message =
      HeaderMessage(*exported, from_time ? std::optional(**from_time) : std::nullopt,
                    to_time ? std::optional(**to_time) : std::nullopt, h.first_seq.value_or(0),
                    h.last_seq.value_or(0));
  if (!VerifySignature(public_key, message, signature))
    return bad("the header's signature is invalid (the range it announces was altered)");
  return h;
}

// Joins the blocks' results in file order: the links between blocks, the
// header's range, the checkpoints against the events they sign.
EvidenceReport Stitch(const Header& header, std::vector<BlockResult>& blocks, std::int64_t lines) {
  EvidenceReport report;
  std::optional<Finding> first;
  std::optional<Edge> first_event, last_event;
  std::map<std::int64_t, std::string> checkpointed;
  std::vector<CheckpointRef> checkpoint_lines;
  for (BlockResult& b : blocks) {
    if (b.finding) Keep(first, std::move(*b.finding));
    report.events += b.events;
    report.tail_events += b.tail_events;
    report.checkpoints += b.checkpoints;
    if (b.first) {
      const std::int64_t line = b.first->line;
      if (!last_event) {
        first_event = Edge{b.first->seq, line, b.first->hash};
      } else if (b.first->seq != last_event->seq + 1) {
        Keep(first, Misplaced(line, b.first->seq, last_event->seq));
      } else if (b.first->hash != last_event->hash) {
        Keep(first, Unlinked(line, b.first->seq));
      }
      last_event = std::move(b.last);
    }
    for (auto& [seq, hash] : b.checkpointed) checkpointed.emplace(seq, std::move(hash));
    for (auto& c : b.checkpoint_lines) checkpoint_lines.push_back(std::move(c));
  }
  const std::int64_t end = lines + 1;  // past the last line
  if (first_event) {
    report.first_seq = first_event->seq;
    report.last_seq = last_event->seq;
  }
  if (!header.first_seq) {
    if (first_event)
      Keep(first, {first_event->line, first_event->seq,
                   fmt::format("line {} holds event {}, but the header says the package is empty",
                               first_event->line, first_event->seq)});
  } else if (!first_event) {
    Keep(first, {end, *header.first_seq,
                 fmt::format("the package is truncated: its header announces events {} to {}, "
                             "but it holds none",
                             *header.first_seq, *header.last_seq)});
  } else {
    if (first_event->seq != *header.first_seq)
      Keep(first, {first_event->line, *header.first_seq,
                   fmt::format("the package begins at event {}, but its signed header announces "
                               "event {} first (lines at the start were removed or added)",
                               first_event->seq, *header.first_seq)});
    const bool covered =
        std::any_of(checkpoint_lines.begin(), checkpoint_lines.end(),
                    [&](const CheckpointRef& c) { return c.seq == last_event->seq; });
    if (!covered)
      Keep(first, {end, last_event->seq,
                   fmt::format("the package is truncated: event {} is not covered by a signed "
                               "checkpoint",
                               last_event->seq)});
    if (last_event->seq < *header.last_seq)
      Keep(first, {end, last_event->seq + 1,
                   fmt::format("the package is truncated: it ends at event {}, before event {} "
                               "that its signed header announces",
                               last_event->seq, *header.last_seq)});
  }
  for (const auto& c : checkpoint_lines) {
    const auto it = checkpointed.find(c.seq);
    if (!first_event || c.seq < first_event->seq || c.seq > last_event->seq) {
      Keep(first,
           {c.line, c.seq,
            fmt::format("the checkpoint at event {} lies outside the exported events", c.seq)});
    } else if (it == checkpointed.end()) {
      Keep(first, {c.line, c.seq,
                   fmt::format("the checkpoint at event {} signs an event not marked as "
                               "checkpointed (the line of event {} was altered)",
                               c.seq, c.seq)});
    } else if (it->second != c.hash) {
      Keep(first, {c.line, c.seq,
                   fmt::format("event {} differs from what the checkpoint signed (the events up "
                               "to it were rewritten)",
                               c.seq)});
    }
  }
  if (first) {
    report.bad_line = first->line;
    report.first_bad_seq = first->seq;
    report.problem = std::move(first->problem);
  }
  return report;
}

}  // namespace

Result<EvidenceReport> VerifyEvidence(std::istream& in, std::string_view public_key_hex,
                                      int threads) {
  Context ctx;
  ctx.public_key.assign(public_key_hex);
  std::transform(ctx.public_key.begin(), ctx.public_key.end(), ctx.public_key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ctx.public_key.size() != 2 * crypto_sign_PUBLICKEYBYTES || !IsLowerHex(ctx.public_key))
    return Fail(Error::InvalidArgument(
        "the public key must be 64 hex digits (the instance's Ed25519 key, as `xietong audit "
        "public-key` writes it)"));
  // The signatures are checked by libsodium, which this process may not have started yet.
  if (sodium_init() < 0) return Fail(Error::Internal("libsodium could not start"));

  BufferPool pool;
  BlockReader reader(in, pool);
  XT_ASSIGN_OR_RETURN(auto head, reader.Next());
  auto broken = [](Finding f) {
    EvidenceReport report;
    report.bad_line = f.line;
    report.first_bad_seq = f.seq;
    report.problem = std::move(f.problem);
    return report;
  };
  if (head && head->too_long) return broken(NotALine(1, "it is far too long for a header"));
  if (!head || IsBlank(head->data.data(), head->end))
    return broken({1, std::nullopt, "the package is empty (it has no header line)"});
  const char* header_end =
      static_cast<const char*>(std::memchr(head->data.data(), '\n', head->end));
  const std::size_t header_size =
      header_end ? static_cast<std::size_t>(header_end - head->data.data()) : head->end;
  if (header_size > kMaxEvidenceLineBytes)
    return broken(NotALine(1, "it is far too long for a header"));
  Header header;
  {
    od::parser parser;
    auto checked = CheckHeader(parser, *head, header_size, ctx.public_key);
    if (auto* f = std::get_if<Finding>(&checked)) return broken(std::move(*f));
    header = std::get<Header>(checked);
  }
  ctx.last_seq = header.last_seq;
  head->begin = header_end ? header_size + 1 : head->end;
  std::int64_t lines = 1;  // read so far: the header

  // The reader (this thread) hands blocks to the workers through a short
  // queue, so memory stays at a few blocks whatever the package's size.
  const int nthreads = std::clamp(threads, 1, 64);
  std::mutex mutex;
  std::condition_variable work_ready, space_ready;
  std::deque<std::pair<std::size_t, Block>> queue;  // guarded by mutex
  bool reading_done = false;                        // guarded by mutex
  std::vector<BlockResult> results;                 // guarded by mutex
  std::vector<std::thread> workers;
  for (int t = 0; t < nthreads; ++t) {
    workers.emplace_back([&] {
      od::parser parser;
      for (;;) {
        std::pair<std::size_t, Block> job;
        {
          std::unique_lock lock(mutex);
          work_ready.wait(lock, [&] { return !queue.empty() || reading_done; });
          if (queue.empty()) return;
          job = std::move(queue.front());
          queue.pop_front();
        }
        space_ready.notify_one();
        BlockResult r = CheckBlock(ctx, parser, job.second);
        pool.Give(std::move(job.second.data));
        std::lock_guard lock(mutex);
        if (results.size() <= job.first) results.resize(job.first + 1);
        results[job.first] = std::move(r);
      }
    });
  }
  auto read_all = [&]() -> Result<void> {
    std::optional<Block> block = std::move(head);
    for (std::size_t index = 0; block; ++index) {
      block->first_line = lines + 1;
      if (block->too_long) {
        ++lines;
        BlockResult r;
        r.finding =
            NotALine(lines, fmt::format("it is longer than {} bytes", kMaxEvidenceLineBytes));
        std::lock_guard lock(mutex);
        if (results.size() <= index) results.resize(index + 1);
        results[index] = std::move(r);
        return {};  // nothing after it can be read as lines
      }
      lines += CountNewlines(block->data.data() + block->begin, block->data.data() + block->end) +
               (block->unterminated && block->begin < block->end ? 1 : 0);
      {
        std::unique_lock lock(mutex);
        space_ready.wait(lock,
                         [&] { return queue.size() < 2 * static_cast<std::size_t>(nthreads); });
        queue.emplace_back(index, std::move(*block));
      }
      work_ready.notify_one();
      XT_ASSIGN_OR_RETURN(block, reader.Next());
    }
    return {};
  };
  auto read = read_all();
  {
    std::lock_guard lock(mutex);
    reading_done = true;
  }
  work_ready.notify_all();
  for (auto& w : workers) w.join();
  XT_TRY_VOID(read);
  return Stitch(header, results, lines);
}

}  // namespace xietong::audit
