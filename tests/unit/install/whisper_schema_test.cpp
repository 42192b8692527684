// install/whisper_schema: storage-schemas.conf as go-carbon reads it, whisper files as go-whisper lays them out.
#include <catch2/catch.hpp>

#include <dkm/core/error.hpp>
#include <dkm/install/whisper_schema.hpp>

using namespace dkm::install;

TEST_CASE("a whisper file of 60s:7d,5m:30d,1h:1y is 329,812 bytes", "[whisper_schema]") {
  auto archives = parse_retentions("60s:7d,5m:30d,1h:1y", "test");
  REQUIRE(archives.size() == 3);
  CHECK(archives[0].points == 10080);  // 7 days of minutes
  CHECK(archives[1].points == 8640);   // 30 days of 5 minutes
  CHECK(archives[2].points == 8760);   // 365 days of hours
  // go-carbon 0.19.1 made files of exactly this size (the capacity benchmark's apparent bytes / files).
  CHECK(whisper_file_bytes(archives) == 16 + 3 * 12 + 12 * (10080 + 8640 + 8760));
  CHECK(whisper_file_bytes(archives) == 329812);
}

TEST_CASE("retentions in every form go-carbon takes", "[whisper_schema]") {
  CHECK(parse_retentions("60:1440", "t")[0].points == 1440);             // old form: seconds:points
  CHECK(parse_retentions("300s:1w", "t")[0].points == 2016);
  CHECK(parse_retentions("1mm:1d", "t")[0].points == 1440);              // go-whisper reads a unit's first letter
  CHECK_THROWS(parse_retentions("1min:1d", "t"));                        // ... of [smhdwy]+ only, as go-carbon 0.19
  CHECK(parse_retentions(" 10s:6h , 1m:1d", "t")[1].points == 1440);
  CHECK_THROWS_WITH(parse_retentions("60s", "conf/storage-schemas.conf"),
                    Catch::Contains("conf/storage-schemas.conf") && Catch::Contains("'60s'"));
  CHECK_THROWS_WITH(parse_retentions("60q:7d", "t"), Catch::Contains("units"));
  CHECK_THROWS_WITH(parse_retentions("1h:1m", "t"), Catch::Contains("no point"));
}

TEST_CASE("the first section whose pattern matches wins, after priorities", "[whisper_schema]") {
  const char* schemas =
      "# comment\n[carbon]\npattern = ^carbon\\.\nretentions = 10s:1d\n\n"
      "[collectd]\npattern = ^collectd\\.\nretentions = 60s:7d,5m:30d,1h:1y\n\n"
      "[default]\npattern = .*\nretentions = 60s:1d\n";
  CHECK(schema_retentions_for(schemas, "collectd.h.cpu.0.percent.user", "s") == "60s:7d,5m:30d,1h:1y");
  CHECK(schema_retentions_for(schemas, "dataiku.dss.x", "s") == "60s:1d");
  CHECK(schema_retentions_for(schemas, "a.carbon.b", "s") == "60s:1d");  // anchored: carbon's does not match
  std::string prioritised = std::string(schemas) + "[fine]\npattern = cpu\nretentions = 1s:1h\npriority = 10\n";
  CHECK(schema_retentions_for(prioritised, "collectd.h.cpu.0.percent.user", "s") == "1s:1h");
  CHECK_THROWS_WITH(schema_retentions_for("[a]\npattern = ^x\nretentions = 1s:1h\n", "collectd.h", "f.conf"),
                    Catch::Contains("f.conf") && Catch::Contains("collectd.h"));
  CHECK_THROWS_WITH(schema_retentions_for("[a]\npattern = (\nretentions = 1s:1h\n", "x", "f.conf"),
                    Catch::Contains("f.conf:1"));
}
