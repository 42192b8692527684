// supervise/services_file: a supervisord configuration read as supervisord reads it,
// checked key by key, errors with file and line.
#include <catch2/catch.hpp>

#include <dkm/core/files.hpp>
#include <dkm/core/temp_dir.hpp>
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
  ctx.user_name = "dss";
  ctx.uid = 1001;
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

const std::string f = "/srv/mon/conf/services.ini";

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
      "umask = 027\n"
      "serverurl = unix:///tmp/other.sock\n"
      "ready = tcp:127.0.0.1:%(ENV_DKM_PORT)s\n");
  REQUIRE(file.programs.size() == 1);
  const ProgramConfig& p = file.programs.at("grafana");
  CHECK(p.group == "grafana");
  CHECK(p.process_name == "grafana");
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
  CHECK(p.stderr_log.path.empty());  // redirected: no file of its own
  CHECK(p.priority == 30);
  CHECK(p.umask == mode_t{027});
  CHECK(p.serverurl == "unix:///tmp/other.sock");
  CHECK(p.ready.kind == ReadyProbe::Kind::kTcp);
  CHECK(p.ready.host == "127.0.0.1");
  CHECK(p.ready.port == 27600);
  CHECK(file.origins.at("grafana") == f + ":2");
}

TEST_CASE("defaults follow supervisord: stdout and stderr each to an AUTO log in run/", "[services_file]") {
  auto file = parse("[program:carbon]\ncommand=go-carbon -config x.conf\n[program:api]\ncommand=carbonapi\npriority=5\n"
                    "ready = command /bin/sh -c 'curl -sf http://127.0.0.1:1/'\nstderr_logfile = logs/err.log\n"
                    "stdout_logfile_maxbytes = 1KB\n");
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
  CHECK_FALSE(c.umask);
  CHECK(c.serverurl.empty());
  CHECK(c.stdout_log == LogTarget{"/srv/mon/run/carbon.log", 50 * 1024 * 1024, 10, false});
  CHECK(c.stderr_log == LogTarget{"/srv/mon/run/carbon-stderr.log", 50 * 1024 * 1024, 10, false});
  CHECK(c.ready.kind == ReadyProbe::Kind::kNone);
  const ProgramConfig& a = file.programs.at("api");
  CHECK(a.ready.kind == ReadyProbe::Kind::kCommand);
  CHECK(a.ready.argv == std::vector<std::string>{"/bin/sh", "-c", "curl -sf http://127.0.0.1:1/"});
  // A relative path starts where supervisord's working directory would be: DIR.
  CHECK(a.stderr_log.path == "/srv/mon/logs/err.log");
  CHECK(a.stderr_log.max_bytes == 50 * 1024 * 1024);  // stderr's own default, not stdout's
  CHECK(file.start_order() == std::vector<std::string>{"api", "carbon"});
}

TEST_CASE("NONE discards a log, AUTO is run/NAME.log, syslog sends lines there", "[services_file]") {
  auto file = parse("[program:q]\ncommand=q\nstdout_logfile=NONE\nstderr_logfile=AUTO\n"
                    "[program:old]\ncommand=o\nstdout_logfile=syslog\n"
                    "[program:new]\ncommand=n\nstdout_syslog=true\nstderr_syslog=yes\nstderr_logfile=none\n");
  CHECK(file.programs.at("q").stdout_log.path.empty());
  CHECK(file.programs.at("q").stderr_log.path == "/srv/mon/run/q-stderr.log");
  const ProgramConfig& old = file.programs.at("old");
  CHECK(old.stdout_log.path.empty());
  CHECK(old.stdout_log.syslog);
  CHECK(old.stderr_log.path == "/srv/mon/run/old-stderr.log");
  REQUIRE(file.warnings.size() == 1);
  CHECK(file.warnings[0] == f + ":7: [program:old] stdout_logfile = syslog is deprecated; use stdout_syslog = true");
  const ProgramConfig& n = file.programs.at("new");
  CHECK(n.stdout_log.path == "/srv/mon/run/new.log");
  CHECK(n.stdout_log.syslog);
  CHECK(n.stderr_log.path.empty());
  CHECK(n.stderr_log.syslog);
  auto redirected = parse("[program:r]\ncommand = r\nredirect_stderr = true\nstderr_logfile = /var/log/r.err\n");
  CHECK(redirected.programs.at("r").stderr_log.path.empty());
  CHECK(redirected.warnings == std::vector<std::string>{f + ":4: [program:r] redirect_stderr = true: stderr_logfile is ignored"});
}

