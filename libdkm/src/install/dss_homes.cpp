// DSS data directories watched apart: see dss_homes.hpp.
#include <dkm/install/dss_homes.hpp>

#include <dkm/core/strings.hpp>

#include <cctype>

namespace dkm::install {

std::string dss_home_label(const fs::path& directory) {
  std::string label = directory.relative_path().string();
  for (char& c : label)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return label;
}

std::string posix_regex_literal(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".[]()*+?{}|^$\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::vector<DssHome> parse_dss_homes(const std::vector<std::string>& values,
                                     const std::function<std::string(const std::string&)>& path_problem,
                                     const std::string& flag) {
  std::vector<DssHome> homes;
  for (const auto& value : values) {
    if (trim(value).empty()) throw UsageError(flag + ": the directory name is empty");
    fs::path dir = fs::path(value).lexically_normal();
    if (!dir.has_filename() && dir != dir.root_path()) dir = dir.parent_path();
    if (!dir.is_absolute())
      throw UsageError(flag + ": '" + value + "' is not absolute; give the DSS data directory as DSS names it "
                       "(DIP_HOME, e.g. /data/dataiku/dss_data)");
    if (dir == dir.root_path()) throw UsageError(flag + ": '" + value + "' is the root directory, not a DSS data directory");
    if (std::string why = path_problem(dir.string()); !why.empty()) throw UsageError(flag + ": '" + value + "': " + why);
    DssHome home{dir, dss_home_label(dir)};
    if (home.label.size() > kMaxDssLabel)
      throw UsageError(flag + ": '" + value + "' is too long (" + std::to_string(home.label.size()) +
                       " characters as a metric name; at most " + std::to_string(kMaxDssLabel) + ")");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw UsageError(flag + ": '" + value + "' is not a directory");
    for (const auto& known : homes) {
      if (known.directory == home.directory) throw UsageError(flag + ": '" + value + "' is given twice");
      if (known.label == home.label)
        throw UsageError(flag + ": '" + known.directory.string() + "' and '" + home.directory.string() +
                         "' would both be named " + home.label + " in metric names; give only one of them");
    }
    homes.push_back(home);
  }
  return homes;
}

nlohmann::json dss_process_sets_template_values(const std::vector<DssHome>& homes) {
  nlohmann::json list = nlohmann::json::array();
  if (homes.empty())
    list.push_back({{"about", "Every DSS process of the host (installed without --dss-home)."},
                    {"suffix", ""}, {"before", "java.* "}, {"after", "( |$)"}});
  for (const auto& home : homes) {
    std::string quoted;
    for (char c : posix_regex_literal(home.directory.string())) quoted += c == '\\' ? std::string("\\\\") : std::string(1, c);
    list.push_back({{"about", "The DSS instance whose data directory is " + home.directory.string() +
                                  " (--dss-home): its processes name it in their class path."},
                    {"suffix", "-" + home.label}, {"before", "java "}, {"after", " .*-cp " + quoted + "/bin:"}});
  }
  return list;
}

}  // namespace dkm::install
