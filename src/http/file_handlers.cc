#include "http/file_handlers.h"

#include "http/api_schemas.h"
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

Response FileResponse(files::File file) {
  Response res;
  res.content_type = file.info.content_type;
  res.body = std::move(file.bytes);
  res.SetHeader("ETag", "\"" + file.info.sha256 + "\"");
  res.SetHeader("Cache-Control", "private, max-age=86400, immutable");
  res.SetHeader("Content-Disposition", "inline");
  res.SetHeader("X-Content-Type-Options", "nosniff");
  return res;
}

std::vector<BodyDoc> FileBodies() {
  std::vector<BodyDoc> out;
  for (auto type : {"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"})
    out.push_back({std::string(type), {{"type", "string"}, {"contentMediaType", type}}});
  return out;
}

AnswerDoc FileAnswer() {
  return {200, "the file's bytes, as uploaded", FileBodies(), {doc::ETag()}};
}

void RegisterFileRoutes(Api& api, files::FileService& files, requests::RequestService& requests) {
  Router& r = api.router();

  r.Add("POST", std::string(kUploadPrefix), Auth::kRequired,
        {.summary = "Upload a photo or PDF (the raw bytes), to list its id in a request's "
                    "attachment_ids or an application's materials",
         .summary_zh = "上传照片或材料",
         .tag = "files",
         .description = "The type is told by the bytes and must agree with Content-Type; at most "
                        "8 MiB. A request takes photos only; an application's materials take "
                        "photos and PDF. Unattached uploads are deleted after 24 hours.",
         .body = FileBodies(),
         .answers = {doc::Ok(doc::Ref("FileInfo"), 201, {doc::Location()})},
         .errors = {400, 413, 429}},
        [&files](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto info,
                              files.Upload(req.actor(), req.Header("content-type"), req.body));
          Response res = Response::Json(201, FileInfoJson(info));
          res.SetHeader("Location", std::string(kUploadPrefix) + "/" + info.id);
          return res;
        });

  // Where the upload's Location points: the uploader's own preview.
  r.Add("GET", std::string(kUploadPrefix) + "/{file_id}", Auth::kRequired,
        {.summary = "The uploader's own file, before it is attached to a request or application",
         .summary_zh = "预览已上传照片",
         .tag = "files",
         .path = {doc::PathId("file_id", "the upload's id")},
         .answers = {FileAnswer()},
         .errors = {404}},
        [&files](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(auto file,
                              files.ReadOwnUnattached(req.actor(), req.Param("file_id")));
          return FileResponse(std::move(file));
        });

  r.Add("GET", "/api/v1/requests/{id}/attachments/{file_id}", Auth::kRequired,
        {.summary = "A photo of a request, for whoever may read the request",
         .summary_zh = "工单照片",
         .tag = "files",
         .path = {doc::PathId("id", "the request's id"),
                  doc::PathId("file_id",
                              "one of the request's attachment_ids or reply_attachment_ids")},
         .answers = {FileAnswer()},
         .errors = {404}},
        [&requests](Request& req) -> Result<Response> {
          XT_ASSIGN_OR_RETURN(
              auto file, requests.Attachment(req.actor(), req.Param("id"), req.Param("file_id")));
          return FileResponse(std::move(file));
        });
}

}  // namespace xietong::http
