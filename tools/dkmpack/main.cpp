// dkmpack: builds the dkumonitor bundle's components from recipes/ (engine: libdkm/include/dkm/pack).
#include <dkm/core/error.hpp>
#include <dkm/pack/bundle.hpp>
#include <dkm/pack/engine.hpp>
#include <dkm/pack/step_runner.hpp>

#include <boost/program_options.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace po = boost::program_options;
using namespace dkm;
using namespace dkm::pack;

namespace {

const char* kUsage =
    "Usage: dkmpack [OPTIONS]\n"
    "Fetches and builds the bundle's components from their recipes (recipes/README.md), cached and\n"
    "incremental: a step runs only when one of its inputs changed. Steps run under ninja, in parallel\n"
    "across components, with [n/m] progress; each logs to BUILD/NAME/logs/STEP.log and BUILD/build.log.\n"
    "Then it assembles the bundle: stages BUILD/bundle/NAME-VERSION (front ends, [[stage]] rules, dist/,\n"
    "licenses, VERSION, manifest.json, sbom.spdx.json), fails on ELF files needing libraries outside\n"
    "libc's family and the bundle, and writes NAME-VERSION-linux-ARCH.tar.gz (+ .sha256), a .deb and\n"
    "an .rpm into --dist-dir through CPack. The archive is reproducible (SOURCE_DATE_EPOCH, else the\n"
    "project's last commit time).\n";

const char* kFooter =
    "\nExit status: 0 done, 1 a step failed (its log's last lines are shown), 2 bad flag or recipe.\n"
    "Offline builds: --mirror DIR holding NAME.git (git clone --mirror) or the archives' files.\n"
    "Toolchains: each tool is looked for on PATH, then in /usr/lib/go-X.Y/bin (Debian's golang-X.Y-go)\n"
    "and /opt/dkm-toolchains/NAME-X.Y/bin, oldest first; the first satisfying the recipe's [requires]\n"
    "wins and its directory comes first on the steps' PATH (--list shows the choices).\n"
    "Internal: `dkmpack step --build-dir BUILD NAME STEP` runs one step (build.ninja's edges);\n"
    "`dkmpack --write-archive TREE --archive-top NAME --archive-mtime SECONDS --archive-output FILE`\n"
    "writes the reproducible archive (CPack's External generator runs it).\n";

fs::path self_executable(const char* argv0) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::absolute(argv0) : self;
}

/// `dkmpack step --build-dir B NAME STEP`: one step, as build.ninja calls it.
int step_main(int argc, char** argv) {
  fs::path build_dir = ".";
  std::vector<std::string> words;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--build-dir" && i + 1 < argc) build_dir = argv[++i];
    else words.push_back(a);
  }
  if (words.size() != 2) throw UsageError("usage: dkmpack step --build-dir BUILD NAME STEP");
  auto step = parse_step(words[1]);
  if (!step) throw UsageError("dkmpack step: unknown step '" + words[1] + "' (fetch, patch, configure, build, install)");
  StepOptions options;
  if (const char* jobs = std::getenv("DKMPACK_JOBS")) options.jobs = std::max(1, std::atoi(jobs));
  else options.jobs = effective_jobs(0);
  const char* verbose = std::getenv("DKMPACK_VERBOSE");
  options.verbose = verbose && std::string(verbose) == "1";
  return run_step(BuildLayout(build_dir), words[0], *step, options, std::cout);
}

