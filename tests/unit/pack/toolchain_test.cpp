// dkmpack toolchains: candidate order (PATH, then the toolchain directories oldest first),
// the choice against [requires], which directory goes first on the steps' PATH, messages,
// and the version cache.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>

#include "pack/toolchain.hpp"

#include <algorithm>

using namespace dkm;
using namespace dkm::pack;

namespace {

Recipe go_recipe(const std::string& requirement) {
  return parse_recipe("name = \"g\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n[requires]\ngo = \"" +
                          requirement + "\"\n[build]\nsystem = \"go\"\n",
                      "/r/g.toml");
}

/// A finder over fixed candidates and versions (no program runs); the first one is
/// PATH's own.
ToolFinder fixed(std::vector<std::pair<std::string, Version>> found) {
  return ToolFinder(
      [found](const std::string&) {
        std::vector<ToolCandidate> out;
        for (const auto& [p, v] : found) out.push_back({p, fs::path(p).parent_path(), out.empty()});
        return out;
      },
      [found](const std::string&, const fs::path& program) -> std::optional<Version> {
        for (const auto& [p, v] : found)
          if (p == program) return v;
        return std::nullopt;
      });
}

void make_executable(const fs::path& p) {
  fs::create_directories(p.parent_path());
  write_file_atomic(p, "#!/bin/sh\n", 0755);
}

}  // namespace

TEST_CASE("the first candidate satisfying the requirement is chosen", "[pack][toolchain]") {
  auto finder = fixed({{"/usr/bin/go", {1, 19, 8}}, {"/usr/lib/go-1.24/bin/go", {1, 24, 4}}, {"/usr/lib/go-1.26/bin/go", {1, 26}}});
  Tool t = finder.find("go", go_recipe(">= 1.24"));
  CHECK(t.path == "/usr/lib/go-1.24/bin/go");
  CHECK(t.version == Version{1, 24, 4});
  CHECK(t.dir == "/usr/lib/go-1.24/bin");  // goes first on the steps' PATH
  CHECK(finder.find("go", go_recipe(">= 1.25")).path == "/usr/lib/go-1.26/bin/go");
  Tool own = finder.find("go", go_recipe(">= 1.19"));  // PATH's, when it is good enough
  CHECK(own.path == "/usr/bin/go");
  CHECK(own.dir.empty());  // PATH already finds it: nothing to put first
  CHECK(finder.find("go", go_recipe("< 1.20")).path == "/usr/bin/go");
}

TEST_CASE("no suitable toolchain: the message names the line, tool, versions found and needed", "[pack][toolchain]") {
  auto finder = fixed({{"/usr/bin/go", {1, 19, 8}}});
  REQUIRE_THROWS_WITH(finder.find("go", go_recipe(">= 1.24")),
                      Catch::StartsWith("/r/g.toml:7: g requires go >= 1.24; found go 1.19.8 (/usr/bin/go)") &&
                          Catch::Contains("/usr/lib/go-X.Y/bin") && Catch::Contains("cmake/install-deps.sh --packaging"));
  REQUIRE_THROWS_WITH(fixed({}).find("go", go_recipe(">= 1.24")),
                      Catch::Contains("g requires go >= 1.24; no go found on PATH, in /usr/lib/go-*/bin or /opt/dkm-toolchains/*/bin"));
  Recipe npm = parse_recipe("name = \"n\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n"
                            "[build]\nsystem = \"npm\"\noutput = \"dist\"\n",
                            "/r/n.toml");
  REQUIRE_THROWS_WITH(fixed({}).find("npm", npm),
                      Catch::StartsWith("/r/n.toml:6: n: build system 'npm' needs npm, found none on PATH or in /opt/dkm-toolchains/*/bin"));
}

TEST_CASE("builders name the tools they run", "[pack][toolchain]") {
  Recipe r = go_recipe(">= 1.19");
  r.requirements.push_back({"make", ">=", "4", 9});
  CHECK(needed_tools(r) == std::vector<std::string>{"go", "make"});
  BuildSpec npm;
  npm.system = BuildSystem::npm;
  CHECK(implicit_tools(npm) == std::vector<std::string>{"node", "npm"});
  npm.yarn = true;
  CHECK(implicit_tools(npm) == std::vector<std::string>{"node", "yarn"});
  BuildSpec generating;
  generating.system = BuildSystem::go;
  generating.generate = {"gen-go"};
  CHECK(implicit_tools(generating) == std::vector<std::string>{"go", "make"});

  // Several builds: each one's tools, in build order, each once, then [requires].
  Recipe two = parse_recipe("name = \"t\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n"
                            "[requires]\ncc = \">= 4\"\n[[build]]\nsystem = \"go\"\ngenerate = [\"gen\"]\n"
                            "[[build]]\nsystem = \"npm\"\nyarn = true\noutput = \"public\"\n",
                            "/r/t.toml");
  CHECK(needed_tools(two) == std::vector<std::string>{"go", "make", "node", "yarn", "cc"});
  // A missing implicit tool names the build that needs it.
  REQUIRE_THROWS_WITH(fixed({}).find("yarn", two), Catch::StartsWith("/r/t.toml:11: t: build system 'npm' needs yarn"));
  REQUIRE_THROWS_WITH(fixed({}).find("make", two), Catch::StartsWith("/r/t.toml:8: t: build system 'go' needs make (generate)"));
}

