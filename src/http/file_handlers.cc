#include "http/file_handlers.h"

#include "http/message.h"
#include "http/router.h"

namespace xietong::http {

json::Json FileInfoJson(const files::FileInfo& f) {
  return {{"id", f.id},
          {"content_type", f.content_type},
          {"size", f.size},
          {"sha256", f.sha256},
          {"created_at", FormatRfc3339(f.created_at)}};
}

namespace {

Response PhotoResponse(files::File file) {
  Response res;
  res.content_type = file.info.content_type;
  res.body = std::move(file.bytes);
  res.SetHeader("ETag", "\"" + file.info.sha256 + "\"");
  res.SetHeader("Cache-Control", "private, max-age=86400, immutable");
  res.SetHeader("Content-Disposition", "inline");
  res.SetHeader("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace

void RegisterFileRoutes(Api& api, files::FileService& files, requests::RequestService& requests) {
  Router& r = api.router();

  r.Add("POST", std::string(kUploadPrefix), Auth::kRequired,
        [&files](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto info,
                              files.Upload(req.actor(), req.Header("content-type"), req.body));
          Response res = Response::Json(201, FileInfoJson(info));
          res.SetHeader("Location", std::string(kUploadPrefix) + "/" + info.id);
          return res;
        });

  // Where the upload's Location points: the uploader's own preview.
  r.Add("GET", std::string(kUploadPrefix) + "/{file_id}", Auth::kRequired,
        [&files](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto file,
                              files.ReadOwnUnattached(req.actor(), req.Param("file_id")));
          return PhotoResponse(std::move(file));
        });

  r.Add("GET", "/api/v1/requests/{id}/attachments/{file_id}", Auth::kRequired,
        [&requests](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(
              auto file, requests.Attachment(req.actor(), req.Param("id"), req.Param("file_id")));
          return PhotoResponse(std::move(file));
        });
}

}  // namespace xietong::http
