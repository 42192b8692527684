// Issue 16: `installer -u -d DIR` on an install of the original dkumonitor migrates it
// in place. For `all`, `agent` and `backend-agent` installs written as the original's
// installer makes them (with whisper files holding points and a Grafana database):
// storage/ byte for byte, conf.orig-VERSION kept, the type, ports and host name carried,
// collectd's metric names continued (the names Debian's collectd sends with the migrated
// config are the ones it sent with the original's), then `dkm start` and `dkm stop`.
#include "../dashboards/dashboard_checks.hpp"
#include "migrate_fixture.hpp"

#include <catch2/catch.hpp>

#include <iostream>

using namespace dkm;
using namespace dkm::test;

namespace {

/// What every migrated install must show, whatever its type.
void check_migrated(const OriginalWorld& w, const std::string& type, const RunResult& r,
                    const std::map<std::string, std::string>& conf_before, const std::string& storage_before) {
  dkm::InstallLayout L = w.layout();
  INFO(r.output);
  REQUIRE(r.ok());
  CHECK(tree_digest(L.storage()) == storage_before);
  std::string orig = "conf.orig-" + w.spec.version;
  auto kept = tree_contents(w.dir / orig);
  for (const auto& [path, content] : conf_before) CHECK(kept[path] == content);
  CHECK(kept.count("env-default"));
  CHECK(kept.count("env-site"));
  auto env = dkm::parse_env_file(read_file(L.env_file()), "env");
  CHECK(env["DKM_INSTALL_TYPE"] == type);
  CHECK(env["DKM_PORT"] == std::to_string(w.spec.port));
  CHECK(env["DKM_BUNDLE"] == w.bundle.root.string());
  CHECK(fs::read_symlink(L.bin() / "dkm") == w.bundle.root / "bin/dkm");
  CHECK(fs::read_symlink(L.static_link()) == w.bundle.root / "static");
  CHECK(fs::read_symlink(L.lib_link()) == w.bundle.root / "lib");
  CHECK(fs::read_symlink(L.dashboards_link()) == w.bundle.root / "dashboards");
  for (const char* gone : {"pyenv", "bin/dkumonitor", "bin/env-default", "bin/env-site"})
    CHECK_FALSE(fs::exists(fs::symlink_status(w.dir / gone)));
  for (const auto& entry : fs::directory_iterator(w.dir))
    CHECK_THAT(entry.path().filename().string(), !Catch::StartsWith(".dkm"));
  for (const char* block : {"kept:", "converted", "carried", "not carried:", "moved:", "removed:"})
    CHECK_THAT(r.output, Catch::Contains(block));
  CHECK_THAT(r.output, Catch::Contains("installer -d " + w.dir.string() + " -p " + std::to_string(w.spec.port) + " -t " + type));
}

/// collectd's settings as migrated: the original's host name (dots kept in metric names), interval, server.
void check_collectd(const OriginalWorld& w, const std::string& target_host) {
  dkm::InstallLayout L = w.layout();
  CollectdItem main = parse_collectd_config(read_file(L.conf() / "collectd.conf"));
  CHECK(main.value("Hostname") == original_collectd_hostname(w.spec));
  CHECK(main.value("Interval") == "300");
  CollectdItem wg = parse_collectd_config(read_file(L.conf() / "collectd.d/write_graphite.conf"));
  const CollectdItem* node = wg.all("Plugin")[0]->all("Node")[0];
  CHECK(node->value("PreserveSeparator") == "true");
  CHECK(node->value("Host") == target_host);
  CHECK(node->value("Port") == std::to_string(w.spec.port + 1));
}

/// go-carbon's settings: the whisper tree where it is, the original's listeners and retentions.
void check_go_carbon(const OriginalWorld& w) {
  dkm::InstallLayout L = w.layout();
  std::string conf = read_file(L.conf() / "go-carbon.conf");
  CHECK(setting(conf, "data-dir") == "\"" + (w.dir / "storage/whisper").string() + "\"");
  CHECK_THAT(conf, Catch::Contains("listen = \"0.0.0.0:" + std::to_string(w.spec.port + 1) + "\""));
  CHECK_THAT(conf, Catch::Contains("listen = \"127.0.0.1:" + std::to_string(w.spec.port + 3) + "\""));
  CHECK(setting(conf, "hash-filenames") == "true");
  CHECK(read_file(L.conf() / "storage-schemas.conf") == read_file(w.dir / ("conf.orig-" + w.spec.version) / "storage-schemas.conf"));
  CHECK_THAT(read_file(L.conf() / "carbonapi.yaml"), Catch::Contains("0.0.0.0:" + std::to_string(w.spec.port + 2)));
}

/// dkm starts every service of the migrated install (doubles for go-carbon, carbonapi,
/// Grafana; Debian's collectd) and stops them all; returns what go-carbon's double received.
std::set<std::string> start_and_stop(const OriginalWorld& w, const std::vector<std::string>& services,
                                     const std::string& wanted_metric) {
  dkm::InstallLayout L = w.layout();
  RunResult started = run_dkm(L, {"start"});
  StopAtEnd stop_at_end{L};
  INFO("dkm start:\n" << started.output);
  REQUIRE(started.ok());
  RunResult status = run_dkm(L, {"status"});
  INFO("dkm status:\n" << status.output);
  CHECK(status.exit_code == 0);
  for (const auto& s : services) CHECK_THAT(status.output, Catch::Contains(s));
  std::set<std::string> received;
  if (!wanted_metric.empty())
    wait_until([&] { return (received = double_received_names(L)).count(wanted_metric) > 0; }, std::chrono::seconds(30),
               std::chrono::milliseconds(200));
  std::vector<pid_t> running = install_processes(L);
  RunResult stopped = run_dkm(L, {"stop"});
  CHECK(stopped.ok());
  CHECK(install_processes(L).empty());
  for (pid_t pid : running) CHECK_FALSE(dkm::process_alive(pid));
  return received;
}

/// A dashboard as the original shipped them (dashboards/collectd_system.json: a hidden
/// constant `prefix`, the reversed domain, and `host`, one node below it), abridged to
/// panels whose series collectd sends on its first read.
dkm::test::Dashboard original_style_dashboard(const std::string& prefix) {
  nlohmann::json d = {
      {"title", "System (the original's style)"},
      {"templating",
       {{"list",
         {{{"name", "prefix"}, {"type", "constant"}, {"query", prefix}, {"hide", 2}},
          {{"name", "host"}, {"type", "query"}, {"query", "$prefix.*"}, {"multi", true}, {"includeAll", true}}}}}},
      {"panels",
       {{{"title", "RAM Usage (%)"},
         {"targets", {{{"refId", "A"}, {"target", "aliasByNode(sumSeriesWithWildcards($prefix.$host.memory.percent.used, 6), 3)"}}}}},
        {{"title", "Disk usage"},
         {"targets", {{{"refId", "A"}, {"target", "aliasByNode($prefix.$host.df.*.percent_bytes.used, 3, 5)"}}}}},
        {{"title", "Load"},
         {"targets", {{{"refId", "A"}, {"target", "aliasByNode($prefix.$host.load.load.relative.shortterm, 3)"}}}}}}}};
  return dkm::test::parse_dashboard(d.dump(), "original-style.json");
}

}  // namespace

