// The install directory's layout, its environment file, and finding it from a front end.
#include <dkm/core/install_layout.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>

#include <cstdlib>

namespace dkm {

InstallLayout::InstallLayout(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
  if (!root_.has_filename()) root_ = root_.parent_path();  // "DIR/" names DIR
}

bool InstallLayout::holds_install() const {
  std::error_code ec;
  return fs::is_regular_file(env_file(), ec);
}

InstallLayout canonical_install(const InstallLayout& layout) {
  std::error_code ec;
  fs::path real = fs::canonical(layout.root(), ec);
  return ec ? layout : InstallLayout(real);
}

std::map<std::string, std::string> parse_env_file(const std::string& text, const std::string& name) {
  std::map<std::string, std::string> vars;
  long line_no = 0;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw Error(at_line(name, line_no, "expected KEY=VALUE"));
    std::string key(trim(line.substr(0, eq)));
    std::string_view value = trim(line.substr(eq + 1));
    std::string out;
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      // shell_quote's form: 'a'"'"'b' for a'b
      std::string_view inner = value.substr(1, value.size() - 2);
      for (size_t i = 0; i < inner.size(); ++i) {
        if (inner.compare(i, 5, "'\"'\"'") == 0) {
          out += '\'';
          i += 4;
        } else {
          out += inner[i];
        }
      }
    } else if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      out = std::string(value.substr(1, value.size() - 2));
    } else {
      out = std::string(value);
    }
    vars[key] = out;
  }
  return vars;
}

std::string render_env_file(const std::map<std::string, std::string>& vars) {
  std::string out = "# Written by the dkumonitor installer; refreshed by `installer -u`.\n";
  for (const auto& [k, v] : vars) out += k + "=" + shell_quote(v) + "\n";
  return out;
}

InstallLayout find_install(const std::string& explicit_dir, const std::string& argv0) {
  if (!explicit_dir.empty()) return InstallLayout(explicit_dir);
  if (const char* home = std::getenv("DKM_HOME"); home && *home) return InstallLayout(home);
  fs::path invoked = argv0;
  if (argv0.find('/') == std::string::npos) {
    const char* path_var = std::getenv("PATH");
    if (fs::path found = search_path(argv0, path_var ? path_var : ""); !found.empty()) invoked = found;
  }
  fs::path bin_dir = fs::absolute(invoked).lexically_normal().parent_path();
  InstallLayout guess(bin_dir.parent_path());
  if (bin_dir.filename() == "bin" && guess.holds_install()) return guess;
  throw UsageError("cannot tell which install to use: run DIR/bin/" + fs::path(argv0).filename().string() +
                   ", set DKM_HOME=DIR, or pass -d DIR");
}

}  // namespace dkm
