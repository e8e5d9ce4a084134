// The words of the request search index: every two adjacent characters of
// a request's title, text and address (ASCII folded to lower case) become
// one ASCII token ("g4e2dx6587" for 中文), so that a query of two or more
// characters is the phrase of its own bigrams — an exact substring match,
// for Chinese without segmentation — on either backend's full-text index
// (SQLite FTS5, PostgreSQL tsvector with the 'simple' configuration, both
// indifferent to the database's locale). A pair that spans a space or
// punctuation becomes the token "gz", which no query contains, so a phrase
// never matches across words or fields. Known difference: a PostgreSQL
// tsvector keeps at most 255 positions per token, so in a text that repeats
// one bigram more than 255 times a phrase starting after the 255th is not
// found there (SQLite has no such cap). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xietong::requests::search {

// The indexed tokens of a request's searchable fields, space-separated.
std::string IndexTokens(std::string_view title, std::string_view text, std::string_view address);

// The phrase a query becomes (its bigram tokens, space-separated), or
// nullopt when the index cannot answer it exactly: fewer than two
// characters, or a space or punctuation inside (then the store scans).
std::optional<std::string> QueryPhrase(std::string_view query);

}  // namespace xietong::requests::search
