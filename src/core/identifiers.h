// The identifiers Chinese public records carry, and how each is shown to
// someone who may not see it whole. Shared by every module that checks a
// form or a data field (services' forms, exchange's data elements).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace xietong {

// Check digits: 公民身份号码 (GB 11643-1999, 18 characters, last 0-9 or X,
// with a real birth date) and 统一社会信用代码 (GB 32100-2015, 18 characters
// of 0-9 and A-Z without I O Z S V).
bool ValidIdNumber(std::string_view s);
bool ValidUscc(std::string_view s);
// An 11-digit mainland mobile number (1[3-9]xxxxxxxxx).
bool ValidMobile(std::string_view s);
// YYYY-MM-DD, a real date between 1900 and 2200.
bool ValidDate(std::string_view s);
// A six-digit administrative division code (GB/T 2260) whose province part
// is a real province (11–82) — the code list itself is data, not this check.
bool ValidDivisionCode(std::string_view s);

// Masks: the first 3 and last 4 characters kept ("110***********1234"),
// short values masked whole; a mobile number keeps 3 + 4 ("138****5678");
// a name keeps its first character ("张*", "欧阳**" → "欧**").
std::string MaskKeepEnds(std::string_view value);
std::string MaskName(std::string_view name);

}  // namespace xietong
