// pack/sbom: the SPDX 2.3 document of a bundle.
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

TEST_CASE("the SBOM is an SPDX 2.3 document with files, packages and a verification code", "[pack][sbom]") {
  FileRecord f1{"bin/x", std::string(64, '1'), "b" + std::string(39, '0'), 1, true, ""};
  FileRecord f2{"conf/y.ini", std::string(64, '2'), "a" + std::string(39, '0'), 1, false, ""};
  ManifestInput in{"dkumonitor", "0.1.0", 0, {}, {f1, f2}};
  SourceRecord gc;
  gc.name = "go-carbon";
  gc.version = "0.19.1";
  gc.type = "git";
  gc.url = "https://github.com/go-graphite/go-carbon.git";
  gc.tag = "v0.19.1";
  gc.commit = std::string(40, 'c');
  gc.license = "MIT";
  in.components.push_back({gc, {}, {"bin/x"}});
  SourceRecord tarred;
  tarred.name = "tarred";
  tarred.version = "1.0";
  tarred.type = "archive";
  tarred.url = "https://example.org/t.tar.gz";
  tarred.sha256 = std::string(64, 'd');
  in.components.push_back({tarred, {}, {}});
  auto doc = sbom_json(in, "Apache-2.0", "dkmpack-test");
  CHECK(doc["spdxVersion"] == "SPDX-2.3");
  CHECK(doc["dataLicense"] == "CC0-1.0");
  CHECK(doc["creationInfo"]["created"] == "1970-01-01T00:00:00Z");
  CHECK(doc["files"].size() == 2);
  CHECK(doc["files"][0]["fileName"] == "./bin/x");
  // Verification code: SHA-1 of the sorted SHA-1s ("a0..." before "b0...").
  Digest v = Digest::sha1();
  v.update(f2.sha1 + f1.sha1);
  CHECK(doc["packages"][0]["packageVerificationCode"]["packageVerificationCodeValue"] == v.hex());
  CHECK(doc["packages"][0]["licenseDeclared"] == "Apache-2.0");
  CHECK(doc["packages"][1]["downloadLocation"] ==
        "git+https://github.com/go-graphite/go-carbon.git@" + std::string(40, 'c'));
  CHECK(doc["packages"][2]["licenseDeclared"] == "NOASSERTION");
  CHECK(doc["packages"][2]["checksums"][0]["checksumValue"] == std::string(64, 'd'));
  bool generated_from = false;
  for (const auto& r : doc["relationships"])
    if (r["relationshipType"] == "GENERATED_FROM" && r["relatedSpdxElement"] == doc["packages"][1]["SPDXID"])
      generated_from = r["spdxElementId"] == doc["files"][0]["SPDXID"];
  CHECK(generated_from);
  // Deterministic, and the namespace follows the content.
  CHECK(sbom_json(in, "Apache-2.0", "dkmpack-test") == doc);
  in.files[0].sha256 = std::string(64, '9');
  CHECK(sbom_json(in, "Apache-2.0", "dkmpack-test")["documentNamespace"] != doc["documentNamespace"]);
}
