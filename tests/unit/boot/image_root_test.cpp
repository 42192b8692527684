// boot/image_root: paths resolved inside --root; a link in an image never leads out of it.
#include <catch2/catch.hpp>

#include "boot/image_root.hpp"

#include <dkm/core/temp_dir.hpp>

using namespace dkm;
using namespace dkm::boot;

TEST_CASE("an absolute link inside an image means the image's path, never this machine's", "[boot][image]") {
  TempDir dir;
  fs::path image = dir.path() / "image", outside = dir.path() / "outside";
  fs::create_directories(image / "etc/systemd");
  fs::create_directories(image / "srv/units");
  fs::create_directories(outside);
  // In the booted image, /etc/systemd/system is /srv/units; on this machine the same text is elsewhere.
  fs::create_directory_symlink("/srv/units", image / "etc/systemd/system");
  ImageRoot root(image);
  root.write_file("/etc/systemd/system/x.service", "[Service]\n", 0644);
  CHECK(read_file(image / "srv/units/x.service") == "[Service]\n");
  CHECK(root.read_file("/etc/systemd/system/x.service") == std::optional<std::string>("[Service]\n"));

  // A link out of the image leads nowhere inside it: refused, naming it, before anything is written.
  fs::create_directories(image / "var/lib");
  fs::create_directory_symlink(outside, image / "var/lib/dkumonitor");
  REQUIRE_THROWS_AS(root.missing_dirs({"/var/lib/dkumonitor/boot"}), UsageError);
  REQUIRE_THROWS_WITH(root.open_dir("/var/lib/dkumonitor/boot"),
                      Catch::Contains((image / "var/lib/dkumonitor").string()) && Catch::Contains("leads nowhere"));
  fs::create_directory_symlink("../../..", image / "etc/up");  // '..' stops at the image's top
  CHECK(root.open_dir("/etc/up/etc/systemd")->path() == image / "etc/up/etc/systemd");
  CHECK(fs::is_empty(outside));
}

TEST_CASE("missing directories are listed parents first, made 0755, and removed only when empty", "[boot][image]") {
  TempDir dir;
  fs::create_directories(dir.path() / "etc");
  ImageRoot root(dir.path());
  CHECK(root.missing_dirs({"/etc/rc2.d", "/var/lib/dkumonitor/boot"}) ==
        std::vector<fs::path>{"/etc/rc2.d", "/var", "/var/lib", "/var/lib/dkumonitor", "/var/lib/dkumonitor/boot"});
  for (const char* d : {"/var", "/var/lib"}) root.make_dir(d);
  CHECK((fs::status(dir.path() / "var/lib").permissions() & fs::perms::all) == fs::perms(0755));
  root.write_file("/var/lib/f", "x", 0600);
  CHECK_FALSE(root.remove_empty_dir("/var/lib"));
  CHECK(root.remove("/var/lib/f"));
  CHECK(root.remove_empty_dir("/var/lib"));
  CHECK_FALSE(root.remove_empty_dir("/var/lib"));
  REQUIRE_THROWS_AS(ImageRoot(dir.path() / "absent"), UsageError);
}
