// RFC 4180 CSV: a streaming reader for plain or gzip-compressed files, a
// header-aware Table on top of it, and the writer helpers used by exports.
//
// Reader owns its open file and a 256 KiB buffer; records are returned by value.
// Not thread-safe: use one Reader per thread. After Next() returns a parse or
// I/O error, every later call returns the same error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

struct gzFile_s;  // zlib's handle, so that this header does not include zlib.h

namespace xietong::csv {

// Streams records from a file; transparently gunzips when the file starts with
// the gzip magic bytes. Accepts CRLF and LF line ends (and a lone CR), quoted
// fields with "" escapes and embedded newlines, a UTF-8 BOM at the start and a
// last line without a newline. Blank lines between records are skipped.
class Reader {
 public:
  // kNotFound if the file does not exist.
  static Result<Reader> Open(const std::string& path);
  // Reads records from `text` instead of a file (total_bytes() is 0).
  static Reader FromString(std::string text);

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  ~Reader();

  // The next record, nullopt at the end. kInvalidArgument naming the line for
  // an unterminated quote, a quote inside an unquoted field, text after a
  // closing quote, or a truncated gzip file.
  Result<std::optional<std::vector<std::string>>> Next();

  // 1-based line where the last record returned by Next() started (0 before).
  std::int64_t line() const { return record_line_; }
  // Bytes of the file on disk consumed so far (compressed bytes for gzip).
  std::int64_t bytes_read() const;
  // Size of the file on disk (0 for FromString).
  std::int64_t total_bytes() const { return total_bytes_; }

 private:
  struct GzCloser {
    void operator()(gzFile_s* file) const;
  };

  Reader() = default;
  // Replaces the buffer with the next chunk of the file; false at the end.
  Result<bool> Fill();
  // Records a parse error at `line` so that later calls return it too.
  Error ParseError(std::int64_t line, std::string_view what);

  std::unique_ptr<gzFile_s, GzCloser> file_;  // null for FromString
  std::string path_;                          // empty for FromString
  std::string buffer_;
  std::size_t pos_ = 0;  // next unread byte of buffer_
  std::size_t end_ = 0;  // bytes of buffer_ holding data
  bool at_eof_ = false;
  bool started_ = false;  // the BOM check has been done
  bool skip_lf_ = false;  // the previous record ended with CR; an LF right after belongs to it
  std::int64_t next_line_ = 1;  // line of buffer_[pos_]
  std::int64_t record_line_ = 0;
  std::int64_t total_bytes_ = 0;
  std::size_t last_field_count_ = 0;  // to reserve the next record's fields
  std::optional<Error> error_;
};

// Reads the header row first and finds columns by name.
class Table {
 public:
  // kNotFound if the file does not exist; kInvalidArgument if it has no header row.
  static Result<Table> Open(const std::string& path);
  static Result<Table> FromString(std::string text);

  // Index of a column; kInvalidArgument "column 'x' not found; the file has: a, b, c".
  Result<std::size_t> Column(std::string_view name) const;
  const std::vector<std::string>& header() const { return header_; }

  // The next record, padded with "" to the header's width; a record with more
  // fields than the header is an error naming its line (the next call goes on
  // with the record after it).
  Result<std::optional<std::vector<std::string>>> Next();

  Reader& reader() { return reader_; }

 private:
  Table(Reader reader, std::vector<std::string> header, std::string path)
      : reader_(std::move(reader)), header_(std::move(header)), path_(std::move(path)) {}
  static Result<Table> FromReader(Reader reader, std::string path);

  Reader reader_;
  std::vector<std::string> header_;
  std::string path_;  // empty for FromString
};

// Appends one field, quoted when it contains , " CR or LF, with quotes doubled.
// Every CSV we write is opened in spreadsheets: a field that starts with
// = + - @ tab or CR and is not a plain number gets a leading ' so that it
// reads as text, never as a formula (CSV injection).
void AppendField(std::string& out, std::string_view field);
// Appends fields separated by commas and ending with "\r\n". A record of one
// empty field is written as "" so that it does not read back as a blank line.
void AppendRecord(std::string& out, const std::vector<std::string>& fields);

}  // namespace xietong::csv
