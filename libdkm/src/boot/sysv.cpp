// The SysV init script: an LSB header (update-rc.d, insserv) and a chkconfig header
#include "sysv.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/boot/target.hpp>

#include <string>
#include <vector>

namespace dkm::boot {

std::vector<std::pair<fs::path, fs::path>> sysv_runlevel_links(const std::string& service) {
  std::vector<std::pair<fs::path, fs::path>> links;
  for (char level : std::string("0123456")) {
    bool start = level >= '2' && level <= '5';
    std::string dir = std::string("/etc/rc") + level + ".d";
    links.emplace_back(fs::path(dir) / ((start ? "S80" : "K20") + service), fs::path("../init.d") / service);
  }
  return links;
}

std::string render_sysv_script(const BootTarget& target) {
  kainjow::mustache::data values;
  values.set("service", target.service());
  values.set("instance_description", target.instance.empty() ? "" : " (" + target.instance + ")");
  values.set("home_comment", target.home.string());
  values.set("dkmadmin_comment", shell_quote(target.dkmadmin().string()));
  values.set("name_flag", target.name_flag());
  values.set("home_marker", std::string(kHomeMarker) + target.home.string());
  values.set("home", shell_quote(target.home.string()));
  values.set("user", shell_quote(target.user));
  values.set("run_as_root", target.run_as_root);
  return render_boot_template(kSysvScriptTemplate, values);
}

}  // namespace dkm::boot
