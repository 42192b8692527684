// The supervisor run by root (DKM_ALLOW_ROOT=1) on an install another account owns: the
// account controls DIR/run, so every log, pid, lock and socket path there may be a link it
// planted. Root must not open through them (nor through DIR/run itself); the owner's own
// `dkm start` keeps working.
#include "hardening_fixture.hpp"

using namespace dkm;
using namespace dkm::test;

namespace {

/// Plants a link owned by `account` at `link`, pointing to `target`.
void plant_link(const TestAccount& account, const fs::path& target, const fs::path& link) {
  fs::create_symlink(target, link);
  REQUIRE(::lchown(link.c_str(), account.uid(), primary_gid(account)) == 0);
}

/// Root starts and stops the install: refused (the privilege rule), saying how to run it
/// as the owner. Whatever root did, the token's processes are killed after.
void root_then_owner(const ServicesInstall& inst, const TestAccount& account, const std::string& token) {
  RunResult start = inst.as_root({"start"});
  INFO("root's dkm start: " << start.output);
  RunResult stop = inst.as_root({"stop"});
  INFO("root's dkm stop: " << stop.output);
  kill_token(token);
  CHECK(start.exit_code == 2);
  CHECK_THAT(start.output, Catch::Contains("belongs to " + account.name()) &&
                               Catch::Contains("sudo -u " + account.name() + " "));
  CHECK(stop.exit_code == 2);
}

/// The owner's own start and stop work once DIR/run is a plain directory again.
void owner_start_works(const ServicesInstall& inst, const TestAccount& account, const std::string& token) {
  fs::remove_all(inst.layout().run());
  fs::create_directory(inst.layout().run());
  REQUIRE(::chown(inst.layout().run().c_str(), account.uid(), primary_gid(account)) == 0);
  RunResult own = inst.as_owner({"start"});
  INFO("the owner's dkm start: " << own.output);
  CHECK(own.ok());
  CHECK(processes_with_arg(token).size() == 1);
  CHECK(inst.as_owner({"stop"}).ok());
  CHECK(processes_with_arg(token).empty());
}

}  // namespace

TEST_CASE("root's supervisor opens no log, lock or pid path that is a link the owner planted in DIR/run",
          "[hardening][dkm][root]") {
  TestAccount account;
  const std::string token = unique_token();
  KillAtEnd cleanup{{token}};
  ServicesInstall inst(shell_service("svc", "echo service output; exec sleep " + token), &account);
  fs::path roots = inst.scratch() / "root-files";
  fs::create_directories(roots);
  write_file_atomic(roots / "important.log", "root's own log\n");
  write_file_atomic(roots / "other.conf", "root's own config\n");
  fs::create_directory(inst.layout().run());
  REQUIRE(::chown(inst.layout().run().c_str(), account.uid(), primary_gid(account)) == 0);
  plant_link(account, roots / "important.log", inst.layout().run() / "dkm.log");
  plant_link(account, roots / "other.conf", inst.layout().run() / "svc.log");
  plant_link(account, roots / "created-by-root", inst.layout().run() / "dkm.lock");
  write_file_atomic(roots / "pid-target", "root's pid\n");
  plant_link(account, roots / "pid-target", inst.layout().run() / "dkm.pid");
  plant_link(account, roots / "pid-target", inst.layout().run() / "svc.pid");
  const std::string before = tree_digest(roots);

  root_then_owner(inst, account, token);
  CHECK(tree_digest(roots) == before);
  CHECK_FALSE(fs::exists(roots / "created-by-root"));
  owner_start_works(inst, account, token);
}

TEST_CASE("root's supervisor writes nothing through a DIR/run that is a link the owner planted",
          "[hardening][dkm][root]") {
  TestAccount account;
  const std::string token = unique_token();
  KillAtEnd cleanup{{token}};
  ServicesInstall inst(shell_service("svc", "exec sleep " + token), &account);
  fs::path elsewhere = inst.scratch() / "root-dir";
  fs::create_directories(elsewhere);
  write_file_atomic(elsewhere / "keep", "root's\n");
  plant_link(account, elsewhere, inst.layout().run());
  const std::string before = tree_digest(elsewhere);

  root_then_owner(inst, account, token);
  CHECK(tree_digest(elsewhere) == before);
  owner_start_works(inst, account, token);
}
