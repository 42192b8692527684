// Where dkmpack keeps things in its build directory (default build/dkmpack). The bundle
#include <dkm/pack/build_layout.hpp>

#include <dkm/core/files.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace dkm::pack {

bool BuildLayout::installed(const std::string& name) const {
  std::error_code ec;
  return fs::is_regular_file(stamp(name, Step::install), ec) && fs::is_directory(install_dir(name), ec) &&
         fs::is_regular_file(source_record(name), ec);
}

}  // namespace dkm::pack
