// core/strings: splitting, joining, quoting for a shell, the tail of a text.
#include <catch2/catch.hpp>

#include <dkm/core/strings.hpp>

using namespace dkm;

TEST_CASE("split keeps empty fields and join restores the text", "[core]") {
  auto parts = split("a,,b,", ',');
  REQUIRE(parts == std::vector<std::string>{"a", "", "b", ""});
  CHECK(join(parts, ",") == "a,,b,");
  CHECK(trim("  x y \n") == "x y");
}

TEST_CASE("shell_quote leaves plain words and quotes the rest", "[core]") {
  CHECK(shell_quote("/opt/dkm-1.0/bin") == "/opt/dkm-1.0/bin");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("it's") == "'it'\"'\"'s'");
  CHECK(shell_quote("") == "''");
}

TEST_CASE("last_lines returns the tail of a log", "[core]") {
  CHECK(last_lines("1\n2\n3\n", 2) == "2\n3\n");
  CHECK(last_lines("1\n2", 5) == "1\n2");
  CHECK(last_lines("x", 0).empty());
}

TEST_CASE("lower folds ASCII letters only", "[core]") { CHECK(lower("MiXeD-Case_1") == "mixed-case_1"); }
