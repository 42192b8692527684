#pragma once
// Bundle assembly, after the components are built: stage NAME-VERSION/ from their
// installed files and the project's own (front ends, dist/, licenses), check its health,
// describe it (manifest.json, SBOM), and put it in place atomically. The stage is built
// in a temporary directory beside its final place and swapped in only when complete, so
// a failure (a health violation, a missing file) leaves the previous stage untouched.
//
//   BUILD/bundle/NAME-VERSION/           the stage (what the archive and packages hold)
//   BUILD/bundle/cpack-settings.cmake    what CPack packages (see packaging.hpp)
//
// The stage's layout:
//   installer                     the installer front end
//   bin/dkm, bin/dkmadmin         the other front ends, and the components' binaries
//   lib/collectd/, static/, ...   wherever the recipes' [[stage]] rules put things
//   conf/ templates/ dashboards/  from the project's dist/
//   licenses/NAME/...             each component's license files, and the project's own
//   VERSION, manifest.json, sbom.spdx.json

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/health.hpp>
#include <dkm/pack/manifest.hpp>
#include <dkm/pack/packaging.hpp>
#include <dkm/pack/recipe.hpp>
#include <dkm/pack/sbom.hpp>
#include <dkm/pack/source_date.hpp>
#include <dkm/pack/source_record.hpp>
#include <dkm/pack/stage.hpp>

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace dkm::pack {

/// The front ends every bundle carries, and where.
inline const std::vector<std::pair<std::string, std::string>>& front_ends() {
  static const std::vector<std::pair<std::string, std::string>> tools = {
      {"installer", "installer"}, {"dkm", "bin/dkm"}, {"dkmadmin", "bin/dkmadmin"}};
  return tools;
}

/// The payload directories copied from the project's dist/.
inline const std::vector<std::string>& dist_directories() {
  static const std::vector<std::string> dirs = {"conf", "templates", "dashboards"};
  return dirs;
}

/// How to assemble.
struct AssemblyOptions {
  fs::path project_dir;                       ///< holds dist/ and LICENSE (default: the recipes directory's parent)
  fs::path tools_dir;                         ///< holds installer, dkm and dkmadmin
  std::string project_license = "Apache-2.0"; ///< SPDX expression of the project's LICENSE
  std::string tool = "dkmpack";               ///< the SBOM's creator ("dkmpack-0.1.0")
  std::ostream* progress = nullptr;           ///< one line per phase, when set
};

/// What assembly produced.
struct AssembledBundle {
  StagedBundle staged;        ///< name, version, stage, epoch, arch, license
  fs::path settings;          ///< BUILD/bundle/cpack-settings.cmake
  HealthReport health;        ///< the (passed) health check
  size_t files = 0;           ///< files in the stage
  uint64_t bytes = 0;         ///< their total size
};

/// BUILD/bundle: the stage, the CPack settings and CPack's work area.
inline fs::path bundle_dir(const BuildLayout& build) { return build.root() / "bundle"; }
/// BUILD/bundle/cpack-settings.cmake.
inline fs::path cpack_settings_file(const BuildLayout& build) { return bundle_dir(build) / "cpack-settings.cmake"; }

namespace assemble_detail {

/// Puts a finished directory at `target`: swapped atomically with an existing one (the
/// old one is left at `finished`'s path for the caller to remove), or renamed into place.
inline void swap_into_place(const fs::path& finished, const fs::path& target) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec))) {
    if (::renameat2(AT_FDCWD, finished.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) return;
    throw Error(target.string() + ": cannot replace the stage: " + errno_text());
  }
  if (::rename(finished.c_str(), target.c_str()) != 0) throw Error(target.string() + ": cannot create the stage: " + errno_text());
}

/// Removes stage directories left by interrupted assemblies (".NAME-VERSION.tmp*").
inline void remove_stale_stages(const fs::path& dir, const std::string& top) {
  std::string prefix = "." + top + ".tmp";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
}

/// Where a license file goes under licenses/NAME/: its path inside the source tree.
inline std::string license_destination(const std::string& component, const fs::path& file, const fs::path& source_dir) {
  fs::path rel = file.lexically_normal().lexically_relative(source_dir.lexically_normal());
  if (rel.empty() || *rel.begin() == "..") rel = file.filename();
  return "licenses/" + component + "/" + rel.generic_string();
}

}  // namespace assemble_detail