TEST_CASE("candidates: PATH first, then the toolchain directories oldest first, each once", "[pack][toolchain]") {
  TempDir dir;
  ToolchainRoots roots{dir.path() / "lib", dir.path() / "opt"};
  make_executable(roots.debian_go / "go-1.19" / "bin" / "go");
  make_executable(roots.debian_go / "go-1.26" / "bin" / "go");
  make_executable(roots.debian_go / "go-1.24" / "bin" / "go");
  make_executable(roots.debian_go / "go-1.9" / "bin" / "go");
  make_executable(roots.debian_go / "llvm-14" / "bin" / "go");  // not a Go directory: ignored
  make_executable(roots.toolchains / "node-24.11.0" / "bin" / "node");
  make_executable(roots.toolchains / "node-20" / "bin" / "node");
  make_executable(roots.toolchains / "node-24.11.0" / "bin" / "yarn");
  make_executable(roots.toolchains / "go-1.25" / "bin" / "go");  // any tool may live there
  fs::create_directories(roots.toolchains / "unversioned" / "bin");
  fs::create_directories(dir.path() / "bin");
  fs::create_symlink(roots.debian_go / "go-1.19" / "bin" / "go", dir.path() / "bin" / "go");
  std::string path = (dir.path() / "bin").string() + ":/nonexistent";

  auto go = tool_candidates("go", path, roots);
  std::vector<fs::path> programs;
  for (const auto& c : go) programs.push_back(c.program);
  CHECK(programs == std::vector<fs::path>{fs::canonical(roots.debian_go / "go-1.19" / "bin" / "go"),  // PATH's, symlink resolved
                                          fs::canonical(roots.debian_go / "go-1.9" / "bin" / "go"),
                                          fs::canonical(roots.debian_go / "go-1.24" / "bin" / "go"),
                                          fs::canonical(roots.toolchains / "go-1.25" / "bin" / "go"),
                                          fs::canonical(roots.debian_go / "go-1.26" / "bin" / "go")});
  CHECK(go[0].first_on_path);
  CHECK(go[0].dir == dir.path() / "bin");
  CHECK_FALSE(go[2].first_on_path);
  CHECK(go[2].dir == roots.debian_go / "go-1.24" / "bin");

  auto node = tool_candidates("node", "/nonexistent", roots);
  REQUIRE(node.size() == 2);
  CHECK(node[0].dir == roots.toolchains / "node-20" / "bin");
  CHECK(node[1].dir == roots.toolchains / "node-24.11.0" / "bin");
  auto yarn = tool_candidates("yarn", "/nonexistent", roots);
  REQUIRE(yarn.size() == 1);
  CHECK(yarn[0].dir == roots.toolchains / "node-24.11.0" / "bin");
  CHECK(tool_candidates("make", "/nonexistent", roots).empty());
  CHECK(toolchain_dirs("node", roots) ==
        std::vector<fs::path>{roots.toolchains / "go-1.25" / "bin", roots.toolchains / "node-20" / "bin",
                              roots.toolchains / "node-24.11.0" / "bin"});
}

TEST_CASE("with Go 1.19 on PATH and 1.24 and 1.26 beside it, each requirement gets the oldest Go that satisfies it", "[pack][toolchain]") {
  TempDir dir;
  ToolchainRoots roots{dir.path() / "lib", dir.path() / "opt"};
  for (const std::string v : {"1.19", "1.24", "1.26"}) {
    fs::path go = roots.debian_go / ("go-" + v) / "bin" / "go";  // a stand-in that prints what `go version` prints
    fs::create_directories(go.parent_path());
    write_file_atomic(go, "#!/bin/sh\necho go version go" + v + ".3 linux/amd64\n", 0755);
  }
  fs::create_directories(dir.path() / "bin");
  fs::create_symlink(roots.debian_go / "go-1.19" / "bin" / "go", dir.path() / "bin" / "go");
  std::string path = (dir.path() / "bin").string();
  ToolFinder finder([&](const std::string& tool) { return tool_candidates(tool, path, roots); }, probe_version);
  CHECK(finder.find("go", go_recipe(">= 1.19")).version == Version{1, 19, 3});
  Tool carbon = finder.find("go", go_recipe(">= 1.24"));  // go-carbon, carbonapi
  CHECK(carbon.version == Version{1, 24, 3});
  CHECK(carbon.dir == roots.debian_go / "go-1.24" / "bin");
  CHECK(finder.find("go", go_recipe(">= 1.25")).version == Version{1, 26, 3});  // grafana
}

TEST_CASE("the version cache probes a program once until it changes on disk", "[pack][toolchain]") {
  TempDir dir;
  fs::path counter = dir.path() / "count";
  fs::path tool = dir.path() / "bin" / "frob";
  fs::create_directories(tool.parent_path());
  auto write_tool = [&](const std::string& version) {
    write_file_atomic(tool, "#!/bin/sh\necho x >> " + counter.string() + "\necho 'frob version " + version + "'\n", 0755);
  };
  auto probes = [&] {
    std::string text = read_file(counter);
    return std::count(text.begin(), text.end(), '\n');
  };
  write_tool("2.5.1");
  {
    VersionCache cache(dir.path() / "toolchains.json");
    CHECK(cache.version_of("frob", tool) == Version{2, 5, 1});
    CHECK(cache.version_of("frob", tool) == Version{2, 5, 1});
    cache.save();
  }
  CHECK(probes() == 1);
  VersionCache reloaded(dir.path() / "toolchains.json");
  CHECK(reloaded.version_of("frob", tool) == Version{2, 5, 1});
  CHECK(probes() == 1);
  write_tool("2.6.0-long-version-text");  // another size: probed again
  CHECK(reloaded.version_of("frob", tool) == Version{2, 6, 0});
  CHECK(probes() == 2);
}
