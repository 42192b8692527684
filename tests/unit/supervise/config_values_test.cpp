// supervise/config_values: the value syntaxes of supervisord's keys.
#include <catch2/catch.hpp>

#include "supervise/config_values.hpp"

using namespace dkm::supervise;

TEST_CASE("byte sizes take KB, MB and GB in powers of 1024", "[config_values]") {
  CHECK(parse_byte_size("0") == 0);
  CHECK(parse_byte_size("1234") == 1234);
  CHECK(parse_byte_size("4KB") == 4096);
  CHECK(parse_byte_size(" 50mb ") == 50ull * 1024 * 1024);
  CHECK(parse_byte_size("1GB") == 1024ull * 1024 * 1024);
  CHECK_THROWS_AS(parse_byte_size("12 parsecs"), ValueError);
  CHECK_THROWS_AS(parse_byte_size("-1"), ValueError);
  CHECK_THROWS_AS(parse_byte_size("KB"), ValueError);
}

TEST_CASE("signals by name, with or without SIG, or by number", "[config_values]") {
  CHECK(parse_signal("TERM") == SIGTERM);
  CHECK(parse_signal("sigint") == SIGINT);
  CHECK(parse_signal("9") == SIGKILL);
  CHECK(signal_name(SIGQUIT) == "QUIT");
  CHECK_THROWS_AS(parse_signal("NOPE"), ValueError);
  CHECK_THROWS_AS(parse_signal("0"), ValueError);
  CHECK_THROWS_AS(parse_signal("65"), ValueError);
}

TEST_CASE("environment lists keep quoted commas and refuse junk", "[config_values]") {
  CHECK(parse_environment_list("A=1,B=\"two, three\",C='4'") ==
        std::map<std::string, std::string>{{"A", "1"}, {"B", "two, three"}, {"C", "4"}});
  CHECK(parse_environment_list("").empty());
  CHECK_THROWS_AS(parse_environment_list("A=1,junk"), ValueError);
  CHECK_THROWS_AS(parse_environment_list("1A=1"), ValueError);
  CHECK_THROWS_AS(parse_environment_list("A=\"unterminated"), ValueError);
}

TEST_CASE("commands split like a shell splits words, without a shell", "[config_values]") {
  CHECK(split_command("/bin/sh -c 'echo \"hi there\"; exit 3'") ==
        std::vector<std::string>{"/bin/sh", "-c", "echo \"hi there\"; exit 3"});
  CHECK(split_command("a  b\\ c") == std::vector<std::string>{"a", "b c"});
  CHECK(split_command("x \"\" 'it'\"'\"'s' \"a \\\"q\\\" b\"") == std::vector<std::string>{"x", "", "it's", "a \"q\" b"});
  CHECK_THROWS_WITH(split_command("sh -c 'echo"), Catch::Contains("unclosed ' quote"));
  CHECK_THROWS_AS(split_command("trailing \\"), ValueError);
  CHECK_THROWS_AS(split_command("   "), ValueError);
}

TEST_CASE("percent expansion knows %(name)s and %%", "[config_values]") {
  auto lookup = [](const std::string& n) -> std::optional<std::string> {
    if (n == "here") return std::string("/x");
    return std::nullopt;
  };
  CHECK(expand_percent("%(here)s/a 100%%", lookup) == "/x/a 100%");
  CHECK_THROWS_WITH(expand_percent("%(there)s", lookup), "unknown name '%(there)s'");
  CHECK_THROWS_AS(expand_percent("%(here)d", lookup), ValueError);
  CHECK_THROWS_AS(expand_percent("50%", lookup), ValueError);
}

TEST_CASE("percent expansion formats numbers as Python does: %(process_num)02d", "[config_values]") {
  auto lookup = [](const std::string& n) -> std::optional<PercentValue> {
    if (n == "num") return 7LL;
    if (n == "neg") return -3LL;
    if (n == "name") return std::string("web");
    return std::nullopt;
  };
  CHECK(expand_percent("w_%(num)02d %(num)d %(num)s %(num)3d|%(num)-3d|", lookup) == "w_07 7 7   7|7  |");
  CHECK(expand_percent("%(num)x %(num)#o %(num)+d %(neg)05d %(num).3d", lookup) == "7 0o7 +7 -0003 007");
  CHECK(expand_percent("%(name)5s|%(name)-5s|%(name).1s", lookup) == "  web|web  |w");
  CHECK_THROWS_WITH(expand_percent("%(name)d", lookup), Catch::Contains("needs a number"));
  CHECK_THROWS_WITH(expand_percent("%(num)f", lookup), Catch::Contains("unsupported format character 'f'"));
  CHECK_THROWS_WITH(expand_percent("%(num)", lookup), Catch::Contains("incomplete format"));
}

TEST_CASE("umasks are octal, as supervisord reads them", "[config_values]") {
  CHECK(parse_umask("022") == 022);
  CHECK(parse_umask("77") == 077);
  CHECK(parse_umask("0o027") == 027);
  CHECK_THROWS_AS(parse_umask("8"), ValueError);
  CHECK_THROWS_AS(parse_umask("01000"), ValueError);
  CHECK_THROWS_AS(parse_umask(""), ValueError);
}

TEST_CASE("booleans, counts, exit codes, inline comments", "[config_values]") {
  CHECK(parse_bool("Yes"));
  CHECK_FALSE(parse_bool("off"));
  CHECK(parse_count("42") == 42);
  CHECK_THROWS_AS(parse_count("4 2"), ValueError);
  CHECK_THROWS_AS(parse_count("99999999999"), ValueError);
  CHECK(parse_exit_codes("0, 2,255") == std::vector<int>{0, 2, 255});
  CHECK_THROWS_AS(parse_exit_codes("0,,1"), ValueError);
  CHECK_THROWS_AS(parse_exit_codes("256"), ValueError);
  CHECK(strip_inline_comment("x --a=1 ; note") == "x --a=1");
  CHECK(strip_inline_comment("x#not-a-comment") == "x#not-a-comment");
}
