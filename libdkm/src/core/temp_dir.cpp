// A directory that exists for the lifetime of one object.
#include <dkm/core/temp_dir.hpp>

#include <stdlib.h>

namespace dkm {

TempDir::TempDir(const std::string& prefix, fs::path parent) {
  if (parent.empty()) {
    const char* env = ::getenv("TMPDIR");
    parent = env && *env ? env : "/tmp";
  }
  std::string templ = (parent / (prefix + "XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) throw Error(templ + ": cannot create directory: " + errno_text());
  path_ = templ;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace dkm
