// Every install gets its own Grafana admin password and secret key,
// kept only in conf/ files of mode 0600; the password is printed once, at the end.
#include <catch2/catch.hpp>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <regex>

#include "installer_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

struct Secrets {
  std::string password, key, printed;
};

Secrets install_and_read(const TestBundle& bundle, const dkm::InstallLayout& L, const std::string& type) {
  std::vector<std::string> args{"-d", L.root().string(), "-p", "27600", "-t", type};
  if (type == "all") args.insert(args.end(), {"--hostname", "h.example"});
  RunResult r = run_installer(bundle, args);
  INFO(r.output);
  REQUIRE(r.ok());
  boost::property_tree::ptree ini;
  boost::property_tree::read_ini((L.conf() / "grafana.ini").string(), ini);
  Secrets s{ini.get<std::string>("security.admin_password"), ini.get<std::string>("security.secret_key"), {}};
  std::smatch m;
  REQUIRE(std::regex_search(r.output, m, std::regex("Grafana login: admin / (\\S+)")));
  s.printed = m[1];
  // Printed once.
  size_t first = r.output.find(s.password);
  CHECK(r.output.find(s.password, first + 1) == std::string::npos);
  CHECK_THAT(r.output, !Catch::Contains(s.key));
  return s;
}

}  // namespace

TEST_CASE("two installs get different passwords and keys, kept only in 0600 files of conf", "[installer][secrets]") {
  TempDir tmp{"dkm-secrets-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  dkm::InstallLayout a(tmp.path() / "a"), b(tmp.path() / "b-inst");
  Secrets sa = install_and_read(bundle, a, "all");
  Secrets sb = install_and_read(bundle, b, "server");

  CHECK(sa.password != sb.password);
  CHECK(sa.key != sb.key);
  CHECK(sa.printed == sa.password);
  CHECK(sb.printed == sb.password);
  for (const auto& s : {sa, sb}) {
    CHECK(s.password.size() >= 20);
    CHECK(s.key.size() >= 32);
    CHECK(s.password != "admin");
    CHECK(s.key != "SW2YcwTIb9zpOOhoPsMm");  // Grafana's shipped default
  }

  // Where the secrets are: only conf/ files of mode 0600, nowhere else in DIR or the bundle.
  for (const auto& [layout, s] : {std::pair{a, sa}, std::pair{b, sb}}) {
    int holders = 0;
    for (const fs::path& root : {layout.root(), bundle.root}) {
      for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file() || it->is_symlink()) continue;
        std::string text = read_file(it->path());
        bool holds = text.find(s.password) != std::string::npos || text.find(s.key) != std::string::npos;
        if (!holds) continue;
        ++holders;
        INFO(it->path());
        CHECK(it->path().parent_path() == layout.conf());
        CHECK((fs::status(it->path()).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
      }
    }
    CHECK(holders == 1);
  }
}

TEST_CASE("installs without Grafana generate no Grafana secrets", "[installer][secrets]") {
  TempDir tmp{"dkm-secrets-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "b");
  dkm::InstallLayout L(tmp.path() / "i");
  RunResult r = run_installer(bundle, {"-d", L.root().string(), "-p", "27600", "-t", "backend-agent", "--hostname", "h.x"});
  REQUIRE(r.ok());
  CHECK_THAT(r.output, !Catch::Contains("Grafana login"));
  for (auto it = fs::recursive_directory_iterator(L.conf()); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) CHECK((fs::status(it->path()).permissions() & fs::perms::others_read) != fs::perms::none);
}
