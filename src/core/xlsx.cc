#include "core/xlsx.h"

#include <fmt/core.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace xietong {
namespace {

// Removes the file when it goes out of scope.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

}  // namespace

Result<std::string> WorkbookBytes(const std::function<lxw_error(lxw_workbook*)>& fill) {
  std::error_code ec;
  const auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Fail(Error::Internal("no temporary directory for the XLSX export"));
  std::string name = (dir / "xietong-XXXXXX.xlsx").string();
  const int fd = mkstemps(name.data(), 5);
  if (fd < 0) return Fail(Error::Internal("cannot create a temporary file for the XLSX export"));
  close(fd);
  TempFile file{name};

  lxw_workbook* wb = workbook_new(file.path.c_str());
  if (wb == nullptr) return Fail(Error::Internal("cannot start the XLSX export"));
  lxw_error first_error = fill(wb);
  const lxw_error closed = workbook_close(wb);  // frees wb whatever it returns
  if (first_error == LXW_NO_ERROR) first_error = closed;
  if (first_error != LXW_NO_ERROR)
    return Fail(Error::Internal(
        fmt::format("writing the XLSX export failed: {}", lxw_strerror(first_error))));

  std::ifstream in(file.path, std::ios::binary);
  if (!in.is_open()) return Fail(Error::Internal("cannot read back the XLSX export"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

}  // namespace xietong
