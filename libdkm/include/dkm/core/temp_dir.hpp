#pragma once
// A directory that exists for the lifetime of one object.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace dkm {

/// Creates a unique directory (mkdtemp) and removes it with its content on destruction.
class TempDir {
 public:
  /// Creates `parent/prefixXXXXXX`; parent defaults to $TMPDIR or /tmp.
  explicit TempDir(const std::string& prefix = "dkm-", fs::path parent = {}) {
    if (parent.empty()) {
      const char* env = ::getenv("TMPDIR");
      parent = env && *env ? env : "/tmp";
    }
    std::string templ = (parent / (prefix + "XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) throw Error(templ + ": cannot create directory: " + errno_text());
    path_ = templ;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (keep_) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }

  /// The directory's path.
  const fs::path& path() const { return path_; }
  /// Keeps the directory after destruction (the caller took ownership of it).
  void release() { keep_ = true; }

 private:
  fs::path path_;
  bool keep_ = false;
};

}  // namespace dkm
