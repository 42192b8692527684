// dkmpack: builds the dkumonitor bundle's components from recipes/ (engine: libdkm/include/dkm/pack).
#include "cli/command_line.hpp"

#include <dkm/core/error.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/bundle.hpp>
#include <dkm/pack/engine.hpp>
#include <dkm/pack/step_runner.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

using namespace dkm;
using namespace dkm::pack;
using cli::Value;

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

/// dkmpack's command line: its build (the default command), and the two internal ones
/// build.ninja and CPack run (`step`, and `--write-archive` with its options).
const cli::Program kProgram{
    "dkmpack",
    {},
    {{"",
      std::string(kUsage) + "\n{options}" + kFooter,
      {{"help,h", Value::kNone, "", "show this help"},
       {"version", Value::kNone, "", "print dkmpack's version"},
       {"recipes", Value::kText, "DIR", "recipes directory: bundle.toml's components, else every NAME.toml", false, "recipes"},
       {"build-dir", Value::kText, "DIR", "sources, caches, stamps, logs and installed files", false, "build/dkmpack"},
       {"dist-dir", Value::kText, "DIR", "where the archive (.tar.gz, .sha256), .deb and .rpm go", false, "build/dist"},
       {"tools-dir", Value::kText, "DIR", "where installer, dkm and dkmadmin are (default: dkmpack's own directory)"},
       {"project-dir", Value::kText, "DIR", "holds dist/ and LICENSE for the bundle (default: this dkmpack's source tree)"},
       {"jobs,j", Value::kInteger, "N", "steps run in parallel, and make -jN (default: processors)", false, "0"},
       {"only", Value::kText, "NAME", "build only NAME (repeatable)", true},
       {"mirror", Value::kText, "DIR", "look in DIR first for NAME.git and archive files"},
       {"source", Value::kText, "NAME=PATH", "build NAME from the directory PATH (repeatable)", true},
       {"skip-build", Value::kNone, "", "build nothing: use what BUILD already holds (an error when it holds nothing)"},
       {"skip-archive", Value::kNone, "", "stop at the staged bundle (BUILD/bundle/NAME-VERSION), make no archive"},
       {"list", Value::kNone, "", "list components: version, source, cache state, build state, toolchains"},
       {"clean", Value::kText, "NAME", "remove NAME's build directory (downloads stay; repeatable)", true},
       {"verbose,v", Value::kNone, "", "show each step's whole output and ninja's commands"},
       {"write-archive", Value::kText, "TREE"},
       {"archive-top", Value::kText, "NAME"},
       {"archive-mtime", Value::kText, "SECONDS"},
       {"archive-output", Value::kText, "FILE"}}},
     {"step", "usage: dkmpack step --build-dir BUILD NAME STEP", {{"build-dir", Value::kText, "BUILD"}}, true}},
    " (see dkmpack --help)"};

fs::path self_executable(const char* argv0) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::absolute(argv0) : self;
}

/// `dkmpack step --build-dir B NAME STEP`: one step, as build.ninja calls it.
int step_main(const cli::Invocation& inv) {
  if (inv.operands.size() != 2) throw UsageError("usage: dkmpack step --build-dir BUILD NAME STEP");
  const std::string& name = inv.operands[0];
  auto step = parse_step(inv.operands[1]);
  if (!step)
    throw UsageError("dkmpack step: unknown step '" + inv.operands[1] + "' (fetch, patch, configure, build, install)");
  StepOptions options;
  if (const char* jobs = std::getenv("DKMPACK_JOBS")) options.jobs = std::max(1, std::atoi(jobs));
  else options.jobs = effective_jobs(0);
  const char* verbose = std::getenv("DKMPACK_VERBOSE");
  options.verbose = verbose && std::string(verbose) == "1";
  return run_step(BuildLayout(inv.text("build-dir", ".")), name, *step, options, std::cout);
}