TEST_CASE("keys supervisord accepts are accepted at their defaults, user only for dkm's own account", "[services_file]") {
  auto file = parse("[program:d]\ncommand = x\nprocess_name = %(program_name)s\nnumprocs = 1\nnumprocs_start = 0\n"
                    "user = dss\numask = 022\nserverurl = AUTO\nstdout_capture_maxbytes = 0\nstdout_events_enabled = false\n"
                    "stdout_syslog = false\nstderr_capture_maxbytes = 1MB\nstderr_events_enabled = true\nstderr_syslog = false\n");
  REQUIRE(file.programs.count("d") == 1);
  CHECK(file.programs.at("d").serverurl.empty());
  CHECK(parse("[program:d]\ncommand = x\nuser = 1001\n").programs.count("d") == 1);
  CHECK(error_of("[program:d]\ncommand = x\nuser = root\n") ==
        f + ":3: [program:d] user: 'root': dkm runs every program as its own account (dss); leave `user` out, or run dkm as root");
}

TEST_CASE("numprocs makes a group of processes named by process_name", "[services_file]") {
  auto file = parse("[program:worker]\ncommand = w %(process_num)d/%(numprocs)s %(program_name)s_%(process_num)02d\n"
                    "process_name = %(program_name)s_%(process_num)02d\nnumprocs = 3\nnumprocs_start = 1\n"
                    "stdout_logfile = /l/%(process_num)x.log\n");
  REQUIRE(file.programs.size() == 3);
  const ProgramConfig& second = file.programs.at("worker:worker_02");
  CHECK(second.group == "worker");
  CHECK(second.process_name == "worker_02");
  CHECK(second.command == std::vector<std::string>{"w", "2/3", "worker_02"});
  CHECK(second.stdout_log.path == "/l/2.log");
  CHECK(second.stderr_log.path == "/srv/mon/run/worker:worker_02-stderr.log");
  CHECK(file.programs.count("worker:worker_01") == 1);
  CHECK(file.programs.count("worker:worker_03") == 1);
  CHECK(error_of("[program:w]\ncommand = x\nnumprocs = 2\n") ==
        f + ":3: [program:w] numprocs: more than 1 needs %(process_num)... in process_name");
  // supervisord does not know %(process_name)s.
  CHECK(error_of("[program:w]\ncommand = x %(process_name)s\n") == f + ":2: [program:w] command: unknown name '%(process_name)s'");
}

TEST_CASE("[group:NAME] makes its programs' processes NAME:PROGRAM, ordered by the group's priority", "[services_file]") {
  auto file = parse("[group:web]\nprograms = front, back\npriority = 100\n"
                    "[program:front]\ncommand = f %(group_name)s\npriority = 7\n[program:back]\ncommand = b\n"
                    "[program:solo]\ncommand = s\npriority = 50\n");
  REQUIRE(file.programs.size() == 3);
  const ProgramConfig& front = file.programs.at("web:front");
  CHECK(front.group == "web");
  CHECK(front.process_name == "front");
  CHECK(front.command == std::vector<std::string>{"f", "web"});
  CHECK(front.rank() == std::pair{100, 7});
  CHECK(file.programs.at("solo").rank() == std::pair{50, 50});
  CHECK(file.start_order() == std::vector<std::string>{"solo", "web:front", "web:back"});
  CHECK(error_of("[group:g]\nprograms = nope\n[program:a]\ncommand = x\n") == f + ":2: [group:g] programs: no [program:nope]");
  CHECK(error_of("[group:g]\nprograms = a\ncolour = red\n[program:a]\ncommand = x\n").find(f + ":3: [group:g] colour:") == 0);
}

