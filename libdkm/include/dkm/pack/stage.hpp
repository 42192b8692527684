#pragma once
// Staging: copying files into a bundle tree and keeping track of who put what where.
// A component's [[stage]] rules select installed files by glob (relative to its install
// tree, or to its source tree with `tree = "source"`) and name their place in the bundle: `to = "bin/"` puts each match into bin/,
// `to = "static"` makes the single match (a file or a whole directory) static.
// Nothing is overwritten: two sources for one bundle path is an error naming both.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/recipe.hpp>

#include <glob.h>

#include <map>
#include <string>
#include <vector>

namespace dkm::pack {

/// A bundle tree being filled, with the owner of every file put into it.
class StageTree {
 public:
  /// A tree rooted at `root` (an existing, empty directory).
  explicit StageTree(fs::path root) : root_(std::move(root)) {}

  /// The tree's root.
  const fs::path& root() const { return root_; }
  /// Bundle path -> who staged it ("go-carbon", "dkumonitor", ...).
  const std::map<std::string, std::string>& owners() const { return owners_; }
  /// The bundle paths of the files `owner` staged, sorted.
  std::vector<std::string> files_of(const std::string& owner) const {
    std::vector<std::string> out;
    for (const auto& [path, who] : owners_)
      if (who == owner) out.push_back(path);
    return out;
  }

  /// Copies a file, a symbolic link or a directory (recursively) to bundle path `dest`.
  /// `what` names the source of the copy in messages ("recipes/x.toml:12: [[stage]] ...").
  void copy(const fs::path& source, const std::string& dest, const std::string& owner, const std::string& what) {
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

  /// Writes a file of the bundle (VERSION, manifest.json, ...).
  void write(const std::string& dest, const std::string& content, const std::string& owner, mode_t mode = 0644) {
    claim(dest, owner, dest);
    fs::create_directories((root_ / dest).parent_path());
    write_file_atomic(root_ / dest, content, mode);
  }

  /// Creates a directory of the bundle (empty if nothing lands in it).
  void make_directory(const std::string& dest) { fs::create_directories(root_ / dest); }

 private:
  /// Refuses absolute paths and paths that leave the bundle.
  static void check_bundle_path(const std::string& dest, const std::string& what) {
    fs::path p(dest);
    if (dest.empty() || p.is_absolute()) throw UsageError(what + ": '" + dest + "' must be a path relative to the bundle");
    for (const auto& part : p)
      if (part == "..") throw UsageError(what + ": '" + dest + "' leaves the bundle");
  }

  void claim(const std::string& dest, const std::string& owner, const std::string& what) {
    std::string key = fs::path(dest).lexically_normal().generic_string();
    auto [it, inserted] = owners_.emplace(key, owner);
    if (!inserted) throw UsageError(what + ": " + key + " is already staged by " + it->second);
  }

  fs::path root_;
  std::map<std::string, std::string> owners_;
};

/// The paths a glob matches, sorted; `root`'s own characters are taken literally.
inline std::vector<fs::path> glob_under(const fs::path& root, const std::string& pattern) {
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

/// Applies one component's [[stage]] rules from its install tree (or, for `tree =
/// "source"`, its source tree); a rule matching nothing, or several files for a single
/// destination, is an error naming the rule.
inline void stage_component(StageTree& tree, const Recipe& recipe, const fs::path& install_dir,
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

}  // namespace dkm::pack
