// manifest.json: what a bundle is made of. Every component (version, source, resolved
#include "manifest.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/sha256.hpp>

#include "source_record.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <set>
#include <string>
#include <vector>

namespace dkm::pack {

std::vector<FileRecord> describe_tree(const fs::path& root, const std::set<std::string>& exclude) {
  std::vector<FileRecord> out;
  for (const auto& rel : sorted_tree(root)) {
    std::string name = rel.generic_string();
    if (exclude.count(name)) continue;
    fs::path p = root / rel;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) throw Error(p.string() + ": cannot read: " + errno_text());
    FileRecord r;
    r.path = name;
    if (S_ISLNK(st.st_mode)) {
      r.link = fs::read_symlink(p).string();
      r.sha256 = sha256_hex(r.link);
      Digest d = Digest::sha1();
      d.update(r.link);
      r.sha1 = d.hex();
      r.size = r.link.size();
    } else if (S_ISREG(st.st_mode)) {
      FileDigests d = file_digests(p);
      r.sha256 = d.sha256;
      r.sha1 = d.sha1;
      r.size = d.size;
      r.executable = (st.st_mode & 0111) != 0;
    } else {
      continue;  // directories are implied by the paths
    }
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json manifest_component_json(const ManifestComponent& c) {
  const SourceRecord& r = c.record;
  nlohmann::json source = {{"type", r.override ? "path" : r.type}};
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) source[key] = value;
  };
  if (!r.override) {
    put("url", r.url);
    put("tag", r.tag);
    put("branch", r.branch);
    put("commit", r.commit);
    put("sha256", r.sha256);
  }
  if (r.override) source["override"] = true;  // --source NAME=PATH: built from a local directory
  return {{"name", r.name},         {"version", r.version},
          {"license", r.license},   {"source", source},
          {"license_files", c.license_files}, {"files", c.files}};
}

nlohmann::json manifest_json(const ManifestInput& in) {
  nlohmann::json components = nlohmann::json::array();
  for (const auto& c : in.components) components.push_back(manifest_component_json(c));
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : in.files) {
    nlohmann::json j = {{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}};
    if (!f.link.empty()) j["link"] = f.link;
    else j["mode"] = f.executable ? "0755" : "0644";
    files.push_back(std::move(j));
  }
  return {{"name", in.name},
          {"version", in.version},
          {"source_date_epoch", in.source_date_epoch},
          {"components", components},
          {"files", files}};
}

}  // namespace dkm::pack
