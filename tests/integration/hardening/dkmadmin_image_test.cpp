// Low findings on dkmadmin: a unit for an install path holding '$' or '\'' must be right
// (systemd-analyze verify) or refused; `--root IMAGE` never writes outside IMAGE through
// a link inside it; uninstall-boot deletes only what install-boot wrote, as it wrote it,
// whatever a boot record lists.
#include "hardening_fixture.hpp"

#include <nlohmann/json.hpp>

using namespace dkm;
using namespace dkm::test;

namespace {

/// `dkmadmin -d DIR COMMAND --root IMAGE MORE...`.
RunResult boot_command(const fs::path& dir, const std::string& command, const fs::path& image,
                       std::vector<std::string> more = {}) {
  std::vector<std::string> args{"-d", dir.string(), command, "--root", image.string()};
  args.insert(args.end(), more.begin(), more.end());
  return dkmadmin(args);
}

}  // namespace

TEST_CASE("the systemd unit of an install whose path holds '$' or a quote passes systemd-analyze verify, or is refused",
          "[hardening][dkmadmin][systemd]") {
  TempDir dir("dkm-hard-");
  open_up(dir.path());
  int n = 0;
  for (std::string name : {"mon$itor", "it's"}) {
    INFO(name);
    // The installer refuses such a DIR; an install moved there afterwards is what dkmadmin sees.
    auto layout = make_install(dir.path() / ("plain" + std::to_string(++n)));
    fs::path odd = dir.path() / name;
    fs::rename(layout.root(), odd);
    fs::path image = dir.path() / ("image" + std::to_string(n));
    fs::create_directories(image);

    RunResult r = boot_command(odd, "install-boot", image, {"--init", "systemd"});
    INFO(r.output);
    if (r.exit_code == 2) {
      CHECK_THAT(r.output, Catch::Contains(odd.string()));
      continue;
    }
    REQUIRE(r.ok());
    fs::path unit = image / "etc/systemd/system/dkumonitor.service";
    RunOptions no_color;
    no_color.env["SYSTEMD_LOG_COLOR"] = "0";
    RunResult verified = run({"systemd-analyze", "verify", unit.string()}, no_color);
    INFO("unit:\n" << read_file(unit) << "\nverify said:\n" << verified.output);
    CHECK(verified.ok());
    CHECK(verified.output.empty());
  }
}

TEST_CASE("install-boot --root IMAGE writes nothing outside IMAGE through a link inside it",
          "[hardening][dkmadmin][image]") {
  TempDir dir("dkm-hard-");
  auto layout = make_install(dir.path() / "inst");
  int n = 0;
  for (std::string inside : {"etc/systemd/system", "var/lib/dkumonitor"}) {
    INFO(inside);
    fs::path image = dir.path() / ("image" + std::to_string(++n));
    fs::path outside = dir.path() / ("outside" + std::to_string(n));
    fs::create_directories(outside);
    fs::create_directories((image / inside).parent_path());
    fs::create_directory_symlink(outside, image / inside);  // absolute: in the image it means IMAGE/...

    RunResult r = boot_command(layout.root(), "install-boot", image, {"--init", "systemd"});
    INFO(r.output);
    CHECK((r.exit_code == 0 || r.exit_code == 2));
    CHECK(listed_paths(outside) == std::vector<std::string>{});
  }
  // A plain image gets its unit.
  fs::path plain = dir.path() / "plain-image";
  fs::create_directories(plain);
  REQUIRE(boot_command(layout.root(), "install-boot", plain, {"--init", "systemd"}).ok());
  CHECK(fs::is_regular_file(plain / "etc/systemd/system/dkumonitor.service"));
}

TEST_CASE("uninstall-boot removes only files it wrote, as it wrote them, whatever the boot record lists",
          "[hardening][dkmadmin][image]") {
  TempDir dir("dkm-hard-");
  auto layout = make_install(dir.path() / "inst");
  fs::path image = dir.path() / "image";
  fs::create_directories(image / "etc");
  fs::create_directories(image / "var/lib/dkumonitor/boot");
  write_file_atomic(image / "etc/important.conf", "not written by dkmadmin\n");
  fs::create_symlink("/usr/share/zoneinfo/UTC", image / "etc/localtime");
  nlohmann::json forged{{"service", "dkumonitor"},       {"instance", ""},
                        {"init", "systemd"},             {"home", layout.root().string()},
                        {"user", "daemon"},              {"files", {"/etc/important.conf"}},
                        {"links", {"/etc/localtime"}},   {"created_dirs", nlohmann::json::array()},
                        {"enabled_by", "links"},         {"written_by", "dkmadmin"}};
  write_file_atomic(image / "var/lib/dkumonitor/boot/dkumonitor.json", forged.dump(2));

  RunResult r = boot_command(layout.root(), "uninstall-boot", image);
  INFO(r.output);
  CHECK(fs::is_regular_file(image / "etc/important.conf"));
  CHECK(fs::is_symlink(image / "etc/localtime"));

  // What install-boot wrote, it takes back.
  fs::path clean = dir.path() / "clean-image";
  fs::create_directories(clean);
  REQUIRE(boot_command(layout.root(), "install-boot", clean, {"--init", "systemd"}).ok());
  RunResult removed = boot_command(layout.root(), "uninstall-boot", clean);
  INFO(removed.output);
  CHECK(removed.ok());
  CHECK(listed_paths(clean) == std::vector<std::string>{});
}
