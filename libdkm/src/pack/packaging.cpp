// Packaging a staged bundle through CPack. dkmpack writes two small CMake files in
#include <dkm/pack/packaging.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/pack/archive.hpp>

#include <sys/utsname.h>
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace dkm::pack {

std::string machine_arch() {
  struct utsname u {};
  if (::uname(&u) != 0) throw Error("uname: " + errno_text());
  return u.machine;
}

std::string cmake_quote(std::string_view s) {
  if (s.find(';') != std::string_view::npos) throw UsageError("'" + std::string(s) + "': ';' cannot appear in a packaging path");
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"' || c == '$') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string cpack_settings_text(const StagedBundle& b) {
  std::string out = "# Written by dkmpack when it staged " + b.top() + "; read by cmake/DkmBundleCPack.cmake.\n";
  auto set = [&](const char* var, const std::string& value) { out += std::string("set(") + var + " " + cmake_quote(value) + ")\n"; };
  set("DKM_BUNDLE_NAME", b.name);
  set("DKM_BUNDLE_VERSION", b.version);
  set("DKM_BUNDLE_STAGE", b.stage.string());
  set("DKM_BUNDLE_EPOCH", std::to_string(b.epoch));
  set("DKM_BUNDLE_ARCH", b.arch);
  set("DKM_BUNDLE_LICENSE", b.license);
  return out;
}

std::string cpack_config_text(const StagedBundle& b, const CpackRun& run) {
  std::string out = "# Written by dkmpack for `cpack --config`; the packages are described in " +
                    run.project_config.filename().string() + ".\n";
  auto set = [&](const char* var, const std::string& value) { out += std::string("set(") + var + " " + value + ")\n"; };
  set("CPACK_PACKAGE_NAME", cmake_quote(b.name));
  set("CPACK_PACKAGE_VERSION", cmake_quote(b.version));
  std::string generators;
  for (const auto& g : run.generators) generators += " " + cmake_quote(g);
  set("CPACK_GENERATOR", generators.substr(1));
  set("CPACK_INSTALLED_DIRECTORIES", cmake_quote(b.stage.string()) + " .");
  set("CPACK_PROJECT_CONFIG_FILE", cmake_quote(run.project_config.string()));
  set("CPACK_PACKAGE_DIRECTORY", cmake_quote(run.work_dir.string()));
  set("CPACK_DKM_BUNDLE_SETTINGS", cmake_quote(run.settings.string()));
  set("CPACK_DKM_BUNDLE_ARCHIVER", cmake_quote(run.archiver.string()));
  set("CPACK_DKM_BUNDLE_OUTPUT_DIR", cmake_quote(run.output_dir.string()));
  return out;
}

fs::path move_into(const fs::path& file, const fs::path& dir) {
  fs::path target = dir / file.filename();
  if (::rename(file.c_str(), target.c_str()) == 0) return target;
  if (errno != EXDEV) throw Error(target.string() + ": cannot move " + file.string() + " there: " + errno_text());
  fs::path tmp = temp_sibling(target);
  std::error_code ec;
  fs::copy_file(file, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec || ::rename(tmp.c_str(), target.c_str()) != 0) {
    fs::remove(tmp, ec);
    throw Error(target.string() + ": cannot copy " + file.string() + " there");
  }
  fs::remove(file, ec);
  return target;
}

PackagingResult run_cpack(const StagedBundle& b, const CpackRun& run) {
  fs::path cpack = find_in_path("cpack");
  if (cpack.empty()) throw Error("cpack not found in PATH (Debian package cmake; see cmake/install-deps.sh)");
  std::error_code ec;
  fs::create_directories(run.work_dir, ec);
  fs::create_directories(run.output_dir, ec);
  if (ec) throw Error(run.output_dir.string() + ": cannot create directory: " + ec.message());
  // Leftovers of an earlier run must not be taken for this run's packages.
  for (const auto& e : fs::directory_iterator(run.work_dir, ec)) {
    auto ext = e.path().extension();
    if (ext == ".deb" || ext == ".rpm") fs::remove(e.path(), ec);
  }
  fs::path config = run.work_dir / "CPackConfig.cmake";
  write_file_atomic(config, cpack_config_text(b, run));
  PackagingResult result;
  result.log = run.work_dir / "cpack.log";
  write_file_atomic(result.log, "");
  RunOptions options;
  options.cwd = run.work_dir;
  options.log_file = result.log;
  RunResult r = run_process({cpack.string(), "--config", config.string()}, options);
  if (!r.ok()) {
    std::string log = read_file(result.log);
    throw Error("cpack failed (" + r.describe() + "); last lines of " + result.log.string() + ":\n" + last_lines(log, 15));
  }
  result.archive = run.output_dir / b.archive_name();
  fs::path sum = result.archive;
  sum += ".sha256";
  if (!fs::is_regular_file(result.archive, ec) || !fs::is_regular_file(sum, ec))
    throw Error("cpack did not write " + result.archive.string() + "; see " + result.log.string());
  result.archive_sha256 = read_file(sum).substr(0, 64);
  std::vector<fs::path> built;
  for (const auto& e : fs::directory_iterator(run.work_dir, ec)) {
    auto ext = e.path().extension();
    if (ext == ".deb" || ext == ".rpm") built.push_back(e.path());
  }
  std::sort(built.begin(), built.end());
  for (const auto& f : built) result.packages.push_back(move_into(f, run.output_dir));
  // CPack's copies of the stage (one per DEB and RPM) are no longer needed.
  fs::remove_all(run.work_dir / "_CPack_Packages", ec);
  return result;
}

PackagingResult package_staged_bundle(const StagedBundle& b, const fs::path& settings, const fs::path& dist_dir,
                                             const fs::path& archiver, const fs::path& cmake_dir) {
  CpackRun run;
  run.settings = settings;
  run.project_config = cmake_dir / "DkmBundleCPack.cmake";
  run.archiver = archiver;
  run.work_dir = settings.parent_path() / "cpack";
  run.output_dir = fs::absolute(dist_dir);
  if (!fs::is_regular_file(run.project_config))
    throw Error(run.project_config.string() + ": missing (dkmpack's CPack description of the bundle)");
  return run_cpack(b, run);
}


}  // namespace dkm::pack
