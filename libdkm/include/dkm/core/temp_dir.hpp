#pragma once
// A directory that exists for the lifetime of one object.
// Implementation: libdkm/src/core/temp_dir.cpp.

#include <dkm/core/files.hpp>

#include <string>

namespace dkm {

/// Creates a unique directory (mkdtemp) and removes it with its content on destruction.
class TempDir {
 public:
  /// Creates `parent/prefixXXXXXX`; parent defaults to $TMPDIR or /tmp.
  explicit TempDir(const std::string& prefix = "dkm-", fs::path parent = {});
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  /// The directory's path.
  const fs::path& path() const { return path_; }
  /// Keeps the directory after destruction (the caller took ownership of it).
  void release() { keep_ = true; }

 private:
  fs::path path_;
  bool keep_ = false;
};

}  // namespace dkm
