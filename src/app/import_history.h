// The history importer: a city's past requests, read from CSV files in the
// us311 layout (city, request_id, created_at, closed_at, due_at, status,
// complaint_type, descriptor, district, neighborhood, zip, latitude,
// longitude, resolution_text, …; see /work/shared/data/README.md), stored as
// closed or open requests of the city so that the three rates and the ranking
// cover them. First used on 78,622 real US 311 requests that become the
// history of the demo city 江澜市.
//
// How a source row becomes a request (every choice is deterministic, so two
// runs on two machines store the same requests):
//
//   source                          request
//   ------------------------------  ------------------------------------------
//   city + request_id               external_id "<city>:<request_id>" (≤ 64
//                                   bytes); rows already stored (channel
//                                   import, same external_id) are skipped, so
//                                   an interrupted import is simply run again
//   city                            a fixed share of the city's districts
//                                   (Los Angeles: 1st and 2nd by code, New York:
//                                   3rd and 4th, Baltimore: 5th; others: all)
//   neighborhood, else zip, else    one grid of those districts, chosen by a
//   latitude/longitude (2 decimals; stable hash (FNV-1a) of city and the text,
//   placeholders 0 and 39,-77 are   so a neighbourhood always lands on the same
//   ignored)                        grid; grid, community, street and district
//                                   ids follow from the grid's ancestors
//   district only (e.g. a borough)  one street of those districts, same hash
//   neighborhood, zip (or district) place.address "<city> · <neighborhood> ·
//                                   <zip>"; US coordinates are never stored in
//                                   lat/lon: they lie outside the city
//   complaint_type (its descriptor  a leaf matter: the English→Chinese word
//   when the type matches nothing   table in import_history.cc, the word then
//   or only "Noise")                looked up in the catalogue's leaf names and
//                                   keywords; no match: the first leaf under
//                                   城乡建设 (counted in general_matter)
//   leaf + place                    the handling unit: requests::RouteFor, else
//                                   the place's street; neither: rejected
//   created_at                      received_at = dispatched_at (the wall time
//                                   as written, read as Asia/Shanghai time so
//                                   that months line up)
//   —                               signed_at = dispatched_at + 0.5–6 h (stable
//                                   hash of external_id), never after closing;
//                                   sign_due from the leaf's sign_limit
//   due_at                          finish_due; empty or unreadable: from the
//                                   leaf's finish_limit on the working calendar
//   closed_at                       replied_at = closed_at, status closed;
//                                   resolved unless the status says cancelled,
//                                   duplicate, referred or transferred or the
//                                   resolution text says e.g. "no violation",
//                                   "unable", "could not", "not found",
//                                   "duplicate"; no closed_at: open, status
//                                   signed when the source status says in
//                                   progress/started, else dispatched
//   —                               satisfaction unrated (the source has none)
//   complaint_type - descriptor     title (≤ 100 characters)
//   descriptor, resolution_text     text (≤ 5000); resolution_text also reply
//
// Rejected (counted by reason, never ending the import): no request_id, no or
// unreadable created_at, unreadable closed_at, closed before created, an
// external_id over 64 bytes, a request_id twice in the input, a record with
// more fields than the header, no unit to route to. A file that cannot be
// read on (a truncated gzip, an unterminated quote) ends the import with an
// error; the batches stored before it stay, and a re-run skips them.
//
// Thread-safety: ImportUs311 holds no state between calls; two imports of the
// same files at once may both try to store a row, and the second batch then
// fails on the unique idempotency key.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/result.h"
#include "matters/matter_service.h"
#include "requests/request_service.h"
#include "storage/database.h"

namespace xietong::app {

struct ImportOptions {
  std::vector<std::string> files;  // plain or gzip CSV in the us311 layout
  int batch = 2000;                // rows per transaction (RequestService::ImportHistory)
  bool progress = true;            // call the progress callback after each batch
  std::int64_t limit = 0;          // rows to read over all files; 0: all
  // Open rows whose limits ran out before this instant are marked late; 0:
  // none are (the importer never reads the clock itself).
  Timestamp as_of = 0;
};

struct ImportReport {
  std::int64_t read = 0;  // data rows read (after the header), up to limit
  std::int64_t imported = 0;
  std::int64_t skipped_existing = 0;  // stored by an earlier import
  std::int64_t rejected = 0;
  std::map<std::string, std::int64_t> rejected_by_reason;
  std::int64_t general_matter = 0;  // imported under the fallback leaf (no word matched)
  double seconds = 0;               // wall time of the whole import
};

using ImportProgress =
    std::function<void(std::int64_t done_bytes, std::int64_t total_bytes, std::int64_t rows)>;

// Reads us311-format CSV files and stores their rows as closed or open history
// of the city, in batches of options.batch rows, acting as the system. Needs
// the city's org tree (with a receiving centre and districts with grids) and
// its list of matters: Error::Conflict otherwise. Error::NotFound for a
// missing file, Error::InvalidArgument for a file without the columns
// request_id, created_at and complaint_type (all files are checked before
// anything is stored).
Result<ImportReport> ImportUs311(const WorkCalendar& calendar, requests::RequestService& requests,
                                 matters::MatterService& matters, const ImportOptions& options,
                                 const ImportProgress& progress = {});

// The pieces of the mapping above, for tests and for other importers.

// A source time as wall time in Asia/Shanghai: "2017-12-31 23:59:58",
// "2017-12-31T23:59:58.123", "2017-12-31 23:59", "2017-12-31" or
// "12/31/2017 11:59:58 PM"; a trailing "Z" or "+hh:mm" is ignored (the wall
// time stands). Error::InvalidArgument quoting the text otherwise.
Result<Timestamp> ParseSourceTime(std::string_view text);

// The Chinese catalogue word for a complaint type and descriptor, e.g.
// ("Noise - Commercial", "Loud Music/Party") → "商业经营噪声"; "" when no
// entry of the table matches.
std::string_view MatterWordFor(std::string_view complaint_type, std::string_view descriptor);
// Every Chinese word of the table, in table order (a catalogue should name each).
std::vector<std::string_view> MatterTableWords();

}  // namespace xietong::app
