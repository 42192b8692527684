// dkmpack's assembly phase, after the components are built (or with --skip-build, from
#include <dkm/pack/bundle.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/assemble.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/packaging.hpp>
#include <dkm/pack/recipe.hpp>

#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

namespace dkm::pack {

std::string human_size(uint64_t bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

int assemble_and_package(const BundleRequest& req, std::ostream& out) {
  RecipeSet recipes = load_recipe_set(req.recipes_dir);
  BuildLayout build(req.build_dir);
  AssemblyOptions options;
  fs::path recipes_abs = fs::absolute(req.recipes_dir).lexically_normal();
  if (!recipes_abs.has_filename()) recipes_abs = recipes_abs.parent_path();
  options.project_dir = req.project_dir.empty() ? recipes_abs.parent_path() : fs::absolute(req.project_dir);
  options.tools_dir = req.tools_dir.empty() ? req.self.parent_path() : fs::absolute(req.tools_dir);
  options.tool = req.tool;
  options.progress = &out;
  AssembledBundle bundle = assemble_bundle(recipes, build, options);
  out << "[bundle] " << bundle.staged.stage.string() << ": " << bundle.files << " files, "
      << human_size(bundle.bytes) << "\n";
  if (req.skip_archive) return kExitOk;

  out << "[bundle] packaging with cpack (log: " << (bundle.settings.parent_path() / "cpack" / "cpack.log").string()
      << ")" << std::endl;
  PackagingResult result = package_staged_bundle(bundle.staged, bundle.settings, req.dist_dir, req.self, req.cmake_dir);
  std::error_code ec;
  out << "[bundle] " << result.archive.string() << " (" << human_size(fs::file_size(result.archive, ec))
      << ")\n[bundle] sha256 " << result.archive_sha256 << "\n";
  for (const auto& p : result.packages) out << "[bundle] " << p.string() << " (" << human_size(fs::file_size(p, ec)) << ")\n";
  return kExitOk;
}

}  // namespace dkm::pack
