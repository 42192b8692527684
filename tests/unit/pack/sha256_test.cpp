// pack/sha256: digests of strings and files.
#include <catch2/catch.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/sha256.hpp>

#include "pack/manifest.hpp"
#include "pack/sbom.hpp"
#include "pack/source_date.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using namespace dkm;
using namespace dkm::pack;

TEST_CASE("sha256 and sha1 match known digests", "[pack][sha256]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TempDir dir;
  write_file_atomic(dir.path() / "f", "abc");
  auto d = file_digests(dir.path() / "f");
  CHECK(d.sha256 == sha256_hex("abc"));
  CHECK(d.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(d.size == 3);
  CHECK_THROWS_WITH(sha256_file(dir.path() / "missing"), Catch::Contains("missing"));
}