TEST_CASE("migrating an original all install keeps storage, type, ports, host name and Grafana's database",
          "[migrate]") {
  OriginalWorld w{original_spec("0.0.4", "all")};
  REQUIRE(w.stored.size() >= 4);
  auto conf_before = tree_contents(w.dir / "conf");
  std::string storage_before = tree_digest(w.dir / "storage");
  auto start = std::chrono::steady_clock::now();
  RunResult r = w.migrate();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  check_migrated(w, "all", r, conf_before, storage_before);
  check_collectd(w, "127.0.0.1");
  check_go_carbon(w);

  dkm::InstallLayout L = w.layout();
  std::string grafana = read_file(L.conf() / "grafana.ini");
  CHECK(setting(grafana, "data") == (w.dir / "storage").string());
  CHECK(setting(grafana, "plugins") == (w.dir / "storage/plugins").string());
  CHECK(setting(grafana, "http_port") == std::to_string(w.spec.port));
  CHECK(setting(grafana, "secret_key") == "SW2YcwTIb9zpOOhoPsMm");  // it decrypts what the database holds
  CHECK(setting(grafana, "admin_password") == "admin");            // the database's, not a generated one
  CHECK((fs::status(L.conf() / "grafana.ini").permissions() & fs::perms::others_read) == fs::perms::none);
  CHECK_THAT(r.output, Catch::Contains("no password was generated"));
  CHECK_THAT(r.output, Catch::Contains("Grafana's published default"));

  // collectd sends the names it sent before (dots kept): the whisper files go on.
  std::string load = w.metric("load.load.relative.shortterm");
  std::set<std::string> received = start_and_stop(w, {"go-carbon", "carbonapi", "grafana", "collectd"}, load);
  CHECK(received.count(load));
  size_t continued = 0;
  for (const auto& name : received) continued += w.sent_names.count(name);
  for (const char* suffix : {"load.load.relative.midterm", "memory.memory.used", "memory.percent.used"})
    CHECK(received.count(w.metric(suffix)));
  CHECK(tree_digest(L.storage() / "grafana.db") == tree_digest(w.dir / "storage/grafana.db"));
  // The original's dashboards (kept in Grafana's database) still list the host and find its series.
  dkm::test::Dashboard old_style = original_style_dashboard("collectd.domain.example");
  for (const auto& m : missing_series(old_style, received)) FAIL_CHECK("the original's dashboard finds nothing for " << m);
  std::set<std::string> one_node;  // what --new-metric-names would send: the check has teeth
  for (const auto& name : received)
    one_node.insert(replace_every(name, original_collectd_hostname(w.spec), "domain_example_host"));
  CHECK_FALSE(missing_series(old_style, one_node).empty());
  std::cout << "migration of an all install (" << w.stored.size() << " whisper files): " << seconds << " s; "
            << received.size() << " metric names sent after it, " << continued << " of them among the "
            << w.sent_names.size() << " the original's collectd sent\n";
}