TEST_CASE("[supervisord] environment is every program's, its umask the supervisor's, its directory the default",
          "[services_file]") {
  auto file = parse("[supervisord]\nenvironment = GLOBAL=\"g\",SHARED=\"global\"\numask = 027\ndirectory = /work\n"
                    "logfile = /var/log/x.log\n"
                    "[program:a]\ncommand = a %(ENV_GLOBAL)s %(ENV_OWN)s\nenvironment = SHARED=program,OWN=\"%(ENV_GLOBAL)s-own\"\n"
                    "stdout_logfile = out.log\n"
                    "[program:b]\ncommand = b\n");
  CHECK(file.umask == mode_t{027});
  const ProgramConfig& a = file.programs.at("a");
  CHECK(a.environment == std::map<std::string, std::string>{{"GLOBAL", "g"}, {"SHARED", "program"}, {"OWN", "g-own"}});
  CHECK(a.command == std::vector<std::string>{"a", "g", "g-own"});
  CHECK(a.directory == "/work");
  CHECK(a.stdout_log.path == "/work/out.log");
  CHECK(file.programs.at("b").environment == std::map<std::string, std::string>{{"GLOBAL", "g"}, {"SHARED", "global"}});
  CHECK(parse("[program:a]\ncommand = x\n").umask == mode_t{022});
  REQUIRE(file.warnings.size() == 1);
  CHECK(file.warnings[0].find(f + ":1: [supervisord] logfile: not used by dkm") == 0);
}

TEST_CASE("stopasgroup and killasgroup: killasgroup follows stopasgroup, both true by default", "[services_file]") {
  auto flags = [](const std::string& keys) {
    auto p = parse("[program:a]\ncommand = x\n" + keys).programs.at("a");
    return std::pair{p.stopasgroup, p.killasgroup};
  };
  CHECK(flags("") == std::pair{true, true});
  CHECK(flags("stopasgroup = false\n") == std::pair{false, false});
  CHECK(flags("killasgroup = false\n") == std::pair{false, false});
  CHECK(flags("stopasgroup = false\nkillasgroup = true\n") == std::pair{false, true});
  CHECK(error_of("[program:a]\ncommand = x\nstopasgroup = true\nkillasgroup = false\n") ==
        f + ":4: [program:a] killasgroup: cannot be false while stopasgroup is true");
}

TEST_CASE("supervisord's INI: colons, continued values, merged sections, the last value of a key", "[services_file]") {
  auto file = parse("[program:a]\ncommand: x\n  --flag\nenvironment = A=\"1\",\n  B=\"2\"\n"
                    "[program:b]\ncommand = first\n[program:a]\nstartsecs = 0\n[program:b]\ncommand = second\n");
  const ProgramConfig& a = file.programs.at("a");
  CHECK(a.command == std::vector<std::string>{"x", "--flag"});
  CHECK(a.environment == std::map<std::string, std::string>{{"A", "1"}, {"B", "2"}});
  CHECK(a.startsecs == 0);
  CHECK(file.programs.at("b").command == std::vector<std::string>{"second"});
}

TEST_CASE("[include] reads globs relative to the including file, and %(here)s is each file's directory", "[services_file]") {
  TempDir dir("dkm-include-");
  const fs::path conf = dir.path() / "conf";
  fs::create_directories(conf / "conf.d");
  write_file_atomic(conf / "conf.d/b.conf", "[program:b]\ncommand = b %(here)s\n");
  write_file_atomic(conf / "conf.d/a.conf", "[program:a]\ncommand = a\n[include]\nfiles = /nowhere/*.conf\n");
  write_file_atomic(conf / "conf.d/skip.txt", "[program:skip]\ncommand = s\n");
  const fs::path main = conf / "services.ini";
  auto file = parse_services_file("[include]\nfiles = conf.d/*.conf  nothing/*.ini\n[program:m]\ncommand = m %(here)s\n", main,
                                  context());
  CHECK(file.included == std::vector<fs::path>{conf / "conf.d/a.conf", conf / "conf.d/b.conf"});
  REQUIRE(file.programs.size() == 3);
  CHECK(file.programs.at("b").command == std::vector<std::string>{"b", (conf / "conf.d").string()});
  CHECK(file.programs.at("m").command == std::vector<std::string>{"m", conf.string()});
  CHECK(file.origins.at("b") == (conf / "conf.d/b.conf").string() + ":1");
  REQUIRE(file.warnings.size() == 1);
  CHECK(file.warnings[0] == main.string() + ":2: [include] no file matches " + (conf / "nothing/*.ini").string());
  write_file_atomic(conf / "conf.d/c.conf", "[program:c]\nstartsecs = soon\ncommand = c\n");
  CHECK_THROWS_WITH(parse_services_file("[include]\nfiles = conf.d/c.conf\n", main, context()),
                    (conf / "conf.d/c.conf").string() + ":2: [program:c] startsecs: 'soon' is not a number");
  CHECK_THROWS_WITH(parse_services_file("[include]\n", main, context()), main.string() + ":1: [include] has no `files`");
}