/// `dkmpack --write-archive TREE --archive-top NAME --archive-mtime SECONDS --archive-output FILE`,
/// what cmake/DkmBundleArchive.cmake runs inside CPack.
int write_archive_main(const cli::Invocation& inv) {
  ArchiveRequest req;
  req.tree = inv.text("write-archive");
  req.top = inv.text("archive-top");
  req.output = inv.text("archive-output");
  std::string mtime = inv.text("archive-mtime");
  if (req.tree.empty() || req.top.empty() || req.output.empty() || mtime.empty())
    throw UsageError("dkmpack --write-archive TREE --archive-top NAME --archive-mtime SECONDS --archive-output FILE");
  if (mtime.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError("dkmpack --archive-mtime '" + mtime + "': expected seconds since 1970-01-01");
  req.mtime = std::stoll(mtime);
  std::string hash = write_reproducible_archive(req);
  std::cout << hash << "  " << req.output.string() << "\n";
  return kExitOk;
}

/// The build's options: directories, jobs, components, mirror and sources, checked.
PackOptions pack_options(const cli::Invocation& inv, const char* argv0) {
  PackOptions options;
  options.jobs = static_cast<int>(inv.integer("jobs"));
  if (options.jobs < 0) throw UsageError("--jobs " + std::to_string(options.jobs) + ": expected a positive number");
  options.only = inv.texts("only");
  options.recipes_dir = inv.text("recipes");
  options.build_dir = inv.text("build-dir");
  options.dist_dir = inv.text("dist-dir");
  options.verbose = inv.has("verbose");
  options.skip_build = inv.has("skip-build");
  options.skip_archive = inv.has("skip-archive");
  options.self = self_executable(argv0);
  std::error_code ec;
  if (std::string mirror = inv.text("mirror"); !mirror.empty()) {
    if (!fs::is_directory(mirror, ec)) throw UsageError("--mirror " + mirror + ": no such directory");
    options.mirror = fs::absolute(mirror).lexically_normal();
  }
  for (const auto& s : inv.texts("source")) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) throw UsageError("--source " + s + ": expected NAME=PATH");
    fs::path path = s.substr(eq + 1);
    if (!fs::is_directory(path, ec)) throw UsageError("--source " + s + ": no such directory: " + path.string());
    options.sources[s.substr(0, eq)] = fs::absolute(path).lexically_normal();
  }
  return options;
}

/// The build: list, clean, or build the components, then assemble and package the bundle.
int pack_main(const cli::Invocation& inv, const char* argv0) {
  if (inv.has("help")) {
    std::cout << cli::help_text(kProgram, *inv.command);
    return kExitOk;
  }
  if (inv.has("version")) {
    std::cout << "dkmpack " DKM_VERSION "\n";
    return kExitOk;
  }
  if (inv.has("write-archive")) return write_archive_main(inv);
  PackOptions options = pack_options(inv, argv0);
  if (inv.has("list")) {
    list_components(options, std::cout);
    return kExitOk;
  }
  if (inv.has("clean")) {
    clean_components(options, inv.texts("clean"), std::cout);
    return kExitOk;
  }
  if (options.skip_build) {
    require_built(options);
  } else if (int code = build_components(options, std::cout); code != kExitOk) {
    return code;
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
  std::string project_dir = inv.text("project-dir");
  bundle.project_dir = project_dir.empty() ? fs::path(DKM_PROJECT_DIR) : fs::path(project_dir);
  bundle.tools_dir = inv.text("tools-dir");
  bundle.self = options.self;
  bundle.cmake_dir = fs::path(DKM_PROJECT_DIR) / "cmake";
  bundle.skip_archive = options.skip_archive;
  bundle.tool = "dkmpack-" DKM_VERSION;
  return assemble_and_package(bundle, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  return cli::run_front_end("dkmpack", [&] {
    cli::Invocation inv = cli::parse(kProgram, {argv + 1, argv + argc});
    return inv.command->name == "step" ? step_main(inv) : pack_main(inv, argv[0]);
  });
}
