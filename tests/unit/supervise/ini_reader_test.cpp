// supervise/ini_reader: the INI dialect supervisord reads (Python's configparser as it sets it up).
#include <catch2/catch.hpp>

#include "supervise/ini_reader.hpp"

#include <dkm/core/error.hpp>

using namespace dkm;
using namespace dkm::supervise;

namespace {

IniDocument read(const std::string& text, const fs::path& file = "/etc/s.conf") {
  IniDocument doc;
  read_ini(text, file, doc);
  return doc;
}

std::string value(const IniDocument& doc, const std::string& section, const std::string& key) {
  const IniValue* v = doc.value(section, key);
  return v ? v->text : "(none)";
}

std::string error_of(const std::string& text) {
  try {
    read(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("keys take '=' or ':', the first one ending the key, in any case", "[ini_reader]") {
  auto doc = read("[a]\ncommand: /bin/x --opt=1\nURL = http://h:1/p\nMixed_Case=  v  \n");
  CHECK(value(doc, "a", "command") == "/bin/x --opt=1");
  CHECK(value(doc, "a", "url") == "http://h:1/p");
  CHECK(value(doc, "a", "mixed_case") == "v");
  CHECK(doc.find("a")->keys == std::vector<std::string>{"command", "url", "mixed_case"});
  CHECK(doc.find("a")->find("url")->line == 3);
}

TEST_CASE("a line indented deeper than its key continues the value, blank lines inside kept", "[ini_reader]") {
  auto doc = read("[a]\nenv = A=\"1\",\n    B=\"2\"\n\n  C=3\n\nnext = x\n   more\n[b]\n  k = v\n");
  CHECK(value(doc, "a", "env") == "A=\"1\",\nB=\"2\"\n\nC=3");
  CHECK(value(doc, "a", "next") == "x\nmore");
  CHECK(value(doc, "b", "k") == "v");  // after a header, an indented line is a key
}

TEST_CASE("comments: whole lines with a semicolon or #, inline ones after a blank only", "[ini_reader]") {
  auto doc = read("; one\n# two\n[a]\nx = 1 ; note\ny = a;b#c\nz = p #q\n   ; indented comment\nw = 2\n  # not a continuation\n");
  CHECK(value(doc, "a", "x") == "1");
  CHECK(value(doc, "a", "y") == "a;b#c");
  CHECK(value(doc, "a", "z") == "p");
  CHECK(value(doc, "a", "w") == "2");
}

TEST_CASE("a section given twice is one, and a key given twice counts with its last value", "[ini_reader]") {
  auto doc = read("[a]\nx = 1\ny = 1\n[b]\n[a]\ny = 2\nz = 3\nx = 4\n");
  REQUIRE(doc.sections.size() == 2);
  CHECK(doc.sections[0].name == "a");
  CHECK(doc.sections[0].line == 1);
  CHECK(doc.sections[0].keys == std::vector<std::string>{"x", "y", "z"});
  CHECK(value(doc, "a", "x") == "4");
  CHECK(doc.find("a")->find("x")->line == 8);
  CHECK(value(doc, "a", "y") == "2");
}

TEST_CASE("several files merge into one document, each value knowing its file", "[ini_reader]") {
  IniDocument doc;
  read_ini("[a]\nx = 1\n", "/etc/main.conf", doc);
  read_ini("[a]\ny = 2\n[b]\nz = 3\n", "/etc/conf.d/b.conf", doc);
  CHECK(doc.find("a")->file == "/etc/main.conf");
  CHECK(doc.find("a")->find("y")->file == "/etc/conf.d/b.conf");
  CHECK(doc.find("b")->file == "/etc/conf.d/b.conf");
}

TEST_CASE("[DEFAULT] is every section's fallback", "[ini_reader]") {
  auto doc = read("[DEFAULT]\nstartsecs = 0\n[a]\nx = 1\n[b]\nstartsecs = 5\n");
  CHECK(doc.sections.size() == 2);
  CHECK(value(doc, "a", "startsecs") == "0");
  CHECK(value(doc, "b", "startsecs") == "5");
  CHECK(value(doc, "a", "nothing") == "(none)");
}

TEST_CASE("what is not INI is an error naming the file and line", "[ini_reader]") {
  CHECK(error_of("x = 1\n[a]\n") == "/etc/s.conf:1: 'x' is outside any section");
  CHECK(error_of("[a]\nx = 1\nno delimiter here\n") ==
        "/etc/s.conf:3: 'no delimiter here' is not `key = value`, a [section] or a continued value");
  CHECK(error_of("[a]\n= 1\n").find("/etc/s.conf:2:") == 0);
  CHECK(error_of("[]\n").find("/etc/s.conf:1:") == 0);
}
