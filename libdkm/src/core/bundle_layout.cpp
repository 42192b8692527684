// The bundle's layout, shared by the assembly (pack) and the installer (install).
#include <dkm/core/bundle_layout.hpp>

#include <dkm/core/strings.hpp>

#include <map>

namespace dkm {

const std::vector<std::pair<std::string, std::string>>& Bundle::front_ends() {
  static const std::vector<std::pair<std::string, std::string>> tools = {
      {"installer", "installer"}, {"dkm", "bin/dkm"}, {"dkmadmin", "bin/dkmadmin"}};
  return tools;
}

const std::vector<std::string>& Bundle::project_directories() {
  static const std::vector<std::string> dirs = {"conf", "templates", "dashboards"};
  return dirs;
}

Bundle::Bundle(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
  if (!root_.has_filename()) root_ = root_.parent_path();
}

Bundle Bundle::of_running_program() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("/proc/self/exe: cannot tell where this installer is: " + ec.message());
  return Bundle(exe.parent_path());
}

std::string Bundle::version(const std::string& fallback) const {
  std::error_code ec;
  if (!fs::is_regular_file(root_ / kVersionFile, ec)) return fallback;
  std::string text(trim(split(read_file(root_ / kVersionFile), '\n').front()));
  return text.empty() ? fallback : text;
}

std::vector<std::string> Bundle::required_entries(const std::string& service, bool bundled_collectd) {
  static const std::map<std::string, std::vector<std::string>> needs{
      {"go-carbon", {"bin/go-carbon"}},
      {"carbonapi", {"bin/carbonapi"}},
      {"grafana", {"bin/grafana", "static", "lib/grafana/conf/defaults.ini"}},
      {"collectd", {"bin/collectd", "lib/collectd/types.db"}},
      {"carbon-c-relay", {"bin/carbon-c-relay"}},
  };
  if (service == "collectd" && !bundled_collectd) return {};
  auto it = needs.find(service);
  return it == needs.end() ? std::vector<std::string>{} : it->second;
}

void Bundle::check(const std::vector<std::string>& services, bool bundled_collectd, const std::string& what) const {
  std::vector<std::string> wanted;
  for (const auto& [tool, place] : front_ends())
    if (tool != "installer") wanted.push_back(place);
  wanted.push_back("templates");
  for (const auto& service : services)
    for (const auto& entry : required_entries(service, bundled_collectd)) wanted.push_back(entry);
  std::vector<std::string> missing;
  for (const auto& entry : wanted) {
    std::error_code ec;
    if (!fs::exists(root_ / entry, ec)) missing.push_back(entry);
  }
  if (!missing.empty())
    throw Error("the bundle " + root_.string() + " lacks " + join(missing, ", ") + ", needed by " + what +
                " (is this installer inside a complete dkumonitor bundle?)");
}

}  // namespace dkm