TEST_CASE("errors name the file and the line of the culprit", "[services_file]") {
  CHECK(error_of("[program:a]\ncommand=x\n\ncolour = red\n") == f + ":4: [program:a] colour: unknown key 'colour'");
  CHECK(error_of("[program:a]\nautostart=true\n") == f + ":1: [program:a] has no command");
  CHECK(error_of("[program:a]\n") == f + ":1: [program:a] has no command");
  CHECK(error_of("[program:a]\ncommand=x\nstartsecs = 1.5\n") == f + ":3: [program:a] startsecs: '1.5' is not a number");
  CHECK(error_of("[program:a]\ncommand=x\nstopsignal = FOO\n").find(f + ":3: [program:a] stopsignal: 'FOO' is not a signal") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nautostart = maybe\n") == f + ":3: [program:a] autostart: 'maybe' is not a boolean (true or false)");
  CHECK(error_of("[program:a]\ncommand=x\nstdout_logfile_maxbytes = lots\n").find(f + ":3: [program:a] stdout_logfile_maxbytes:") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nready = http://x\n").find(f + ":3: [program:a] ready: 'http://x' is not a probe") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nready = tcp:localhost:99999\n").find(f + ":3: [program:a] ready:") == 0);
  CHECK(error_of("[program:a]\ncommand=x\numask = 999\n").find(f + ":3: [program:a] umask: '999' is not an octal umask") == 0);
  CHECK(error_of("[program:a]\ncommand=%(ENV_NOPE)s/x\n") == f + ":2: [program:a] command: unknown name '%(ENV_NOPE)s'");
  CHECK(error_of("[program:a]\ncommand=x 100%\n").find(f + ":2: [program:a] command: stray '%'") == 0);
  CHECK(error_of("[program:a]\ncommand=x\nno equals sign here\n") ==
        f + ":3: 'no equals sign here' is not `key = value`, a [section] or a continued value");
  CHECK(error_of("top = level\n[program:a]\ncommand=x\n") == f + ":1: 'top' is outside any section");
  CHECK(error_of("[program:a/b]\ncommand=x\n").find(f + ":1: [program:a/b] 'a/b' cannot name a program") == 0);
  CHECK(error_of("[program:all]\ncommand=x\n").find(f + ":1: [program:all] 'all' cannot name a program") == 0);
  CHECK(error_of("[program:a]\ncommand=x\n[eventlistener:e]\n[fancy]\nx=1\n") == f + ":4: unknown section [fancy]");
  CHECK(error_of("[program:a]\ncommand=\n").find(f + ":2: [program:a] command: the command is empty") == 0);
}

TEST_CASE("supervisord-only sections are reported and skipped", "[services_file]") {
  auto file = parse("[supervisorctl]\nserverurl=x\n[rpcinterface:supervisor]\nx=y\n[unix_http_server]\nfile=/s\n"
                    "[program:a]\ncommand=x\n");
  CHECK(file.programs.size() == 1);
  REQUIRE(file.warnings.size() == 3);
  CHECK(file.warnings[0] == f + ":1: [supervisorctl] is not used by dkm; ignored");
  CHECK(file.warnings[2] == f + ":5: [unix_http_server] is not used by dkm; ignored");
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
