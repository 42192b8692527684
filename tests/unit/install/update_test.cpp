// install/update: what bin/env keeps across an update, and whose install an update may touch.
#include <catch2/catch.hpp>

#include "install/install_owner.hpp"

#include <dkm/install/plan.hpp>
#include <dkm/install/update.hpp>

using namespace dkm;
using namespace dkm::install;

TEST_CASE("bin/env keeps only the installer's keys across an update, and says which it dropped", "[update]") {
  std::map<std::string, std::string> old{{"DKM_HOME", "/old"},          {"DKM_BUNDLE", "/b/1.0"},
                                         {"DKM_VERSION", "1.0"},        {"DKM_INSTALL_TYPE", "agent"},
                                         {"DKM_PORT", "27600"},         {"LD_PRELOAD", "/tmp/planted.so"},
                                         {"PATH", "/tmp/evil:/usr/bin"}};
  std::vector<std::string> dropped;
  auto env = updated_env(old, "/srv/mon", "/b/1.1", "1.1", dropped);
  CHECK(env == std::map<std::string, std::string>{{"DKM_HOME", "/srv/mon"},
                                                   {"DKM_BUNDLE", "/b/1.1"},
                                                   {"DKM_VERSION", "1.1"},
                                                   {"DKM_INSTALL_TYPE", "agent"},
                                                   {"DKM_PORT", "27600"}});
  CHECK(dropped == std::vector<std::string>{"LD_PRELOAD", "PATH"});
  // The keys an install writes are the ones an update keeps.
  std::vector<std::string> written;
  for (const auto& [key, value] : env) written.push_back(key);
  std::vector<std::string> keys = env_keys();
  std::sort(keys.begin(), keys.end());
  CHECK(written == keys);
}

TEST_CASE("an install entry owned by neither the caller nor root makes the install another account's", "[update]") {
  std::vector<OwnedEntry> own{{"/srv/mon", 1000}, {"/srv/mon/bin", 1000}, {"/srv/mon/bin/env", 0}};
  CHECK_FALSE(first_foreign(1000, own));
  CHECK_FALSE(first_foreign(0, {{"/srv/mon", 0}, {"/srv/mon/bin", 0}}));
  auto foreign = first_foreign(0, own);  // root, on 1000's install
  REQUIRE(foreign);
  CHECK(foreign->path == "/srv/mon");
  CHECK(foreign->uid == 1000);
  // One planted entry is enough: a link in root's install made by another account.
  foreign = first_foreign(0, {{"/srv/mon", 0}, {"/srv/mon/bin", 0}, {"/srv/mon/bin/env", 1000}});
  REQUIRE(foreign);
  CHECK(foreign->path == "/srv/mon/bin/env");
  CHECK(first_foreign(1000, {{"/srv/mon", 1001}})->uid == 1001);
  CHECK(as_account("monitor", "/b/installer -u -d /srv/mon") ==
        "sudo -u monitor /b/installer -u -d /srv/mon (runuser -u monitor -- /b/installer -u -d /srv/mon where there is "
        "no sudo)");
}
