// boot/plan_target: what the boot service may make writable, and the install named by its real path.
#include <catch2/catch.hpp>

#include <dkm/boot/plan_target.hpp>
#include <dkm/core/temp_dir.hpp>

using namespace dkm;
using namespace dkm::boot;

TEST_CASE("a directory a link leads to is writable only when it is the service account's", "[boot][plan]") {
  CHECK(writable_problem("monitor", 1000, true, 1000, 1000).empty());
  CHECK(writable_problem("monitor", 1000, true, 1000, 0).empty());  // the admin's link to the account's disk
  CHECK_THAT(writable_problem("monitor", 1000, true, 0, 1000), Catch::Contains("monitor does not own"));
  CHECK_THAT(writable_problem("monitor", 1000, false, 1000, 1000), Catch::Contains("not a directory"));
  // Run as root: root's directory, through root's own link only.
  CHECK(writable_problem("root", 0, true, 0, 0).empty());
  CHECK_THAT(writable_problem("root", 0, true, 0, 1000), Catch::Contains("another account's"));
  CHECK_THAT(writable_problem("root", 0, true, 1000, 0), Catch::Contains("root does not own"));
}

TEST_CASE("an install reached through a link is named by its real path, and matches records of either", "[boot][plan]") {
  TempDir dir;
  fs::create_directories(dir.path() / "real");
  fs::create_directory_symlink(dir.path() / "real", dir.path() / "alias");
  InstallLayout through_alias(dir.path() / "alias");
  fs::path real = fs::canonical(dir.path() / "real");
  CHECK(install_home("/", through_alias) == real);
  CHECK(names_install(real, "/", through_alias));
  CHECK(names_install(dir.path() / "alias", "/", through_alias));  // what an earlier dkmadmin recorded
  CHECK_FALSE(names_install(dir.path() / "other", "/", through_alias));
  CHECK(install_home(fs::canonical(dir.path()), through_alias) == "/real");
}
