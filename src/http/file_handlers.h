// Routes for files: POST /api/v1/attachments takes the raw bytes of one
// photo (Content-Type image/jpeg, png, webp or heic) or PDF and answers its id,
// to be listed in a request's attachment_ids (photos only) or an
// application's materials; GET
// /api/v1/requests/{id}/attachments/{file_id} serves a request's photo to
// whoever may read the request. Thin: parse, call the services, encode.
#pragma once

#include "files/file_service.h"
#include "http/api.h"
#include "requests/request_service.h"

namespace xietong::http {

// The route prefix whose bodies may be as large as a photo (the server reads
// other bodies with its smaller general limit).
inline constexpr std::string_view kUploadPrefix = "/api/v1/attachments";

void RegisterFileRoutes(Api& api, files::FileService& files, requests::RequestService& requests);

json::Json FileInfoJson(const files::FileInfo& f);
// A stored file's bytes as an answer (its type, ETag, inline, nosniff).
Response FileResponse(files::File file);
// The upload body types, for route documentation.
std::vector<BodyDoc> FileBodies();
AnswerDoc FileAnswer();

}  // namespace xietong::http
