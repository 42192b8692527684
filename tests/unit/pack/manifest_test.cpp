// pack/manifest: every file of a tree with its digests.
#include <catch2/catch.hpp>

#include "pack_samples.hpp"

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/sha256.hpp>

#include "pack/manifest.hpp"
#include "pack/sbom.hpp"
#include "pack/source_date.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using namespace dkm;
using namespace dkm::pack;
using namespace dkm::test;

TEST_CASE("describe_tree lists every file with its digests", "[pack][manifest]") {
  TempDir dir;
  fs::path tree = make_sample_tree(dir.path() / "stage");
  auto files = describe_tree(tree, {"VERSION"});
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  CHECK(paths == std::vector<std::string>{"bin/tool", "conf/a.ini", "conf/sub/z.txt", "tool-link"});
  CHECK(files[0].executable);
  CHECK(files[0].sha256 == sha256_file(tree / "bin" / "tool"));
  CHECK(files[2].size == 100000);
  CHECK(files[3].link == "bin/tool");

  ManifestInput in{"b", "1.2.3", 1700000000, {}, files};
  SourceRecord rec;
  rec.name = "comp";
  rec.version = "2.0";
  rec.type = "git";
  rec.url = "https://example.org/comp.git";
  rec.tag = "v2.0";
  rec.commit = std::string(40, 'a');
  rec.license = "MIT";
  rec.license_files = {"/src/comp/LICENSE"};
  rec.install_dir = "/build/comp/install";
  in.components.push_back({rec, {"licenses/comp/LICENSE"}, {"bin/tool"}});
  auto j = manifest_json(in);
  CHECK(j["files"][1]["path"] == "conf/a.ini");
  CHECK(j["files"][1]["mode"] == "0644");
  CHECK(j["components"][0]["source"]["commit"] == std::string(40, 'a'));
  CHECK(j["components"][0]["source"]["tag"] == "v2.0");
  CHECK_FALSE(j["components"][0]["source"].contains("sha256"));
  CHECK(j["components"][0]["license_files"][0] == "licenses/comp/LICENSE");
  // No path of the build machine in the manifest.
  CHECK(j.dump().find("/build/comp") == std::string::npos);
  CHECK(j.dump().find("/src/comp") == std::string::npos);
}
