// Staging: copying files into a bundle tree and keeping track of who put what where.
#include "stage.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/recipe.hpp>

#include <glob.h>
#include <map>
#include <string>
#include <vector>

namespace dkm::pack {

std::vector<fs::path> glob_under(const fs::path& root, const std::string& pattern) {
  std::string escaped;
  for (char c : root.string()) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') escaped += '\\';
    escaped += c;
  }
  glob_t g{};
  int rc = ::glob((escaped + "/" + pattern).c_str(), GLOB_ERR, nullptr, &g);
  std::vector<fs::path> out;
  if (rc == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  if (rc != 0 && rc != GLOB_NOMATCH) throw Error(root.string() + ": cannot read while matching '" + pattern + "'");
  return out;  // glob(3) sorts
}

void stage_component(StageTree& tree, const Recipe& recipe, const fs::path& install_dir,
                            const fs::path& source_dir) {
  for (const auto& rule : recipe.stage) {
    std::string what = at_line(recipe.file.string(), rule.line, "[[stage]] from '" + rule.from + "' to '" + rule.to + "'");
    const bool from_source = rule.tree == StageTreeKind::source;
    const fs::path& root = from_source ? source_dir : install_dir;
    if (rule.from.empty() || fs::path(rule.from).is_absolute())
      throw UsageError(what + ": 'from' must be a glob relative to the " + (from_source ? "source" : "install") + " tree");
    std::vector<fs::path> matches = glob_under(root, rule.from);
    if (matches.empty()) throw Error(what + ": matches nothing in " + root.string());
    bool into = !rule.to.empty() && rule.to.back() == '/';
    if (!into && matches.size() > 1)
      throw UsageError(what + ": matches " + std::to_string(matches.size()) +
                       " files; end 'to' with '/' to put them into a directory");
    std::string to = rule.to;
    while (!to.empty() && to.back() == '/') to.pop_back();
    for (const auto& m : matches) {
      std::string dest = into ? (to.empty() ? "" : to + "/") + m.filename().string() : to;
      tree.copy(m, dest, recipe.name, what);
    }
  }
}

std::vector<std::string> StageTree::files_of(const std::string& owner) const {
  std::vector<std::string> out;
  for (const auto& [path, who] : owners_)
    if (who == owner) out.push_back(path);
  return out;
}

void StageTree::copy(const fs::path& source, const std::string& dest, const std::string& owner, const std::string& what) {
  check_bundle_path(dest, what);
  std::error_code ec;
  auto status = fs::symlink_status(source, ec);
  if (ec || !fs::exists(status)) throw Error(what + ": " + source.string() + " does not exist");
  if (fs::is_directory(status)) {
    fs::create_directories(root_ / dest, ec);
    if (ec) throw Error(what + ": cannot create " + (root_ / dest).string() + ": " + ec.message());
    for (const auto& e : fs::directory_iterator(source, ec))
      copy(e.path(), dest + "/" + e.path().filename().string(), owner, what);
    if (ec) throw Error(what + ": cannot read " + source.string() + ": " + ec.message());
    return;
  }
  claim(dest, owner, what);
  fs::path target = root_ / dest;
  fs::create_directories(target.parent_path(), ec);
  if (fs::is_symlink(status)) fs::copy_symlink(source, target, ec);
  else fs::copy_file(source, target, ec);  // keeps the permission bits
  if (ec) throw Error(what + ": cannot copy " + source.string() + " to " + target.string() + ": " + ec.message());
}

void StageTree::write(const std::string& dest, const std::string& content, const std::string& owner, mode_t mode) {
  claim(dest, owner, dest);
  fs::create_directories((root_ / dest).parent_path());
  write_file_atomic(root_ / dest, content, mode);
}

void StageTree::check_bundle_path(const std::string& dest, const std::string& what) {
  fs::path p(dest);
  if (dest.empty() || p.is_absolute()) throw UsageError(what + ": '" + dest + "' must be a path relative to the bundle");
  for (const auto& part : p)
    if (part == "..") throw UsageError(what + ": '" + dest + "' leaves the bundle");
}

void StageTree::claim(const std::string& dest, const std::string& owner, const std::string& what) {
  std::string key = fs::path(dest).lexically_normal().generic_string();
  auto [it, inserted] = owners_.emplace(key, owner);
  if (!inserted) throw UsageError(what + ": " + key + " is already staged by " + it->second);
}

}  // namespace dkm::pack