TEST_CASE("migrating an original agent install keeps its server, host name and metric names", "[migrate]") {
  OriginalSpec spec = original_spec("0.0.4", "agent");
  spec.carbon_server = "mon.example.com";
  OriginalWorld w{spec};
  auto conf_before = tree_contents(w.dir / "conf");
  std::string storage_before = tree_digest(w.dir / "storage");
  RunResult r = w.migrate();
  check_migrated(w, "agent", r, conf_before, storage_before);
  check_collectd(w, "mon.example.com");
  dkm::InstallLayout L = w.layout();
  CHECK_FALSE(fs::exists(L.conf() / "go-carbon.conf"));
  CHECK_FALSE(fs::exists(L.conf() / "grafana.ini"));
  CHECK_THAT(r.output, Catch::Contains("--carbon-server mon.example.com"));
  start_and_stop(w, {"collectd"}, "");
}

TEST_CASE("migrating an original backend-agent install (collectd only in its supervisord.conf) runs its servers",
          "[migrate]") {
  OriginalWorld w{original_spec("0.0.3", "backend-agent")};
  auto conf_before = tree_contents(w.dir / "conf");
  std::string storage_before = tree_digest(w.dir / "storage");
  RunResult r = w.migrate();
  check_migrated(w, "backend-agent", r, conf_before, storage_before);
  CHECK_THAT(r.output, Catch::Contains("as the original installer wrote every backend-agent install"));
  check_collectd(w, "127.0.0.1");
  check_go_carbon(w);
  // 0.0.3's disk.conf is kept as it was; the bundle's takes its place.
  CHECK_THAT(read_file(w.dir / "conf.orig-0.0.3/collectd.d/disk.conf"), Catch::Contains("[hs]d[a-f]"));
  std::string load = w.metric("load.load.relative.shortterm");
  std::set<std::string> received = start_and_stop(w, {"go-carbon", "carbonapi", "collectd"}, load);
  CHECK(received.count(load));

  // Migrated, it is an install of this toolkit: -u updates it, --dry-run says how, nothing else changes.
  std::string before = tree_digest(w.dir / "conf");
  RunResult preview = w.migrate({"--dry-run"});
  INFO(preview.output);
  CHECK(preview.ok());
  CHECK_THAT(preview.output, Catch::Contains("dry run, nothing changed: installer -u would point"));
  CHECK(w.migrate({"--new-metric-names"}).exit_code == 2);
  RunResult again = w.migrate();
  INFO(again.output);
  CHECK(again.ok());
  CHECK_THAT(again.output, Catch::Contains("updated"));
  CHECK(tree_digest(w.dir / "conf") == before);
}

TEST_CASE("migrating with --new-metric-names writes the host as one node and warns that history stays under the old names",
          "[migrate]") {
  OriginalWorld w{original_spec("0.0.4", "backend-agent"), false};
  RunResult r = w.migrate({"--new-metric-names"});
  INFO(r.output);
  REQUIRE(r.ok());
  CollectdItem wg = parse_collectd_config(read_file(w.layout().conf() / "collectd.d/write_graphite.conf"));
  CHECK(wg.all("Plugin")[0]->all("Node")[0]->value("PreserveSeparator") == "false");
  CHECK_THAT(r.output, Catch::Contains("WARNING") && Catch::Contains("collectd.domain_example_host.*") &&
                           Catch::Contains("history stays under collectd.domain.example.host.*"));
}
