#include "core/csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace xietong::csv {
namespace {

constexpr unsigned kChunkBytes = 256 * 1024;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Bytes that end an unquoted field or make it invalid.
constexpr std::array<bool, 256> kUnquotedStops = [] {
  std::array<bool, 256> stops{};
  stops[static_cast<unsigned char>(',')] = true;
  stops[static_cast<unsigned char>('"')] = true;
  stops[static_cast<unsigned char>('\r')] = true;
  stops[static_cast<unsigned char>('\n')] = true;
  return stops;
}();

}  // namespace

void Reader::GzCloser::operator()(gzFile_s* file) const { gzclose(file); }

Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

Result<Reader> Reader::Open(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return xietong::Fail(Error::NotFound(fmt::format("{}: file not found", path)));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return xietong::Fail(Error::InvalidArgument(fmt::format("{}: not a regular file", path)));
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return xietong::Fail(
        Error::Unavailable(fmt::format("{}: cannot open: {}", path, std::strerror(errno))));
  }
  Reader reader;
  reader.file_.reset(file);
  gzbuffer(file, kChunkBytes);
  reader.path_ = path;
  reader.buffer_.resize(kChunkBytes);
  reader.total_bytes_ = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  if (ec) reader.total_bytes_ = 0;
  return reader;
}

Reader Reader::FromString(std::string text) {
  Reader reader;
  reader.end_ = text.size();
  reader.buffer_ = std::move(text);
  reader.at_eof_ = true;
  return reader;
}

std::int64_t Reader::bytes_read() const {
  if (!file_) return static_cast<std::int64_t>(pos_);
  const z_off_t offset = gzoffset(file_.get());
  return offset < 0 ? 0 : static_cast<std::int64_t>(offset);
}

Result<bool> Reader::Fill() {
  if (at_eof_) return false;  // FromString keeps pos_ at the end, for bytes_read()
  pos_ = 0;
  end_ = 0;
  const int n = gzread(file_.get(), buffer_.data(), kChunkBytes);
  int zerr = Z_OK;
  const char* message = gzerror(file_.get(), &zerr);
  if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR)) {
    return xietong::Fail(
        Error::InvalidArgument(fmt::format("{}: cannot read near line {}: {}", path_, next_line_,
                                           zerr == Z_ERRNO ? std::strerror(errno) : message)));
  }
  if (n == 0) {
    at_eof_ = true;
    // gzread reports a gzip stream cut short only through gzerror.
    if (zerr == Z_BUF_ERROR) {
      return xietong::Fail(Error::InvalidArgument(fmt::format(
          "{}: the gzip data ends early (truncated file?) near line {}", path_, next_line_)));
    }
    return false;
  }
  end_ = static_cast<std::size_t>(n);
  return true;
}

Error Reader::ParseError(std::int64_t line, std::string_view what) {
  error_ = Error::InvalidArgument(path_.empty() ? fmt::format("line {}: {}", line, what)
                                                : fmt::format("{} line {}: {}", path_, line, what));
  return *error_;
}