/// Stages, checks and describes the bundle of `recipes` (bundle.toml required) from what is
/// built in `build`; returns where it is. Throws Error (nothing changed) on any fault.
inline AssembledBundle assemble_bundle(const RecipeSet& recipes, const BuildLayout& build, const AssemblyOptions& opt) {
  using namespace assemble_detail;
  if (!recipes.bundle) throw UsageError((recipes.dir / "bundle.toml").string() + ": missing; assembly needs the bundle description");
  const BundleDescription& b = *recipes.bundle;
  auto say = [&](const std::string& line) {
    if (opt.progress) *opt.progress << "[bundle] " << line << std::endl;
  };
  for (const auto& name : b.components)
    if (!build.installed(name))
      throw Error("component '" + name + "' is not built (no " + build.source_record(name).string() +
                  "); run dkmpack without --skip-build first");

  AssembledBundle out;
  StagedBundle& staged = out.staged;
  staged.name = b.name;
  staged.version = b.version;
  staged.arch = machine_arch();
  staged.license = opt.project_license;
  staged.epoch = source_date_epoch(opt.project_dir);
  fs::path parent = bundle_dir(build);
  fs::create_directories(parent);
  remove_stale_stages(parent, staged.top());
  staged.stage = parent / staged.top();
  say("staging " + staged.stage.string());

  TempDir tmp("." + staged.top() + ".tmp", parent);  // removed unless it becomes the stage
  StageTree tree(tmp.path());
  for (const auto& [tool, dest] : front_ends()) {
    fs::path exe = opt.tools_dir / tool;
    if (!fs::is_regular_file(exe)) throw Error(exe.string() + ": front end missing; build the tools (or pass --tools-dir DIR)");
    tree.copy(exe, dest, b.name, "front end " + tool);
  }

  std::vector<ManifestComponent> components;
  for (const auto& name : b.components) {
    const Recipe* recipe = recipes.find(name);
    if (!recipe) throw UsageError(at_line(b.file.string(), b.components_line, "component '" + name + "' has no recipe"));
    SourceRecord record = read_source_record(build.source_record(name));
    stage_component(tree, *recipe, build.install_dir(name), build.source_dir(name));
    for (const auto& lf : record.license_files) {
      std::string dest = license_destination(name, lf, build.source_dir(name));
      tree.copy(lf, dest, name, recipe->file.string() + ": license_files");
    }
    components.push_back({record, {}, {}});
  }

  for (const auto& dir : dist_directories()) {
    tree.make_directory(dir);
    fs::path from = opt.project_dir / "dist" / dir;
    if (fs::is_directory(from)) tree.copy(from, dir, b.name, from.string());
  }
  fs::path license = opt.project_dir / "LICENSE";
  if (!fs::is_regular_file(license)) throw Error(license.string() + ": the project's license is missing");
  tree.copy(license, "licenses/" + b.name + "/LICENSE", b.name, license.string());
  tree.write("VERSION", b.version + "\n", b.name);

  out.health = check_health(tree.root(), b.health_allow);
  if (!out.health.ok())
    throw Error("health check failed: ELF files of the bundle need shared libraries outside libc's family "
                "and the bundle:\n" + out.health.describe() + "(a library every target host has may be allowed in " +
                b.file.string() + " [health] allow)");
  say("health check: " + std::to_string(out.health.elf_files) + " ELF files need only libc's family and the bundle");

  // The project itself is the first component: its front ends, dist/ and license.
  SourceRecord self;
  self.name = b.name;
  self.version = b.version;
  self.license = opt.project_license;
  self.type = "path";
  try {
    self.commit = last_commit(opt.project_dir).id;
    self.type = "git";
  } catch (const Error&) {
    // Not a git checkout: the manifest then names no commit for the project.
  }
  components.insert(components.begin(), ManifestComponent{self, {}, {}});
  for (auto& c : components) {
    c.files = tree.files_of(c.record.name);
    for (const auto& f : c.files)
      if (f.rfind("licenses/" + c.record.name + "/", 0) == 0) c.license_files.push_back(f);
  }

  ManifestInput manifest{b.name, b.version, staged.epoch, components, describe_tree(tree.root())};
  tree.write(kSbomFileName, sbom_json(manifest, opt.project_license, opt.tool).dump(2) + "\n", b.name);
  FileDigests sbom = file_digests(tree.root() / kSbomFileName);
  FileRecord sbom_record{kSbomFileName, sbom.sha256, sbom.sha1, sbom.size, false, ""};
  manifest.files.insert(std::upper_bound(manifest.files.begin(), manifest.files.end(), sbom_record,
                                         [](const FileRecord& x, const FileRecord& y) { return fs::path(x.path) < fs::path(y.path); }),
                        sbom_record);
  tree.write("manifest.json", manifest_json(manifest).dump(2) + "\n", b.name);
  for (const auto& f : manifest.files) out.bytes += f.size;
  out.files = manifest.files.size() + 1;

  ::chmod(tmp.path().c_str(), 0755);  // mkdtemp made it 0700
  swap_into_place(tmp.path(), staged.stage);
  if (!fs::exists(tmp.path())) tmp.release();  // renamed: nothing left to remove
  out.settings = cpack_settings_file(build);
  write_file_atomic(out.settings, cpack_settings_text(staged));
  say("staged " + std::to_string(out.files) + " files, " + std::to_string(out.bytes / (1024 * 1024)) + " MiB");
  return out;
}

}  // namespace dkm::pack
