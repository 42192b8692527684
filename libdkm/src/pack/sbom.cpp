// The bundle's software bill of materials as an SPDX 2.3 JSON document: the bundle as the
#include "sbom.hpp"

#include <dkm/core/strings.hpp>
#include <dkm/pack/sha256.hpp>

#include "manifest.hpp"
#include "source_date.hpp"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::pack {

std::string spdx_id(const std::string& kind, const std::string& text, std::set<std::string>& taken) {
  std::string id = "SPDXRef-" + kind + "-";
  for (char c : text) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '-';
  std::string unique = id;
  for (int n = 2; taken.count(unique); ++n) unique = id + "-" + std::to_string(n);
  taken.insert(unique);
  return unique;
}

std::string spdx_download_location(const SourceRecord& c) {
  if (c.url.empty() || c.type == "path" || c.override) return "NOASSERTION";
  if (c.type == "git") {
    std::string url = c.url.rfind("git+", 0) == 0 ? c.url : "git+" + c.url;
    return c.commit.empty() ? url : url + "@" + c.commit;
  }
  return c.url;
}

namespace {

/// The SPDX package of one component, named `id`.
nlohmann::json component_package(const SourceRecord& r, const std::string& id) {
  nlohmann::json p = {{"SPDXID", id},
                      {"name", r.name},
                      {"versionInfo", r.version},
                      {"downloadLocation", spdx_download_location(r)},
                      {"filesAnalyzed", false},
                      {"licenseConcluded", "NOASSERTION"},
                      {"licenseDeclared", spdx_license(r.license)},
                      {"copyrightText", "NOASSERTION"}};
  if (r.override) {
    p["sourceInfo"] = "built from a local directory that replaced the recipe's source";
  } else if (r.type == "git" && !r.commit.empty()) {
    p["sourceInfo"] = "built from git commit " + r.commit;
  } else if (r.type == "archive" && !r.sha256.empty()) {
    p["checksums"] = {{{"algorithm", "SHA256"}, {"checksumValue", r.sha256}}};
    p["sourceInfo"] = "built from an archive with sha256 " + r.sha256;
  }
  return p;
}

}  // namespace

nlohmann::json sbom_json(const ManifestInput& in, const std::string& bundle_license, const std::string& tool) {
  std::set<std::string> taken;
  const std::string bundle_id = spdx_id("Package", in.name, taken);

  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, std::string> file_ids;
  std::vector<std::string> sha1s;
  Digest content = Digest::sha256();
  for (const auto& f : in.files) {
    std::string id = spdx_id("File", f.path, taken);
    file_ids[f.path] = id;
    files.push_back({{"fileName", "./" + f.path},
                     {"SPDXID", id},
                     {"checksums", {{{"algorithm", "SHA1"}, {"checksumValue", f.sha1}},
                                    {{"algorithm", "SHA256"}, {"checksumValue", f.sha256}}}},
                     {"licenseConcluded", "NOASSERTION"},
                     {"copyrightText", "NOASSERTION"}});
    sha1s.push_back(f.sha1);
    content.update(f.path + " " + f.sha256 + "\n");
  }
  // SPDX 2.3 section 7.9: SHA-1 of the sorted, concatenated SHA-1s of the package's files.
  std::sort(sha1s.begin(), sha1s.end());
  Digest verification = Digest::sha1();
  for (const auto& s : sha1s) verification.update(s);

  nlohmann::json has_files = nlohmann::json::array();
  for (const auto& f : in.files) has_files.push_back(file_ids[f.path]);
  nlohmann::json packages = nlohmann::json::array();
  packages.push_back({{"SPDXID", bundle_id},
                      {"name", in.name},
                      {"versionInfo", in.version},
                      {"downloadLocation", "NOASSERTION"},
                      {"filesAnalyzed", true},
                      {"packageVerificationCode",
                       {{"packageVerificationCodeValue", verification.hex()},
                        {"packageVerificationCodeExcludedFiles",
                         {std::string("./") + Bundle::kSbomFile, std::string("./") + Bundle::kManifestFile}}}},
                      {"licenseConcluded", "NOASSERTION"},
                      {"licenseDeclared", spdx_license(bundle_license)},
                      {"copyrightText", "NOASSERTION"},
                      {"primaryPackagePurpose", "APPLICATION"},
                      {"hasFiles", has_files}});

  nlohmann::json relationships = nlohmann::json::array();
  relationships.push_back(
      {{"spdxElementId", "SPDXRef-DOCUMENT"}, {"relationshipType", "DESCRIBES"}, {"relatedSpdxElement", bundle_id}});
  for (const auto& c : in.components) {
    const SourceRecord& r = c.record;
    std::string id = spdx_id("Package", r.name, taken);
    packages.push_back(component_package(r, id));
    content.update(r.name + " " + r.version + " " + r.commit + r.sha256 + "\n");
    relationships.push_back({{"spdxElementId", bundle_id}, {"relationshipType", "CONTAINS"}, {"relatedSpdxElement", id}});
    for (const auto& f : c.files) {
      auto it = file_ids.find(f);
      if (it == file_ids.end()) continue;
      relationships.push_back(
          {{"spdxElementId", it->second}, {"relationshipType", "GENERATED_FROM"}, {"relatedSpdxElement", id}});
    }
  }

  std::string full_name = in.name + "-" + in.version;
  return {{"spdxVersion", "SPDX-2.3"},
          {"dataLicense", "CC0-1.0"},
          {"SPDXID", "SPDXRef-DOCUMENT"},
          {"name", full_name},
          // Unique per content, identical for identical bundles (no random UUID).
          {"documentNamespace", "https://spdx.org/spdxdocs/" + full_name + "-" + content.hex()},
          {"creationInfo", {{"created", iso8601_utc(in.source_date_epoch)}, {"creators", {"Tool: " + tool}}}},
          {"packages", packages},
          {"files", files},
          {"relationships", relationships}};
}

}  // namespace dkm::pack
