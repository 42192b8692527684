// install/update: what bin/env keeps across an update.
#include <catch2/catch.hpp>

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
