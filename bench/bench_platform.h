// The platform a bench measures, opened as `serve` opens it: in --data-dir,
// or, given only --database, with its own files (the signing key) in a temp
// folder that is removed with it. Writer PRAGMAs (SQLite what-ifs such as
// "temp_store=MEMORY;cache_size=-65536") apply to the writer connection only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "app/platform.h"
#include "core/result.h"

namespace xietong::bench {

class BenchPlatform {
 public:
  static Result<std::unique_ptr<BenchPlatform>> Open(std::string_view bench, std::string data_dir,
                                                     std::string database,
                                                     std::string_view writer_pragmas);
  ~BenchPlatform();
  BenchPlatform(const BenchPlatform&) = delete;
  BenchPlatform& operator=(const BenchPlatform&) = delete;

  app::Platform& operator*() { return *platform_; }

 private:
  BenchPlatform() = default;
  std::unique_ptr<app::Platform> platform_;
  std::string owned_dir_;  // removed on destruction; "" for a given --data-dir
};

}  // namespace xietong::bench
