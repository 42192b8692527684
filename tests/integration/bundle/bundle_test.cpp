// dkmpack's bundle assembly and packaging, end to end, on the fixture components built by
// the real dkmpack (Debian's Go, npm and autotools): the staged layout and manifest, the
// health check, the reproducible archive through CPack (and the cpack --preset route),
// --skip-build / --skip-archive, the .deb and .rpm, and an archive step killed mid-write.
#include "background_process.hpp"
#include "bundle_fixture.hpp"

#include <dkm/pack/health.hpp>

#include <nlohmann/json.hpp>

#include <csignal>

using namespace dkm;
using namespace dkm::test;

namespace {

/// Paths under a package's /opt/NAME-VERSION (or a tarball's NAME-VERSION/), directories
/// without their trailing slash, the top itself left out.
std::set<std::string> under(const std::vector<std::string>& entries, const std::string& top) {
  std::set<std::string> out;
  for (std::string e : entries) {
    if (e.rfind("./", 0) == 0) e.erase(0, 1);
    if (e.rfind(top, 0) != 0) continue;
    e.erase(0, top.size());
    while (!e.empty() && e.back() == '/') e.pop_back();
    if (!e.empty() && e.front() == '/') e.erase(0, 1);
    if (!e.empty()) out.insert(e);
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (auto& l : split(text, '\n'))
    if (!l.empty()) out.push_back(l);
  return out;
}

/// The last field of each `dpkg-deb -c` line (the path).
std::vector<std::string> deb_paths(const fs::path& deb) {
  RunResult r = run({"dpkg-deb", "-c", deb.string()});
  REQUIRE(r.ok());
  std::vector<std::string> out;
  for (const auto& line : lines_of(r.output)) out.push_back(line.substr(line.rfind(' ') + 1));
  return out;
}

fs::path only_file_with_extension(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) found.push_back(e.path());
  REQUIRE(found.size() == 1);
  return found[0];
}

}  // namespace

TEST_CASE("the staged bundle has the layout, and its manifest every file and component", "[bundle]") {
  BundleWorld w;
  w.dkmpack_ok({"--skip-build", "--skip-archive"});
  fs::path s = w.stage();
  for (const char* p : {"installer", "bin/dkm", "bin/dkmadmin", "bin/hello-go", "bin/hello-autotools", "VERSION",
                        "manifest.json", "sbom.spdx.json", "conf/README", "templates/collectd/collectd.conf.mustache",
                        "dashboards/host.json", "licenses/fixtures/LICENSE", "licenses/hello-go/LICENSE",
                        "licenses/hello-npm/LICENSE", "licenses/hello-autotools/COPYING"}) {
    INFO(p);
    CHECK(fs::is_regular_file(s / p));
  }
  CHECK(fs::is_directory(s / "static"));
  CHECK_FALSE(fs::is_empty(s / "static"));
  CHECK(read_file(s / "VERSION") == "0.0.1\n");
  // The staged programs run.
  CHECK(run({(s / "bin" / "hello-go").string()}).ok());
  CHECK(run({(s / "bin" / "hello-autotools").string()}).ok());
  CHECK(run({(s / "bin" / "dkm").string(), "--version"}).ok());

  auto m = nlohmann::json::parse(read_file(s / "manifest.json"));
  std::set<std::string> listed, on_disk;
  for (const auto& f : m["files"]) {
    listed.insert(f["path"].get<std::string>());
    CHECK(f["sha256"] == pack::sha256_file(s / f["path"].get<std::string>()));
  }
  for (const auto& e : fs::recursive_directory_iterator(s))
    if (e.is_regular_file()) on_disk.insert(e.path().lexically_relative(s).generic_string());
  on_disk.erase("manifest.json");
  CHECK(listed == on_disk);

  std::map<std::string, nlohmann::json> components;
  for (const auto& c : m["components"]) components[c["name"]] = c;
  REQUIRE(components.size() == 4);  // the project itself and the three fixtures
  auto repo_head = [&](const std::string& name) {
    return std::string(trim(run({"git", "-C", (built_fixtures() / "repos" / name).string(), "rev-parse", "HEAD"}).output));
  };
  CHECK(components["hello-go"]["source"]["type"] == "git");
  CHECK(components["hello-go"]["source"]["url"] == (built_fixtures() / "repos" / "hello-go").string());
  CHECK(components["hello-go"]["source"]["commit"] == repo_head("hello-go"));
  CHECK(components["hello-autotools"]["source"]["commit"] == repo_head("hello-autotools"));
  CHECK(components["hello-npm"]["source"]["type"] == "archive");
  CHECK(components["hello-npm"]["source"]["sha256"] ==
        pack::sha256_file(built_fixtures() / "archives" / "hello-npm-1.0.0.tar.gz"));
  for (const char* name : {"hello-go", "hello-npm", "hello-autotools"}) {
    CHECK(components[name]["license"] == "MIT");
    CHECK(components[name]["version"].get<std::string>().rfind("1.0", 0) == 0);
    CHECK_FALSE(components[name]["license_files"].empty());
  }
  CHECK(components["hello-go"]["files"] == nlohmann::json{"bin/hello-go", "licenses/hello-go/LICENSE"});
  CHECK(components["fixtures"]["license"] == "Apache-2.0");
  CHECK(nlohmann::json::parse(read_file(s / "sbom.spdx.json"))["spdxVersion"] == "SPDX-2.3");
  // --skip-archive: no archive.
  CHECK((!fs::exists(w.out()) || fs::is_empty(w.out())));
}

