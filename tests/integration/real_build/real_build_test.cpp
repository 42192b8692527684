// The default recipes built for real: go-carbon, carbonapi and collectd from a mirror of
// their upstream repositories, with the real toolchains (Go >= 1.24, autotools, bison,
// flex, gcc). Opt-in: DKM_REAL_MIRROR=DIR, DIR holding go-carbon.git, carbonapi.git and
// collectd.git (README.md, "Building offline from a mirror"). A cold build takes minutes.

#include "test_support.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/pack/build_layout.hpp>
#include <dkm/pack/recipe.hpp>

#include "pack/source_record.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

using namespace dkm;

namespace {

const std::vector<std::string> kComponents = {"go-carbon", "carbonapi", "collectd"};

/// The plugins the bundle's collectd.conf loads (recipes/collectd.toml enables them).
const std::vector<std::string> kCollectdPlugins = {"cpu",  "df",     "disk",   "interface", "load",           "memory",
                                                   "processes", "swap", "uptime", "logfile", "syslog", "write_graphite"};

/// Modification time of every step stamp of the components, by "NAME/STEP".
std::map<std::string, int64_t> stamp_times(const pack::BuildLayout& layout) {
  std::map<std::string, int64_t> times;
  for (const auto& name : kComponents)
    for (pack::Step step : pack::kSteps) {
      struct stat st {};
      fs::path stamp = layout.stamp(name, step);
      times[name + "/" + std::string(pack::to_string(step))] =
          ::stat(stamp.c_str(), &st) == 0 ? st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : -1;
    }
  return times;
}

/// Runs a built program and returns what it printed, failing the test when it fails.
std::string output_of(const std::vector<std::string>& argv) {
  RunResult r = test::run(argv);
  INFO(argv[0] << ": " << r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

}  // namespace

TEST_CASE("dkmpack builds the real go-carbon, carbonapi and collectd from a mirror, and a rerun runs no step", "[real]") {
  const std::string mirror = test::require_env_or_skip(
      "DKM_REAL_MIRROR",
      "set DKM_REAL_MIRROR=DIR (DIR holding go-carbon.git, carbonapi.git and collectd.git, see README.md "
      "\"Building offline from a mirror\") to build the real components; it takes minutes and needs "
      "Go >= 1.24 (cmake/install-deps.sh --packaging)");
  const pack::RecipeSet recipes = pack::load_recipe_set(test::source_dir() / "recipes");
  TempDir dir("dkm-real-build-");
  const pack::BuildLayout layout(dir.path() / "build");
  const std::vector<std::string> argv = {test::tool("dkmpack").string(),
                                         "--recipes", (test::source_dir() / "recipes").string(),
                                         "--build-dir", layout.root().string(),
                                         "--dist-dir", (dir.path() / "dist").string(),
                                         "--mirror", mirror,
                                         "--only", "go-carbon", "--only", "carbonapi", "--only", "collectd",
                                         "--skip-archive"};

  RunOptions progress;
  progress.inherit_output = true;  // the [n/m] lines, live, in the test's log
  RunResult cold = test::run(argv, progress);
  REQUIRE(cold.exit_code == 0);

  // Each component is the pinned upstream commit, at the version its recipe names.
  for (const auto& name : kComponents) {
    const pack::Recipe* recipe = recipes.find(name);
    REQUIRE(recipe != nullptr);
    pack::SourceRecord record = pack::read_source_record(layout.source_record(name));
    CHECK(record.type == "git");
    CHECK(record.commit == recipe->source.commit);
  }
  const std::string go_carbon = recipes.find("go-carbon")->version;
  const std::string carbonapi = recipes.find("carbonapi")->version;
  const std::string collectd = recipes.find("collectd")->version;

  // The binaries report those versions, the way their upstream builds do: the version
  // constant, then the build version given in -ldflags (`git describe` of the tag).
  const fs::path install_go_carbon = layout.install_dir("go-carbon");
  CHECK(output_of({(install_go_carbon / "bin" / "go-carbon").string(), "-version"}) ==
        go_carbon + "\nv" + go_carbon + "\n");
  CHECK(output_of({(layout.install_dir("carbonapi") / "bin" / "carbonapi").string(), "-version"}) ==
        carbonapi + "\nv" + carbonapi + "\n");
  const fs::path collectd_root = layout.install_dir("collectd") / "usr";
  const std::string help = output_of({(collectd_root / "sbin" / "collectd").string(), "-h"});
  CHECK_THAT(help, Catch::Contains("collectd " + collectd + ", http://collectd.org/"));

  // collectd carries every plugin the bundle configures and its types.db.
  for (const auto& plugin : kCollectdPlugins) {
    INFO("plugin " << plugin);
    CHECK(fs::is_regular_file(collectd_root / "lib" / "collectd" / (plugin + ".so")));
  }
  CHECK(fs::is_regular_file(collectd_root / "share" / "collectd" / "types.db"));

  // Nothing changed: the same command runs no step (no stamp is rewritten).
  const auto before = stamp_times(layout);
  for (const auto& [step, time] : before) {
    INFO(step);
    CHECK(time > 0);
  }
  RunResult again = test::run(argv);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(stamp_times(layout) == before);
  CHECK_THAT(again.output, Catch::Contains("nothing to do"));
}