Result<std::optional<std::vector<std::string>>> Reader::Next() {
  if (error_) return xietong::Fail(*error_);
  // Keeps I/O errors sticky like parse errors.
  auto fill = [this]() -> Result<bool> {
    auto more = Fill();
    if (!more) error_ = more.error();
    return more;
  };

  if (!started_) {
    started_ = true;
    if (pos_ == end_) {
      XT_ASSIGN_OR_RETURN(bool more, fill());
      (void)more;
    }
    if (std::string_view(buffer_.data() + pos_, end_ - pos_).starts_with(kUtf8Bom)) {
      pos_ += kUtf8Bom.size();
    }
  }

  // Skips the LF of a CRLF split from its record and blank lines.
  for (;;) {
    if (pos_ == end_) {
      XT_ASSIGN_OR_RETURN(bool more, fill());
      if (!more) return std::nullopt;
    }
    const char c = buffer_[pos_];
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') {
        ++pos_;
        continue;
      }
    }
    if (c == '\n' || c == '\r') {
      ++pos_;
      ++next_line_;
      skip_lf_ = c == '\r';
      continue;
    }
    break;
  }

  record_line_ = next_line_;
  std::vector<std::string> fields;
  fields.reserve(last_field_count_);
  std::string field;
  auto finish_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
  };
  auto finish_record = [&] {
    finish_field();
    last_field_count_ = fields.size();
    return std::optional<std::vector<std::string>>(std::move(fields));
  };

  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  State state = State::kFieldStart;
  std::int64_t quote_line = 0;  // where the open quoted field began
  for (;;) {
    if (pos_ == end_) {
      XT_ASSIGN_OR_RETURN(bool more, fill());
      if (!more) {
        if (state == State::kQuoted) {
          return xietong::Fail(
              ParseError(quote_line,
                         "a quoted field is never closed (missing \" before the end of the file)"));
        }
        return finish_record();  // also an empty last field after a trailing comma
      }
    }
    const char* const data = buffer_.data();
    const char* p = data + pos_;
    const char* const end = data + end_;
    switch (state) {
      case State::kFieldStart:
        if (*p == '"') {
          quote_line = next_line_;
          ++pos_;
          state = State::kQuoted;
          break;
        }
        state = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted: {
        const char* q = p;
        while (q != end && !kUnquotedStops[static_cast<unsigned char>(*q)]) ++q;
        field.append(p, q);
        pos_ = static_cast<std::size_t>(q - data);
        if (q == end) break;
        ++pos_;
        switch (*q) {
          case ',':
            finish_field();
            state = State::kFieldStart;
            break;
          case '\r':
            skip_lf_ = true;
            [[fallthrough]];
          case '\n':
            ++next_line_;
            return finish_record();
          default:  // '"'
            return xietong::Fail(ParseError(
                next_line_,
                fmt::format("a quote inside the unquoted field {} of the record; quote the "
                            "whole field and write a quote inside it as \"\"",
                            fields.size() + 1)));
        }
        break;
      }
      case State::kQuoted: {
        const void* found = std::memchr(p, '"', static_cast<std::size_t>(end - p));
        const char* q = found ? static_cast<const char*>(found) : end;
        next_line_ += std::count(p, q, '\n');
        field.append(p, q);
        pos_ = static_cast<std::size_t>(q - data);
        if (q != end) {
          ++pos_;
          state = State::kQuoteInQuoted;
        }
        break;
      }
      case State::kQuoteInQuoted:
        ++pos_;
        switch (*p) {
          case '"':  // "" stands for one quote
            field.push_back('"');
            state = State::kQuoted;
            break;
          case ',':
            finish_field();
            state = State::kFieldStart;
            break;
          case '\r':
            skip_lf_ = true;
            [[fallthrough]];
          case '\n':
            ++next_line_;
            return finish_record();
          default:
            return xietong::Fail(ParseError(
                next_line_, fmt::format("text after the closing quote of field {}; a field is "
                                        "either all quoted or not quoted",
                                        fields.size() + 1)));
        }
        break;
    }
  }
}

Result<Table> Table::FromReader(Reader reader, std::string path) {
  XT_ASSIGN_OR_RETURN(auto header, reader.Next());
  if (!header) {
    return xietong::Fail(Error::InvalidArgument(
        fmt::format("{} is empty; expected a header row", path.empty() ? "the CSV text" : path)));
  }
  return Table(std::move(reader), std::move(*header), std::move(path));
}

Result<Table> Table::Open(const std::string& path) {
  XT_ASSIGN_OR_RETURN(Reader reader, Reader::Open(path));
  return FromReader(std::move(reader), path);
}

Result<Table> Table::FromString(std::string text) {
  return FromReader(Reader::FromString(std::move(text)), "");
}

Result<std::size_t> Table::Column(std::string_view name) const {
  const auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end()) {
    return xietong::Fail(Error::InvalidArgument(
        fmt::format("column '{}' not found; the file has: {}", name, fmt::join(header_, ", "))));
  }
  return static_cast<std::size_t>(it - header_.begin());
}

Result<std::optional<std::vector<std::string>>> Table::Next() {
  XT_ASSIGN_OR_RETURN(auto record, reader_.Next());
  if (!record) return std::nullopt;
  if (record->size() > header_.size()) {
    return xietong::Fail(Error::InvalidArgument(fmt::format(
        "{}line {}: the record has {} fields but the header has {} columns",
        path_.empty() ? "" : path_ + " ", reader_.line(), record->size(), header_.size())));
  }
  record->resize(header_.size());
  return record;
}

namespace {

// "-12", "+3.5": a number a spreadsheet reads as a number, not a formula.
bool IsPlainNumber(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool digits = false, dot = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

void AppendField(std::string& out, std::string_view field) {
  // A cell that starts like a formula (=, +, -, @, tab, CR) would run as one
  // when the file is opened in a spreadsheet (CSV injection): a leading '
  // makes it text. Plain numbers stay numbers.
  std::string guarded;
  if (!field.empty() && std::string_view("=+-@\t\r").find(field[0]) != std::string_view::npos &&
      !IsPlainNumber(field)) {
    guarded = "'" + std::string(field);
    field = guarded;
  }
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (std::size_t quote; (quote = field.find('"')) != std::string_view::npos;) {
    out.append(field.substr(0, quote + 1));
    out.push_back('"');
    field.remove_prefix(quote + 1);
  }
  out.append(field);
  out.push_back('"');
}

void AppendRecord(std::string& out, const std::vector<std::string>& fields) {
  if (fields.size() == 1 && fields[0].empty()) {
    out.append("\"\"");
  } else {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendField(out, fields[i]);
    }
  }
  out.append("\r\n");
}

}  // namespace xietong::csv
