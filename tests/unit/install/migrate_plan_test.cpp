// runtime/migrate_plan, migrate_carry, migrate_apply's steps, migrate_boot's reading:
// the migration's decisions, from a fake original install (no disk but the source
// tree's dist/templates, which the plan renders).
#include <catch2/catch.hpp>

#include <dkm/install/migrate_apply.hpp>
#include <dkm/install/migrate_plan.hpp>

#include "fake_original_install.hpp"
#include "test_support.hpp"

#include <algorithm>

using namespace dkm;
using namespace dkm::install;
using namespace dkm::test;

namespace {

MigrationFacts facts(bool database = true) {
  MigrationFacts f;
  f.bundle_version = "1.0.0";
  f.collectd_plugins = {"cpu", "df", "disk", "interface", "load", "memory", "processes", "swap", "uptime",
                        "logfile", "write_graphite", "syslog"};
  f.host.fqdn = "this.example.org";
  f.admin_password = "GeneratedPassword123";
  f.secret_key = "GeneratedSecretKey4567890";
  f.grafana_database = database;
  return f;
}

MigrationPlan plan_of(const FakeOriginal& fake, MigrationOptions options = {}, const MigrationFacts& f = facts()) {
  return plan_migration(read_original_install(fake, "/srv/dkm"), options, f, Bundle(source_dir() / "dist"));
}

const TreeEntry* conf_file(const MigrationPlan& p, const std::string& path) {
  for (const auto& e : p.conf)
    if (e.path == path) return &e;
  return nullptr;
}

bool mentions(const std::vector<MigrationItem>& items, const std::string& what, const std::string& detail = "") {
  return std::any_of(items.begin(), items.end(), [&](const MigrationItem& i) {
    return i.what.find(what) != std::string::npos && i.detail.find(detail) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("the install type comes from supervisord.conf's programs", "[migrate]") {
  auto type_of = [](const FakeOriginal& f) { return original_install_type(read_original_install(f, "/srv/dkm")).first->name; };
  for (const char* t : {"all", "server", "backend", "frontend"}) CHECK(type_of(fake_original(t)) == t);
  CHECK(type_of(fake_original("agent", "mon.example.com")) == "agent");
  // The original wrote collectd only for a backend-agent; sending to itself tells it apart.
  CHECK(type_of(fake_original("agent", "127.0.0.1")) == "backend-agent");
  FakeOriginal fixed = fake_original("backend");
  fixed.files["conf/supervisord.conf"] += "[program:collectd]\ncommand = x\n";
  CHECK(type_of(fixed) == "backend-agent");
  FakeOriginal odd = fake_original("frontend");
  odd.files["conf/supervisord.conf"] += "[program:collectd]\ncommand = x\n";
  REQUIRE_THROWS_WITH(type_of(odd), Catch::Contains("supervisord.conf runs grafana-server, collectd") &&
                                        Catch::Contains("none of the original's install types"));
}

TEST_CASE("the port plan's base comes from Grafana's port, else from a listener", "[migrate]") {
  FakeOriginal f = fake_original("agent", "mon.example.com");
  CHECK(original_port_base(read_original_install(f, "/srv/dkm")) == 27600);
  f.files["conf/grafana.ini"] = "[paths]\ndata = storage\n";
  CHECK(original_port_base(read_original_install(f, "/srv/dkm")) == 27600);  // [tcp] 27601 - 1
  f.files["conf/grafana.ini"] = "[server]\nhttp_port = 65530\n";
  REQUIRE_THROWS_WITH(original_port_base(read_original_install(f, "/srv/dkm")), Catch::Contains("http_port") &&
                                                                                  Catch::Contains("no room"));
}

TEST_CASE("an all install: the same as a fresh install with its flags, plus what it keeps", "[migrate]") {
  MigrationPlan p = plan_of(fake_original("all"));
  CHECK(p.install_args == std::vector<std::string>{"-d", "/srv/dkm", "-p", "27600", "-t", "all", "--carbon-listen",
                                                   "0.0.0.0", "--carbonserver-listen", "127.0.0.1:27603",
                                                   "--carbonapi-listen", "0.0.0.0", "--hostname", "host.example.domain"});
  CHECK(p.conf_orig == "conf.orig-0.0.4");
  CHECK(p.plan.collectd_hostname == "domain.example.host");
  CHECK(p.plan.interval == 300);
  CHECK(p.plan.dotted_host_names);
  const TreeEntry* grafana = conf_file(p, "conf/grafana.ini");
  REQUIRE(grafana);
  CHECK(grafana->mode == 0600);
  CHECK_THAT(grafana->content, Catch::Contains("data = /srv/dkm/storage\n") &&
                                   Catch::Contains("plugins = /srv/dkm/storage/plugins\n") &&
                                   Catch::Contains("secret_key = SW2YcwTIb9zpOOhoPsMm\n") &&
                                   Catch::Contains("admin_password = admin\n"));
  CHECK_FALSE(p.generated_grafana_secrets);
  CHECK_THAT(conf_file(p, "conf/go-carbon.conf")->content, Catch::Contains("data-dir = \"/srv/dkm/storage/whisper\""));
  CHECK_THAT(conf_file(p, "conf/collectd.conf")->content, Catch::Contains("\nInterval 300\n"));
  CHECK_THAT(conf_file(p, "conf/collectd.d/write_graphite.conf")->content, Catch::Contains("PreserveSeparator true"));
  CHECK(conf_file(p, "conf/storage-schemas.conf")->content == "[collect]\npattern = ^collectd.*$\nretentions = 5m:30d,1h:1y\n");
  CHECK(conf_file(p, "conf/services.ini")->mode == 0644);
  CHECK(p.env.at("DKM_INSTALL_TYPE") == "all");
  CHECK(p.env.at("DKM_PORT") == "27600");
  CHECK(mentions(p.not_carried, "[session]"));
  CHECK(mentions(p.not_carried, "[analytics]"));
  CHECK(mentions(p.removed, "pyenv/"));
  CHECK(mentions(p.moved, "conf/", "conf.orig-0.0.4/"));
  CHECK(mentions(p.notes, "metric names", "collectd.domain.example.host.*"));
}

TEST_CASE("Grafana without a database gets generated secrets, and with one its own", "[migrate]") {
  MigrationPlan fresh = plan_of(fake_original("server"), {}, facts(false));
  CHECK(fresh.generated_grafana_secrets);
  CHECK_THAT(conf_file(fresh, "conf/grafana.ini")->content, Catch::Contains("admin_password = GeneratedPassword123\n") &&
                                                                Catch::Contains("secret_key = GeneratedSecretKey4567890\n"));
  FakeOriginal special = fake_original("server");
  special.files["conf/grafana.ini"] = replace_every(special.files["conf/grafana.ini"], "admin_password = admin",
                                                    "admin_password = \"\"\"pa#ss\"\"\"");
  CHECK_THAT(conf_file(plan_of(special), "conf/grafana.ini")->content, Catch::Contains("admin_password = \"\"\"pa#ss\"\"\"\n"));
}

TEST_CASE("an agent keeps its server, and a frontend its carbonapi", "[migrate]") {
  MigrationPlan agent = plan_of(fake_original("agent", "mon.example.com"));
  CHECK(agent.plan.type().name == "agent");
  CHECK(agent.plan.carbon_target.str() == "mon.example.com:27601");
  CHECK_FALSE(conf_file(agent, "conf/go-carbon.conf"));
  MigrationPlan front = plan_of(fake_original("frontend", "10.0.0.7"));
  CHECK(front.plan.carbonapi_url == "http://10.0.0.7:27602");
  CHECK(std::find(front.install_args.begin(), front.install_args.end(), "--carbon-server") != front.install_args.end());
}

TEST_CASE("with --new-metric-names: one node, and a warning that history stays under the old names", "[migrate]") {
  MigrationOptions options;
  options.new_metric_names = true;
  MigrationPlan p = plan_of(fake_original("agent", "mon.example.com"), options);
  CHECK_FALSE(p.plan.dotted_host_names);
  CHECK_THAT(conf_file(p, "conf/collectd.d/write_graphite.conf")->content, Catch::Contains("PreserveSeparator false"));
  CHECK(mentions(p.notes, "metric names", "WARNING"));
}

TEST_CASE("carried: collectd files, env-site, Grafana settings, and not carried: what does not map", "[migrate]") {
  FakeOriginal f = fake_original("all");
  f.files["conf/collectd.d/ntpd.conf"] = "<Plugin ntpd>\n  Host \"localhost\"\n</Plugin>\n";
  f.files["conf/collectd.d/uptime.conf"] = "LoadPlugin uptime\n";
  f.files["conf/collectd.d/my.conf"] = "<Plugin \"load\">\n  ReportRelative false\n</Plugin>\n";
  f.files["conf/my-notes.txt"] = "hello\n";
  f.files["bin/env-site"] = "# site\nexport GOMAXPROCS=2\nHTTP_PROXY='http://proxy:3128'\nPATH=$PATH:/opt/x\n"
                            "DKUMONITOR_HOME=/x\nsource /etc/profile\n";
  f.files["conf/grafana.ini"] += "\n[server]\nroot_url = https://mon.example.com/\ncert_file = conf/mon.pem\n"
                                 "\n[smtp]\nenabled = true\nhost = mail:25\nkey_file = conf/mail.key\n"
                                 "\n[database]\ntype = mysql\nhost = db:3306\n";
  MigrationPlan p = plan_of(f);
  CHECK(mentions(p.not_carried, "collectd.d/ntpd.conf", "plugin ntpd"));
  CHECK_FALSE(conf_file(p, "conf/collectd.d/ntpd.conf"));
  CHECK(conf_file(p, "conf/collectd.d/my.conf")->content ==
        "# Carried from the original dkumonitor's conf/collectd.d/my.conf.\nLoadPlugin load\n" +
            f.files["conf/collectd.d/my.conf"]);
  CHECK(mentions(p.carried, "collectd.d/uptime.conf", "replaces the bundle's"));
  CHECK(mentions(p.not_carried, "conf/my-notes.txt", "conf.orig-0.0.4/my-notes.txt"));
  CHECK(p.env.at("GOMAXPROCS") == "2");
  CHECK(p.env.at("HTTP_PROXY") == "http://proxy:3128");
  CHECK_FALSE(p.env.count("PATH"));
  CHECK(mentions(p.not_carried, "bin/env-site:4", "not a plain NAME=VALUE"));
  CHECK(mentions(p.not_carried, "bin/env-site:5", "DKUMONITOR_HOME"));
  CHECK(mentions(p.not_carried, "bin/env-site:6"));
  std::string grafana = conf_file(p, "conf/grafana.ini")->content;
  CHECK_THAT(grafana, Catch::Contains("root_url = https://mon.example.com/\n") &&
                          Catch::Contains("cert_file = /srv/dkm/conf.orig-0.0.4/mon.pem\n") &&
                          Catch::Contains("key_file = /srv/dkm/conf.orig-0.0.4/mail.key\n") &&
                          Catch::Contains("host = mail:25\n") && Catch::Contains("type = mysql\n"));
  CHECK(mentions(p.carried, "grafana.ini [smtp]"));
  CHECK(mentions(p.carried, "grafana.ini [database]", "mysql"));
}

TEST_CASE("migration steps: a failure undoes the steps done, newest first", "[migrate]") {
  std::vector<std::string> log;
  auto step = [&](const std::string& name, bool fail) {
    return MigrationStep{name, [&log, name, fail] {
                           if (fail) throw Error("disk full");
                           log.push_back("do " + name);
                         },
                         [&log, name] { log.push_back("undo " + name); }};
  };
  std::vector<MigrationStep> steps{step("a", false), step("b", false), step("c", true), step("d", false)};
  REQUIRE_THROWS_WITH(run_migration_steps(steps), Catch::Contains("disk full (while trying to c)") &&
                                                       Catch::Contains("every change was undone"));
  CHECK(log == std::vector<std::string>{"do a", "do b", "undo b", "undo a"});
  steps[0].undo = [] { throw Error("stuck"); };
  log.clear();
  REQUIRE_THROWS_WITH(run_migration_steps(steps), Catch::Contains("could not be undone") && Catch::Contains("a: stuck"));
}
