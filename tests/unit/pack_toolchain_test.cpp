// dkmpack toolchains: candidate order (PATH, then /usr/lib/go-X.Y/bin newest first), the
// choice against [requires], messages, and the version cache.
#include <catch2/catch.hpp>

#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/toolchain.hpp>

#include <algorithm>

using namespace dkm;
using namespace dkm::pack;

namespace {

Recipe go_recipe(const std::string& requirement) {
  return parse_recipe("name = \"g\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n[requires]\ngo = \"" +
                          requirement + "\"\n[build]\nsystem = \"go\"\n",
                      "/r/g.toml");
}

/// A finder over fixed candidates and versions (no program runs).
ToolFinder fixed(std::vector<std::pair<std::string, Version>> found) {
  return ToolFinder(
      [found](const std::string&) {
        std::vector<fs::path> out;
        for (const auto& [p, v] : found) out.emplace_back(p);
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
  auto finder = fixed({{"/usr/bin/go", {1, 19, 8}}, {"/usr/lib/go-1.24/bin/go", {1, 24, 4}}, {"/usr/lib/go-1.21/bin/go", {1, 21}}});
  Tool t = finder.find("go", go_recipe(">= 1.24"));
  CHECK(t.path == "/usr/lib/go-1.24/bin/go");
  CHECK(t.version == Version{1, 24, 4});
  CHECK(finder.find("go", go_recipe(">= 1.19")).path == "/usr/bin/go");  // PATH's, when it is good enough
  CHECK(finder.find("go", go_recipe("< 1.20")).path == "/usr/bin/go");
}

TEST_CASE("no suitable toolchain: the message names the line, tool, versions found and needed", "[pack][toolchain]") {
  auto finder = fixed({{"/usr/bin/go", {1, 19, 8}}});
  REQUIRE_THROWS_WITH(finder.find("go", go_recipe(">= 1.24")),
                      Catch::StartsWith("/r/g.toml:7: g requires go >= 1.24; found go 1.19.8 (/usr/bin/go)") &&
                          Catch::Contains("/usr/lib/go-1.24/bin"));
  REQUIRE_THROWS_WITH(fixed({}).find("go", go_recipe(">= 1.24")),
                      Catch::Contains("g requires go >= 1.24; no go found on PATH or in /usr/lib/go-*/bin"));
  Recipe npm = parse_recipe("name = \"n\"\nversion = \"1\"\nlicense = \"MIT\"\n[source]\npath = \".\"\n"
                            "[build]\nsystem = \"npm\"\noutput = \"dist\"\n",
                            "/r/n.toml");
  REQUIRE_THROWS_WITH(fixed({}).find("npm", npm),
                      Catch::StartsWith("/r/n.toml:6: n: build system 'npm' needs npm, found none on PATH"));
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
}

TEST_CASE("go candidates: PATH first, then ROOT/go-X.Y/bin/go newest first, each once", "[pack][toolchain]") {
  TempDir dir;
  fs::path roots = dir.path() / "lib";
  make_executable(roots / "go-1.19" / "bin" / "go");
  make_executable(roots / "go-1.24" / "bin" / "go");
  make_executable(roots / "go-1.9" / "bin" / "go");
  fs::create_directories(dir.path() / "bin");
  fs::create_symlink(roots / "go-1.19" / "bin" / "go", dir.path() / "bin" / "go");
  auto found = tool_candidates("go", (dir.path() / "bin").string() + ":/nonexistent", roots);
  REQUIRE(found.size() == 3);
  CHECK(found[0] == fs::canonical(roots / "go-1.19" / "bin" / "go"));  // PATH's, symlink resolved
  CHECK(found[1] == fs::canonical(roots / "go-1.24" / "bin" / "go"));
  CHECK(found[2] == fs::canonical(roots / "go-1.9" / "bin" / "go"));
  CHECK(tool_candidates("node", "/nonexistent", roots).empty());
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
