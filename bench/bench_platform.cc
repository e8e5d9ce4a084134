#include "bench_platform.h"

#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>

namespace xietong::bench {

Result<std::unique_ptr<BenchPlatform>> BenchPlatform::Open(std::string_view bench,
                                                           std::string data_dir,
                                                           std::string database,
                                                           std::string_view writer_pragmas) {
  std::unique_ptr<BenchPlatform> out(new BenchPlatform());
  if (data_dir.empty()) {
    out->owned_dir_ = (std::filesystem::temp_directory_path() /
                       fmt::format("{}-{}", bench, static_cast<long>(::getpid())))
                          .string();
    data_dir = out->owned_dir_;
  }
  app::PlatformOptions options;
  options.data_dir = std::move(data_dir);
  options.database = std::move(database);
  XT_ASSIGN_OR_RETURN(out->platform_, app::Platform::Open(options));
  if (!writer_pragmas.empty()) {
    // Write runs on the one writer connection; readers keep their settings.
    XT_TRY_VOID(out->platform_->db().Write([&](storage::Executor& ex) -> Result<void> {
      std::string script;
      std::string_view rest = writer_pragmas;
      while (!rest.empty()) {
        const auto semi = rest.find(';');
        script += fmt::format("PRAGMA {};", rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      }
      return ex.ExecScript(script);
    }));
  }
  return out;
}

BenchPlatform::~BenchPlatform() {
  platform_.reset();  // closes the database before its folder goes
  if (!owned_dir_.empty()) std::filesystem::remove_all(owned_dir_);
}

}  // namespace xietong::bench
