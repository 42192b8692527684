// What a boot service starts: one install directory, as one account, under one
#include <dkm/boot/target.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/boot/init_system.hpp>

#include <kainjow/mustache.hpp>
#include <sys/types.h>
#include <string>
#include <vector>

namespace dkm::boot {

fs::path marked_home(const std::string& text) {
  size_t pos = text.find(std::string("\n") + std::string(kHomeMarker));
  if (pos == std::string::npos) {
    if (text.rfind(kHomeMarker, 0) != 0) return {};
    pos = 0;
  } else {
    ++pos;
  }
  pos += kHomeMarker.size();
  return text.substr(pos, text.find('\n', pos) - pos);
}

void check_bootable_path(const fs::path& path, const std::string& what) {
  for (char c : path.string()) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\')
      throw UsageError(what + " '" + path.string() +
                       "': holds a control character, '\"' or '\\', which a boot service cannot carry; "
                       "use a directory without them");
  }
}

std::string render_boot_template(const std::string& text, const kainjow::mustache::data& values) {
  kainjow::mustache::mustache tmpl(text);
  if (!tmpl.is_valid()) throw Error("boot template: " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  return tmpl.render(values);
}

}  // namespace dkm::boot
