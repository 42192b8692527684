// boot/record: what uninstall-boot may remove is what install-boot wrote, as it wrote it.
#include <catch2/catch.hpp>

#include <dkm/boot/record.hpp>
#include <dkm/boot/target.hpp>
#include <dkm/core/error.hpp>

using namespace dkm;
using namespace dkm::boot;

namespace {

/// The record of a systemd unit of /srv/a, run as monitor and enabled by links, listing nothing yet.
BootRecord systemd_record() {
  BootRecord record;
  record.service = "dkumonitor.a";
  record.instance = "a";
  record.init = InitSystem::systemd;
  record.home = "/srv/a";
  record.user = "monitor";
  record.enabled_by = EnableMethod::links;
  return record;
}

/// The record install-boot makes for that unit.
BootRecord written_record(const std::string& unit_text) {
  BootRecord record = systemd_record();
  note_written_file(record, service_file(InitSystem::systemd, record.service), unit_text);
  for (const auto& [link, target] : service_links(InitSystem::systemd, record.service))
    note_made_link(record, link, target);
  return record;
}

const fs::path kUnit = "/etc/systemd/system/dkumonitor.a.service";
const fs::path kWants = "/etc/systemd/system/multi-user.target.wants/dkumonitor.a.service";

}  // namespace

TEST_CASE("records round-trip and may list only what install-boot writes", "[boot]") {
  BootRecord record = systemd_record();
  record.files = {kUnit};
  record.links = {kWants};
  record.created_dirs = {kWants.parent_path()};
  BootRecord back = boot_record_from_json(to_json(record).dump(), "r.json");
  CHECK(to_json(back) == to_json(record));

  auto json = to_json(record);
  json["files"] = {"/home/user/.bashrc"};
  CHECK_THROWS_WITH(boot_record_from_json(json.dump(), "r.json"), Catch::Contains("/home/user/.bashrc"));
  json["files"] = {"/etc/../home/user/.bashrc"};
  CHECK_THROWS_AS(boot_record_from_json(json.dump(), "r.json"), Error);
  CHECK_THROWS_WITH(boot_record_from_json("{", "r.json"), Catch::StartsWith("r.json: not a boot record"));
}

TEST_CASE("a file is as written only with the recorded content, and only the service's own file", "[boot][record]") {
  const std::string unit = "# dkumonitor-home: /srv/a\n[Service]\n";
  BootRecord record = written_record(unit);
  CHECK(record.files == std::vector<fs::path>{kUnit});
  CHECK(record.sha256.at(kUnit.string()).size() == 64);
  CHECK(file_as_written(record, kUnit, unit));
  CHECK_FALSE(file_as_written(record, kUnit, unit + "# edited by the admin\n"));
  // Listing another file, even with its checksum, does not make it install-boot's.
  note_written_file(record, "/etc/important.conf", "not dkmadmin's\n");
  CHECK_FALSE(file_as_written(record, "/etc/important.conf", "not dkmadmin's\n"));
  // It survives a round trip through JSON.
  BootRecord back = boot_record_from_json(to_json(record).dump(), "r.json");
  CHECK(back.sha256 == record.sha256);
  CHECK(back.link_targets == record.link_targets);
  CHECK(file_as_written(back, kUnit, unit));
}

TEST_CASE("a link is as made only when it is the service's with the recorded text", "[boot][record]") {
  BootRecord record = written_record("x");
  CHECK(record.links == std::vector<fs::path>{kWants});
  CHECK(link_as_written(record, kWants, kUnit));
  CHECK_FALSE(link_as_written(record, kWants, "/etc/passwd"));
  CHECK_FALSE(link_as_written(record, "/etc/localtime", "/usr/share/zoneinfo/UTC"));
  BootRecord sysv = record;
  sysv.init = InitSystem::sysv;
  sysv.link_targets = {{"/etc/rc2.d/S80dkumonitor.a", "../init.d/dkumonitor.a"}};
  CHECK(link_as_written(sysv, "/etc/rc2.d/S80dkumonitor.a", "../init.d/dkumonitor.a"));
  CHECK_FALSE(link_as_written(sysv, "/etc/rc2.d/S80dkumonitor.a", "../init.d/other"));
}

TEST_CASE("a record of an earlier dkmadmin (no checksums) removes only its own unit naming its install",
          "[boot][record]") {
  BootRecord old = written_record("");
  old.sha256.clear();
  old.link_targets.clear();
  CHECK(file_as_written(old, kUnit, "# dkumonitor-home: /srv/a\n[Service]\n"));
  CHECK_FALSE(file_as_written(old, kUnit, "# dkumonitor-home: /srv/b\n[Service]\n"));
  CHECK_FALSE(file_as_written(old, kUnit, "[Service]\n"));
  CHECK_FALSE(file_as_written(old, "/etc/important.conf", "# dkumonitor-home: /srv/a\n"));
  CHECK(link_as_written(old, kWants, kUnit));
  CHECK_FALSE(link_as_written(old, "/etc/localtime", "/usr/share/zoneinfo/UTC"));
  // Such a record parses (no sha256, no link_targets keys).
  auto json = to_json(old);
  json.erase("sha256");
  json.erase("link_targets");
  CHECK(boot_record_from_json(json.dump(), "old.json").sha256.empty());
}

TEST_CASE("created directories merge once each, parents first", "[boot][record]") {
  std::vector<fs::path> dirs{"/var/lib/dkumonitor/boot", "/var/lib/dkumonitor"};
  merge_created_dirs(dirs, {"/var/lib/dkumonitor", "/etc/rc2.d"});
  CHECK(dirs == std::vector<fs::path>{"/etc/rc2.d", "/var/lib/dkumonitor", "/var/lib/dkumonitor/boot"});
}
