// install/migrate_ini: the INI files of an original install (supervisord.conf, grafana.ini)
// read as their programs read them, and a rendered INI text changed in place.
#include <catch2/catch.hpp>

#include <dkm/install/migrate_ini.hpp>

using namespace dkm;
using namespace dkm::install;

TEST_CASE("INI documents: supervisord's and Grafana's syntax, line numbers, last value wins", "[migrate]") {
  IniDocument doc = IniDocument::parse("; comment\n# comment\ntop = 1\n[program:x]\ncommand: run x\n\n[server]\n"
                                       "http_port = 3000\nhttp_port = 3001\npassword = \"\"\"a#b;c\"\"\"\n",
                                       "f.ini");
  CHECK(doc.value("", "top") == "1");
  CHECK(doc.value("program:x", "command") == "run x");
  CHECK(doc.value("server", "http_port") == "3001");
  CHECK(doc.entry("server", "http_port")->line == 9);
  CHECK(doc.value("server", "password") == "a#b;c");
  CHECK(doc.value("server", "absent", "fallback") == "fallback");
  REQUIRE_THROWS_WITH(IniDocument::parse("[a]\nno separator here\n", "f.ini"), Catch::Contains("f.ini:2:"));
  REQUIRE_THROWS_WITH(IniDocument::parse("[a\n", "f.ini"), Catch::Contains("f.ini:1:"));
}

TEST_CASE("set_ini_value replaces a key, adds it to its section, or adds the section", "[migrate]") {
  std::string text = "[server]\n# the port\nhttp_port = 3000\n\n[security]\nadmin_user = admin\n";
  CHECK(set_ini_value(text, "server", "http_port", "4000") ==
        "[server]\n# the port\nhttp_port = 4000\n\n[security]\nadmin_user = admin\n");
  CHECK(set_ini_value(text, "server", "http_addr", "10.0.0.1") ==
        "[server]\n# the port\nhttp_port = 3000\nhttp_addr = 10.0.0.1\n\n[security]\nadmin_user = admin\n");
  CHECK(set_ini_value("[smtp]\n", "smtp", "enabled", "true") == "[smtp]\nenabled = true\n");
  CHECK(set_ini_value(text, "smtp", "host", "mail:25") == text + "\n[smtp]\nhost = mail:25\n");
}