int pack_main(int argc, char** argv) {
  PackOptions options;
  std::string recipes, build_dir, dist_dir, mirror, tools_dir, project_dir;
  std::vector<std::string> sources, clean;
  po::options_description flags("Options");
  flags.add_options()
      ("help,h", "show this help")
      ("version", "print dkmpack's version")
      ("recipes", po::value(&recipes)->default_value("recipes")->value_name("DIR"),
       "recipes directory: bundle.toml's components, else every NAME.toml")
      ("build-dir", po::value(&build_dir)->default_value("build/dkmpack")->value_name("DIR"),
       "sources, caches, stamps, logs and installed files")
      ("dist-dir", po::value(&dist_dir)->default_value("build/dist")->value_name("DIR"),
       "where the archive (.tar.gz, .sha256), .deb and .rpm go")
      ("tools-dir", po::value(&tools_dir)->value_name("DIR"),
       "where installer, dkm and dkmadmin are (default: dkmpack's own directory)")
      ("project-dir", po::value(&project_dir)->value_name("DIR"),
       "holds dist/ and LICENSE for the bundle (default: this dkmpack's source tree)")
      ("jobs,j", po::value(&options.jobs)->default_value(0)->value_name("N"),
       "steps run in parallel, and make -jN (default: processors)")
      ("only", po::value(&options.only)->value_name("NAME"), "build only NAME (repeatable)")
      ("mirror", po::value(&mirror)->value_name("DIR"), "look in DIR first for NAME.git and archive files")
      ("source", po::value(&sources)->value_name("NAME=PATH"), "build NAME from the directory PATH (repeatable)")
      ("skip-build", "build nothing: use what BUILD already holds (an error when it holds nothing)")
      ("skip-archive", "stop at the staged bundle (BUILD/bundle/NAME-VERSION), make no archive")
      ("list", "list components: version, source, cache state, build state, toolchains")
      ("clean", po::value(&clean)->value_name("NAME"), "remove NAME's build directory (downloads stay; repeatable)")
      ("verbose,v", "show each step's whole output and ninja's commands");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(flags).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see dkmpack --help)");
  }
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << flags << kFooter;
    return kExitOk;
  }
  if (vm.count("version")) {
    std::cout << "dkmpack " DKM_VERSION "\n";
    return kExitOk;
  }
  if (options.jobs < 0) throw UsageError("--jobs " + std::to_string(options.jobs) + ": expected a positive number");
  options.recipes_dir = recipes;
  options.build_dir = build_dir;
  options.dist_dir = dist_dir;
  options.verbose = vm.count("verbose") > 0;
  options.skip_build = vm.count("skip-build") > 0;
  options.skip_archive = vm.count("skip-archive") > 0;
  options.self = self_executable(argv[0]);
  std::error_code ec;
  if (!mirror.empty()) {
    if (!fs::is_directory(mirror, ec)) throw UsageError("--mirror " + mirror + ": no such directory");
    options.mirror = fs::absolute(mirror).lexically_normal();
  }
  for (const auto& s : sources) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
      throw UsageError("--source " + s + ": expected NAME=PATH");
    fs::path path = s.substr(eq + 1);
    if (!fs::is_directory(path, ec)) throw UsageError("--source " + s + ": no such directory: " + path.string());
    options.sources[s.substr(0, eq)] = fs::absolute(path).lexically_normal();
  }

  if (vm.count("list")) {
    list_components(options, std::cout);
    return kExitOk;
  }
  if (!clean.empty()) {
    clean_components(options, clean, std::cout);
    return kExitOk;
  }
  if (options.skip_build) {
    require_built(options);
  } else {
    int code = build_components(options, std::cout);
    if (code != kExitOk) return code;
  }
  // Bundle assembly: stage BUILD/bundle/NAME-VERSION, check it, archive it through CPack.
  if (!options.only.empty()) {
    std::cout << "[bundle] not assembled: --only builds part of the bundle\n";
    return kExitOk;
  }
  BundleRequest bundle;
  bundle.recipes_dir = options.recipes_dir;
  bundle.build_dir = options.build_dir;
  bundle.dist_dir = options.dist_dir;
  bundle.project_dir = project_dir.empty() ? fs::path(DKM_PROJECT_DIR) : fs::path(project_dir);
  bundle.tools_dir = tools_dir;
  bundle.self = options.self;
  bundle.cmake_dir = fs::path(DKM_PROJECT_DIR) / "cmake";
  bundle.skip_archive = options.skip_archive;
  bundle.tool = "dkmpack-" DKM_VERSION;
  return assemble_and_package(bundle, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1 && std::string(argv[1]) == "step") return step_main(argc, argv);
    // The archive writer CPack's External generator runs (cmake/DkmBundleArchive.cmake).
    if (argc > 1 && std::string(argv[1]) == "--write-archive")
      return write_archive_main(std::vector<std::string>(argv + 1, argv + argc));
    return pack_main(argc, argv);
  } catch (const Error& e) {
    std::cout.flush();
    std::cerr << "dkmpack: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "dkmpack: " << e.what() << "\n";
    return kExitFailure;
  }
}
