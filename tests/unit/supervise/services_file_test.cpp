// supervise/services_file: supervisord's INI syntax, checked key by key, errors with file and line.
#include <catch2/catch.hpp>

#include <dkm/supervise/services_file.hpp>

using namespace dkm;
using namespace dkm::supervise;

namespace {

ExpansionContext context() {
  ExpansionContext ctx;
  ctx.env = {{"DKM_HOME", "/srv/mon"}, {"DKM_PORT", "27600"}};
  ctx.install_root = "/srv/mon";
  ctx.run_dir = "/srv/mon/run";
  ctx.host_name = "host1";
  return ctx;
}

ServicesFile parse(const std::string& text) { return parse_services_file(text, "/srv/mon/conf/services.ini", context()); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("every program key is read, expanded and checked", "[services_file]") {
  auto file = parse(
      "; a comment\n"
      "[program:grafana]\n"
      "command = %(ENV_DKM_HOME)s/bin/grafana-server --homepath \"%(here)s/../static dir\" ; trailing comment\n"
      "directory = %(ENV_DKM_HOME)s/storage\n"
      "environment = GF_PATHS_DATA=\"%(ENV_DKM_HOME)s/storage\",A='x,y',EMPTY=\n"
      "autostart = false\n"
      "autorestart = true\n"
      "exitcodes = 0,2\n"
      "startsecs = 5\n"
      "startretries = 7\n"
      "stopsignal = INT\n"
      "stopwaitsecs = 30\n"
      "stopasgroup = false\n"
      "killasgroup = no\n"
      "redirect_stderr = true\n"
      "stdout_logfile = %(ENV_DKM_HOME)s/run/%(program_name)s.log\n"
      "stdout_logfile_maxbytes = 10MB\n"
      "stdout_logfile_backups = 2\n"
      "priority = 30\n"
      "ready = tcp:127.0.0.1:%(ENV_DKM_PORT)s\n");
  REQUIRE(file.programs.size() == 1);
  const ProgramConfig& p = file.programs.at("grafana");
  CHECK(p.command == std::vector<std::string>{"/srv/mon/bin/grafana-server", "--homepath", "/srv/mon/conf/../static dir"});
  CHECK(p.directory == "/srv/mon/storage");
  CHECK(p.environment == std::map<std::string, std::string>{{"GF_PATHS_DATA", "/srv/mon/storage"}, {"A", "x,y"}, {"EMPTY", ""}});
  CHECK_FALSE(p.autostart);
  CHECK(p.autorestart == AutoRestart::kTrue);
  CHECK(p.exitcodes == std::vector<int>{0, 2});
  CHECK(p.startsecs == 5);
  CHECK(p.startretries == 7);
  CHECK(p.stopsignal == SIGINT);
  CHECK(p.stopwaitsecs == 30);
  CHECK_FALSE(p.stopasgroup);
  CHECK_FALSE(p.killasgroup);
  CHECK(p.redirect_stderr);
  CHECK(p.stdout_log.path == "/srv/mon/run/grafana.log");
  CHECK(p.stdout_log.max_bytes == 10 * 1024 * 1024);
  CHECK(p.stdout_log.backups == 2);
  CHECK(p.priority == 30);
  CHECK(p.ready.kind == ReadyProbe::Kind::kTcp);
  CHECK(p.ready.host == "127.0.0.1");
  CHECK(p.ready.port == 27600);
  CHECK(file.lines.at("grafana") == 2);
}

TEST_CASE("defaults follow supervisord, logs go to run/NAME.log", "[services_file]") {
  auto file = parse("[program:carbon]\ncommand=go-carbon -config x.conf\n[program:api]\ncommand=carbonapi\npriority=5\n"
                    "ready = command /bin/sh -c 'curl -sf http://127.0.0.1:1/'\nstderr_logfile = err.log\n");
  const ProgramConfig& c = file.programs.at("carbon");
  CHECK(c.autostart);
  CHECK(c.autorestart == AutoRestart::kUnexpected);
  CHECK(c.exitcodes == std::vector<int>{0});
  CHECK(c.startsecs == 1);
  CHECK(c.startretries == 3);
  CHECK(c.stopsignal == SIGTERM);
  CHECK(c.stopwaitsecs == 10);
  CHECK(c.stopasgroup);
  CHECK(c.killasgroup);
  CHECK(c.directory == "/srv/mon");
  CHECK(c.stdout_log.path == "/srv/mon/run/carbon.log");
  CHECK(c.stdout_log.max_bytes == 50 * 1024 * 1024);
  CHECK(c.stdout_log.backups == 10);
  CHECK(c.stderr_log == c.stdout_log);  // one NAME.log for both
  CHECK(c.ready.kind == ReadyProbe::Kind::kNone);
  const ProgramConfig& a = file.programs.at("api");
  CHECK(a.ready.kind == ReadyProbe::Kind::kCommand);
  CHECK(a.ready.argv == std::vector<std::string>{"/bin/sh", "-c", "curl -sf http://127.0.0.1:1/"});
  CHECK(a.stderr_log.path == "/srv/mon/conf/err.log");
  CHECK(file.start_order() == std::vector<std::string>{"api", "carbon"});
}

TEST_CASE("NONE discards a log, AUTO is run/NAME.log", "[services_file]") {
  auto file = parse("[program:q]\ncommand=q\nstdout_logfile=NONE\nstderr_logfile=AUTO\n");
  CHECK(file.programs.at("q").stdout_log.path.empty());
  CHECK(file.programs.at("q").stderr_log.path == "/srv/mon/run/q.log");
}

TEST_CASE("errors name the file and the line of the culprit", "[services_file]") {
  const std::string f = "/srv/mon/conf/services.ini";
  CHECK(error_of("[program:a]\ncommand=x\n\ncolour = red\n") == f + ":4: [program:a] colour: unknown key 'colour'");
  CHECK(error_of("[program:a]\nautostart=true\n") == f + ":1: [program:a] has no command");
  CHECK(error_of("[program:a]\n") == f + ":1: [program:a] has no command");
  CHECK(error_of("[program:a]\ncommand=x\nstartsecs = 1.5\n") == f + ":3: [program:a] startsecs: '1.5' is not a number");
  CHECK(error_of("[program:a]\ncommand=x\nstopsignal = FOO\n").find(f + ":3: [program:a] stopsignal: 'FOO' is not a signal") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nautostart = maybe\n") == f + ":3: [program:a] autostart: 'maybe' is not a boolean (true or false)");
  CHECK(error_of("[program:a]\ncommand=x\nstdout_logfile_maxbytes = lots\n").find(f + ":3: [program:a] stdout_logfile_maxbytes:") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nready = http://x\n").find(f + ":3: [program:a] ready: 'http://x' is not a probe") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nready = tcp:localhost:99999\n").find(f + ":3: [program:a] ready:") == 0);
  CHECK(error_of("[program:a]\ncommand=%(ENV_NOPE)s/x\n") == f + ":2: [program:a] command: unknown name '%(ENV_NOPE)s'");
  CHECK(error_of("[program:a]\ncommand=x 100%\n").find(f + ":2: [program:a] command: stray '%'") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nCommand=y\n") == f + ":3: [program:a] duplicate key 'command'");
  CHECK(error_of("[program:a]\ncommand=x\n[program:a]\ncommand=y\n") == f + ":3: duplicate section name");
  CHECK(error_of("[program:a]\ncommand=x\nno equals sign here\n") == f + ":3: '=' character not found in line");
  CHECK(error_of("top = level\n[program:a]\ncommand=x\n") == f + ":1: 'top' is outside any section");
  CHECK(error_of("[program:a/b]\ncommand=x\n").find(f + ":1: program name 'a/b'") == 0);
  CHECK(error_of("[program:all]\ncommand=x\n") == f + ":1: program name 'all' is reserved");
  CHECK(error_of("[program:a]\ncommand=x\n[eventlistener:e]\n[fancy]\nx=1\n") == f + ":4: unknown section [fancy]");
  CHECK(error_of("[program:a]\ncommand=\n").find(f + ":2: [program:a] command: the command is empty") == 0);
}

TEST_CASE("supervisord-only sections are reported and skipped", "[services_file]") {
  auto file = parse("[supervisord]\nnodaemon=true\n[rpcinterface:supervisor]\nx=y\n[include]\nfiles=*.ini\n"
                    "[group:g]\nprograms=a\n[program:a]\ncommand=x\n");
  CHECK(file.programs.size() == 1);
  REQUIRE(file.warnings.size() == 4);
  CHECK(file.warnings[0] == "/srv/mon/conf/services.ini:1: [supervisord] is not used by dkm; ignored");
  CHECK(file.warnings[3] == "/srv/mon/conf/services.ini:7: [group:g] is not used by dkm; ignored");
}

TEST_CASE("reload compares programs by everything a process would notice", "[services_file]") {
  auto a = parse("[program:a]\ncommand=x\n").programs.at("a");
  auto moved = parse("\n\n; moved down\n[program:a]\ncommand = x\n").programs.at("a");
  auto other = parse("[program:a]\ncommand=x --flag\n").programs.at("a");
  CHECK(a == moved);
  CHECK_FALSE(a == other);
}

TEST_CASE("read_sections gives every section with its keys as written, for readers of an edited file", "[services_file]") {
  auto sections = read_sections("[program:a]\ncommand = %(ENV_X)s/bin/a ; note\nAutostart = false\n\n[supervisord]\n[program:b]\n",
                                "/i/conf/services.ini");
  REQUIRE(sections.size() == 3);
  CHECK(sections[0].name == "program:a");
  CHECK(sections[0].line == 1);
  CHECK(sections[0].values.at("command") == "%(ENV_X)s/bin/a");
  CHECK(sections[0].keys == std::vector<std::pair<std::string, long>>{{"command", 2}, {"autostart", 3}});
  CHECK(sections[1].name == "supervisord");
  CHECK(sections[2].name == "program:b");
  CHECK(sections[2].values.empty());
  REQUIRE_THROWS_WITH(read_sections("x = 1\n", "/i/conf/services.ini"), Catch::Contains("services.ini:1: 'x' is outside any section"));
}
