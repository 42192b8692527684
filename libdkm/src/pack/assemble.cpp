// Bundle assembly: the stage built from the components' installed files and the project's
// own, checked, described, and put in place whole.
#include <dkm/pack/assemble.hpp>

#include <dkm/core/bundle_layout.hpp>
#include <dkm/core/error.hpp>
#include <dkm/core/temp_dir.hpp>

#include "manifest.hpp"
#include "sbom.hpp"
#include "source_date.hpp"
#include "source_record.hpp"
#include "stage.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

namespace dkm::pack {

namespace {

/// Removes stage directories left by interrupted assemblies (".NAME-VERSION.tmp*").
void remove_stale_stages(const fs::path& dir, const std::string& top) {
  std::string prefix = "." + top + ".tmp";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
}

/// Where a license file goes under licenses/NAME/: its path inside the source tree.
std::string license_destination(const std::string& component, const fs::path& file, const fs::path& source_dir) {
  fs::path rel = file.lexically_normal().lexically_relative(source_dir.lexically_normal());
  if (rel.empty() || *rel.begin() == "..") rel = file.filename();
  return (Bundle::licenses_of(component) / rel).generic_string();
}

/// Stages the front ends, every component (its [[stage]] rules and license files), the
/// project's directories, its license and VERSION; returns the components' manifests.
std::vector<ManifestComponent> stage_contents(StageTree& tree, const RecipeSet& recipes, const BuildLayout& build,
                                              const AssemblyOptions& opt) {
  const BundleDescription& b = *recipes.bundle;
  for (const auto& [tool, dest] : Bundle::front_ends()) {
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
    for (const auto& lf : record.license_files)
      tree.copy(lf, license_destination(name, lf, build.source_dir(name)), name, recipe->file.string() + ": license_files");
    components.push_back({record, {}, {}});
  }
  for (const auto& dir : Bundle::project_directories()) {
    tree.make_directory(dir);
    fs::path from = opt.project_dir / "dist" / dir;
    if (fs::is_directory(from)) tree.copy(from, dir, b.name, from.string());
  }
  fs::path license = opt.project_dir / "LICENSE";
  if (!fs::is_regular_file(license)) throw Error(license.string() + ": the project's license is missing");
  tree.copy(license, (Bundle::licenses_of(b.name) / "LICENSE").string(), b.name, license.string());
  tree.write(Bundle::kVersionFile, b.version + "\n", b.name);
  return components;
}

/// The project itself as the first component: its front ends, dist/ and license.
SourceRecord project_record(const BundleDescription& b, const AssemblyOptions& opt) {
  SourceRecord self;
  self.name = b.name;
  self.version = b.version;
  self.license = opt.project_license;
  self.type = "path";
  if (auto commit = project_commit(opt.project_dir)) {
    self.commit = *commit;
    self.type = "git";
  }
  return self;
}

/// Writes the SBOM and the manifest (which lists the SBOM) into the stage; adds up its files.
void describe_stage(StageTree& tree, std::vector<ManifestComponent> components, const BundleDescription& b,
                    std::int64_t epoch, const AssemblyOptions& opt, AssembledBundle& out) {
  for (auto& c : components) {
    c.files = tree.files_of(c.record.name);
    std::string prefix = Bundle::licenses_of(c.record.name).string() + "/";
    for (const auto& f : c.files)
      if (f.rfind(prefix, 0) == 0) c.license_files.push_back(f);
  }
  ManifestInput manifest{b.name, b.version, epoch, components, describe_tree(tree.root())};
  tree.write(Bundle::kSbomFile, sbom_json(manifest, opt.project_license, opt.tool).dump(2) + "\n", b.name);
  FileDigests sbom = file_digests(tree.root() / Bundle::kSbomFile);
  FileRecord sbom_record{Bundle::kSbomFile, sbom.sha256, sbom.sha1, sbom.size, false, ""};
  manifest.files.insert(std::upper_bound(manifest.files.begin(), manifest.files.end(), sbom_record,
                                         [](const FileRecord& x, const FileRecord& y) { return fs::path(x.path) < fs::path(y.path); }),
                        sbom_record);
  tree.write(Bundle::kManifestFile, manifest_json(manifest).dump(2) + "\n", b.name);
  for (const auto& f : manifest.files) out.bytes += f.size;
  out.files = manifest.files.size() + 1;
}

}  // namespace

AssembledBundle assemble_bundle(const RecipeSet& recipes, const BuildLayout& build, const AssemblyOptions& opt) {
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
  std::vector<ManifestComponent> components = stage_contents(tree, recipes, build, opt);
  out.health = check_health(tree.root(), b.health_allow);
  if (!out.health.ok())
    throw Error("health check failed: ELF files of the bundle need shared libraries outside libc's family "
                "and the bundle:\n" + out.health.describe() + "(a library every target host has may be allowed in " +
                b.file.string() + " [health] allow)");
  say("health check: " + std::to_string(out.health.elf_files) + " ELF files need only libc's family and the bundle");
  components.insert(components.begin(), ManifestComponent{project_record(b, opt), {}, {}});
  describe_stage(tree, std::move(components), b, staged.epoch, opt, out);

  ::chmod(tmp.path().c_str(), 0755);  // mkdtemp made it 0700
  publish_directory(tmp.path(), staged.stage);
  tmp.release();  // it is the stage now, and the old stage is gone
  out.settings = cpack_settings_file(build);
  write_file_atomic(out.settings, cpack_settings_text(staged));
  say("staged " + std::to_string(out.files) + " files, " + std::to_string(out.bytes / (1024 * 1024)) + " MiB");
  return out;
}

}  // namespace dkm::pack
