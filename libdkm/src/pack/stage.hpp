#pragma once
// Staging: copying files into a bundle tree and keeping track of who put what where.
// A component's [[stage]] rules select installed files by glob (relative to its install
// tree, or to its source tree with `tree = "source"`) and name their place in the bundle: `to = "bin/"` puts each match into bin/,
// `to = "static"` makes the single match (a file or a whole directory) static.
// Nothing is overwritten: two sources for one bundle path is an error naming both.
// Implementation: libdkm/src/pack/stage.cpp.

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
  std::vector<std::string> files_of(const std::string& owner) const;

  /// Copies a file, a symbolic link or a directory (recursively) to bundle path `dest`.
  /// `what` names the source of the copy in messages ("recipes/x.toml:12: [[stage]] ...").
  void copy(const fs::path& source, const std::string& dest, const std::string& owner, const std::string& what);

  /// Writes a file of the bundle (VERSION, manifest.json, ...).
  void write(const std::string& dest, const std::string& content, const std::string& owner, mode_t mode = 0644);

  /// Creates a directory of the bundle (empty if nothing lands in it).
  void make_directory(const std::string& dest) { fs::create_directories(root_ / dest); }

 private:
  /// Refuses absolute paths and paths that leave the bundle.
  static void check_bundle_path(const std::string& dest, const std::string& what);

  void claim(const std::string& dest, const std::string& owner, const std::string& what);

  fs::path root_;
  std::map<std::string, std::string> owners_;
};

/// The paths a glob matches, sorted; `root`'s own characters are taken literally.
std::vector<fs::path> glob_under(const fs::path& root, const std::string& pattern);

/// Applies one component's [[stage]] rules from its install tree (or, for `tree =
/// "source"`, its source tree); a rule matching nothing, or several files for a single
/// destination, is an error naming the rule.
void stage_component(StageTree& tree, const Recipe& recipe, const fs::path& install_dir,
                            const fs::path& source_dir);

}  // namespace dkm::pack
