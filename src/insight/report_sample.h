// A hand-made monthly report of the demo city (江澜市, 2026年11月) with every
// kind of block, for the renderers' tests and for looking at the pages: a
// ranking of 36 streets long enough to break across pages, a trend with a
// forecast band, bars with whiskers, RAG colours, a digest. Its figures are
// made up but consistent with each other. Pure; thread-safe.
#pragma once

#include "insight/report_model.h"

namespace xietong::insight {

ReportDocument SampleReport();

}  // namespace xietong::insight
