// install/secrets: generated passwords and keys.
#include <catch2/catch.hpp>

#include "install/secrets.hpp"

#include <map>
#include <set>

using namespace dkm::install;

TEST_CASE("tokens have the asked length and only alphabet characters", "[secrets]") {
  std::string pw = generate_admin_password();
  std::string key = generate_secret_key();
  CHECK(pw.size() == 24);
  CHECK(key.size() == 40);
  for (char c : pw + key) CHECK(kAlphanumeric.find(c) != std::string_view::npos);
  CHECK(random_token(5, "x") == "xxxxx");
}

TEST_CASE("tokens differ from call to call", "[secrets]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(generate_admin_password());
  CHECK(seen.size() == 1000);
}

TEST_CASE("every character of the alphabet is drawn about as often", "[secrets]") {
  // 620 000 draws, 10 000 expected per character (standard deviation about 100). A plain
  // modulo would give the first 8 characters (256 % 62) 5/256 of the draws: about 12 100.
  // The bounds are 7 standard deviations wide: a fair draw never leaves them.
  std::map<char, int> count;
  for (char c : random_token(620000)) ++count[c];
  CHECK(count.size() == 62);
  for (const auto& [c, n] : count) {
    INFO("character " << c);
    CHECK(n > 9300);
    CHECK(n < 10700);
  }
}

TEST_CASE("a bad alphabet is refused", "[secrets]") {
  REQUIRE_THROWS(random_token(3, ""));
  REQUIRE_THROWS(random_token(3, std::string(300, 'a')));
}
