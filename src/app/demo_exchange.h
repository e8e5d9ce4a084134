// The demo city's shared data, for `xietong demo`: five departments (公安,
// 市场监管, 人社, 自然资源, 卫健) publish fifteen resources with fictional
// rows — the household registration of the demo residents among them — some
// with planted quality defects (an invalid plate, owners missing from the
// household register, late updates); grants between departments and to a
// street, one of them for 核心 fields with its second approval; two months
// of gateway traffic; and the demo residents linked to their identity
// numbers so that each sees who used their data.
//
// Everything goes through ExchangeService's real commands as the demo's
// data officers, on a clock set back in time. Idempotent: when the first
// resource exists, nothing is done. Deterministic but for the times.
#pragma once

#include <string>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::app {

struct DemoExchangeReport {
  int resources = 0, rows = 0, grants = 0, lookups = 0;
  bool existed = false;
};

Result<DemoExchangeReport> CreateDemoExchange(Platform& platform,
                                              const std::string& staff_password);

// The identity number the demo gives the resident with this username (the
// household register holds it; the resident's data-use log is keyed by it).
std::string DemoIdNumber(std::string_view username);

}  // namespace xietong::app