TEST_CASE("the health check names a binary linked against a library outside libc's family", "[bundle]") {
  BundleWorld w;
  w.dkmpack_ok({"--skip-build", "--skip-archive"});
  fs::path s = w.stage();
  // The bundle's own front ends pass: they need libc's family only (in a sanitizer
  // build, what front_end_libraries() lists, which the fixture's bundle.toml allows).
  pack::HealthReport own = pack::check_health(s, front_end_libraries());
  INFO(own.describe());
  CHECK(own.ok());
  CHECK(own.elf_files >= 5);  // installer, dkm, dkmadmin, hello-go, hello-autotools
  std::string manifest = read_file(s / "manifest.json");

  // A fixture binary linked against zlib, in place of hello-autotools' installed one.
  fs::path src = w.root() / "zhello.c";
  write_file_atomic(src, "#include <zlib.h>\n#include <stdio.h>\nint main(void){puts(zlibVersion());return 0;}\n");
  fs::path installed = w.layout().install_dir("hello-autotools") / "usr" / "bin" / "hello-autotools";
  fs::remove(installed);
  RunResult cc = run({"gcc", "-o", installed.string(), src.string(), "-lz"});
  INFO(cc.output);
  REQUIRE(cc.ok());

  RunResult r = w.dkmpack({"--skip-build"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("health check failed") != std::string::npos);
  CHECK(r.output.find("bin/hello-autotools: needs libz.so.1") != std::string::npos);
  // Nothing changed: the previous stage stays, no archive.
  CHECK(read_file(s / "manifest.json") == manifest);
  CHECK_FALSE(fs::exists(w.archive()));

  // The allow-list extends libc's family.
  std::string bundle = read_file(w.recipes() / "bundle.toml");
  write_file_atomic(w.recipes() / "bundle.toml", replace_every(bundle, "allow = [", "allow = [\"libz.so.*\", "));
  w.dkmpack_ok({"--skip-build", "--skip-archive"});
  CHECK(read_file(s / "manifest.json") != manifest);
}

TEST_CASE("two archive builds are identical and a changed dist/ file changes the archive", "[bundle]") {
  BundleWorld w;
  w.dkmpack_ok({"--skip-build"});
  fs::path first = w.root() / "first.tar.gz";
  REQUIRE(fs::is_regular_file(w.archive()));
  std::string sum = read_file(fs::path(w.archive().string() + ".sha256"));
  CHECK(sum == pack::sha256_file(w.archive()) + "  " + w.archive().filename().string() + "\n");
  fs::rename(w.archive(), first);
  w.dkmpack_ok({"--skip-build"});
  CHECK(pack::sha256_file(w.archive()) == pack::sha256_file(first));

  // Every entry: owner 0:0 with no names, the SOURCE_DATE_EPOCH time, sorted.
  RunResult listing = run({"tar", "--numeric-owner", "--full-time", "-tvzf", w.archive().string()});
  REQUIRE(listing.ok());
  for (const auto& line : lines_of(listing.output)) {
    CHECK(line.find(" 0/0 ") != std::string::npos);
    CHECK(line.find("2023-11-14 22:13:20") != std::string::npos);
  }
  RunResult names = run({"tar", "-tvzf", w.archive().string()});
  CHECK(names.output.find("root") == std::string::npos);
  std::vector<std::string> entries = tar_list(w.archive());
  CHECK(entries.front() == "fixtures-0.0.1/");
  std::vector<fs::path> as_paths;
  for (auto e : entries) as_paths.emplace_back(e.back() == '/' ? e.substr(0, e.size() - 1) : e);
  CHECK(std::is_sorted(as_paths.begin(), as_paths.end()));

  write_file_atomic(w.root() / "dist" / "conf" / "README", "changed\n");
  w.dkmpack_ok({"--skip-build"});
  CHECK(pack::sha256_file(w.archive()) != pack::sha256_file(first));
}

TEST_CASE("cpack on the CMake build gives the same archive as dkmpack from the same stage", "[bundle]") {
  BundleWorld w;
  w.dkmpack_ok({"--skip-build"});
  fs::path packages = w.root() / "cmake-route";
  RunResult r = run({"cpack", "--config", (fs::path(DKM_BINARY_DIR) / "CPackConfig.cmake").string(), "-G", "External",
                     "-B", packages.string(), "-D",
                     "CPACK_DKM_BUNDLE_SETTINGS=" + (w.layout().root() / "bundle" / "cpack-settings.cmake").string()});
  INFO(r.output);
  REQUIRE(r.ok());
  fs::path archive = packages / w.archive().filename();
  REQUIRE(fs::is_regular_file(archive));
  CHECK(pack::sha256_file(archive) == pack::sha256_file(w.archive()));
  CHECK(read_file(fs::path(archive.string() + ".sha256")) == read_file(fs::path(w.archive().string() + ".sha256")));
}

TEST_CASE("after a dist/ change, --skip-build re-stages without any component step", "[bundle]") {
  BundleWorld w;
  w.dkmpack_ok({"--skip-build", "--skip-archive"});
  auto stamps = w.stamp_times();
  REQUIRE(stamps.size() >= 15);  // five steps of three components
  std::error_code ec;
  auto log_size = fs::file_size(w.layout().build_log(), ec);

  write_file_atomic(w.root() / "dist" / "templates" / "collectd" / "collectd.conf.mustache", "Interval {{interval}}\n");
  RunResult r = w.dkmpack_ok({"--skip-build", "--skip-archive"});
  CHECK(read_file(w.stage() / "templates" / "collectd" / "collectd.conf.mustache") == "Interval {{interval}}\n");
  auto m = nlohmann::json::parse(read_file(w.stage() / "manifest.json"));
  for (const auto& f : m["files"])
    if (f["path"] == "templates/collectd/collectd.conf.mustache")
      CHECK(f["sha256"] == pack::sha256_hex("Interval {{interval}}\n"));
  CHECK(w.stamp_times() == stamps);  // no step ran
  CHECK(fs::file_size(w.layout().build_log(), ec) == log_size);
  CHECK(r.output.find("[1/") == std::string::npos);
  // --skip-archive: nothing in the dist directory.
  CHECK((!fs::exists(w.out()) || fs::is_empty(w.out())));
}

TEST_CASE("the .deb and the .rpm hold the same files as the archive", "[bundle]") {
  BundleWorld w;
  w.dkmpack_ok({"--skip-build"});
  std::set<std::string> tarball = under(tar_list(w.archive()), "fixtures-0.0.1");
  fs::path deb = only_file_with_extension(w.out(), ".deb");
  fs::path rpm = only_file_with_extension(w.out(), ".rpm");
  std::set<std::string> in_deb = under(deb_paths(deb), "/opt/fixtures-0.0.1");
  RunResult rpm_list = run({"rpm", "-qpl", rpm.string()});
  REQUIRE(rpm_list.ok());
  std::set<std::string> in_rpm = under(lines_of(rpm_list.output), "/opt/fixtures-0.0.1");
  CHECK(tarball.count("bin/hello-go"));
  CHECK(tarball.count("manifest.json"));
  CHECK(in_deb == tarball);
  CHECK(in_rpm == tarball);
  // Nothing runs as root at install time.
  RunResult scripts = run({"rpm", "-qp", "--scripts", rpm.string()});
  CHECK(trim(scripts.output).empty());
  TempDir control;
  REQUIRE(run({"dpkg-deb", "-e", deb.string(), control.path().string()}).ok());
  for (const char* script : {"preinst", "postinst", "prerm", "postrm", "triggers"})
    CHECK_FALSE(fs::exists(control.path() / script));
}

TEST_CASE("an archive step killed mid-write leaves no file under the final name", "[bundle]") {
  BundleWorld w;
  // A large, incompressible payload file, so that writing the archive takes a while.
  fs::path big = w.root() / "dist" / "conf" / "big.bin";
  REQUIRE(run({"dd", "if=/dev/urandom", "of=" + big.string(), "bs=1M", "count=64", "status=none"}).ok());

  // Its own group: dkmpack, cpack and the archive writer die together.
  BackgroundProcess dkmpack(w.dkmpack_argv({"--skip-build"}), {{}, {}, {{"SOURCE_DATE_EPOCH", kTestEpoch}}});
  std::string prefix = "." + w.archive().filename().string() + ".tmp";
  auto temp_partly_written = [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(w.out(), ec))
      if (e.path().filename().string().rfind(prefix, 0) == 0 && fs::file_size(e.path(), ec) > (1u << 20)) return true;
    return false;
  };
  bool caught = wait_until(temp_partly_written, std::chrono::seconds(60), std::chrono::milliseconds(5));
  int status = dkmpack.stop(SIGKILL);
  REQUIRE(caught);
  CHECK(WIFSIGNALED(status));
  CHECK_FALSE(fs::exists(w.archive()));
  CHECK_FALSE(fs::exists(fs::path(w.archive().string() + ".sha256")));

  // The next run completes and clears the leftover.
  w.dkmpack_ok({"--skip-build"});
  CHECK(fs::is_regular_file(w.archive()));
  for (const auto& e : fs::directory_iterator(w.out())) CHECK(e.path().filename().string().rfind(prefix, 0) != 0);
}
