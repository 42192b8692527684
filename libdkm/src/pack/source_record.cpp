// BUILD/NAME/source.json: what was built for a component, written by its install step.
#include "source_record.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dkm::pack {

nlohmann::json to_json(const SourceRecord& r) {
  auto paths = [](const std::vector<fs::path>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : v) a.push_back(p.string());
    return a;
  };
  return {{"name", r.name},
          {"version", r.version},
          {"license", r.license},
          {"license_files", paths(r.license_files)},
          {"recipe", r.recipe.string()},
          {"source",
           {{"type", r.type},
            {"url", r.url},
            {"tag", r.tag},
            {"branch", r.branch},
            {"commit", r.commit},
            {"sha256", r.sha256},
            {"path", r.path.string()},
            {"override", r.override},
            {"patches", paths(r.patches)}}},
          {"install_dir", r.install_dir.string()}};
}

SourceRecord read_source_record(const fs::path& file) {
  SourceRecord r;
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(file));
    r.name = j.at("name").get<std::string>();
    r.version = j.at("version").get<std::string>();
    r.license = j.at("license").get<std::string>();
    for (const auto& p : j.at("license_files")) r.license_files.emplace_back(p.get<std::string>());
    r.recipe = j.at("recipe").get<std::string>();
    const auto& s = j.at("source");
    r.type = s.at("type").get<std::string>();
    r.url = s.at("url").get<std::string>();
    r.tag = s.at("tag").get<std::string>();
    r.branch = s.at("branch").get<std::string>();
    r.commit = s.at("commit").get<std::string>();
    r.sha256 = s.at("sha256").get<std::string>();
    r.path = s.at("path").get<std::string>();
    r.override = s.at("override").get<bool>();
    for (const auto& p : s.at("patches")) r.patches.emplace_back(p.get<std::string>());
    r.install_dir = j.at("install_dir").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": malformed source record: " + e.what());
  }
  return r;
}

}  // namespace dkm::pack
