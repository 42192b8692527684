// Config templates (the bundle's templates/, from dist/templates) rendered with mustache.
#include <dkm/install/templates.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace dkm::install {

std::vector<TemplateFile> select_templates(const fs::path& templates_dir, const std::vector<std::string>& services) {
  std::error_code ec;
  if (!fs::is_directory(templates_dir, ec)) throw Error(templates_dir.string() + ": template directory not found");
  std::vector<std::string> groups{"common"};
  groups.insert(groups.end(), services.begin(), services.end());
  std::vector<TemplateFile> out;
  for (const auto& group : groups) {
    fs::path base = templates_dir / group;
    if (!fs::is_directory(base, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(base); it != fs::recursive_directory_iterator(); ++it) {
      if (!it->is_regular_file()) continue;
      out.push_back({it->path(), it->path().lexically_relative(base)});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.output < b.output; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].output == out[i - 1].output)
      throw Error(out[i].source.string() + ": renders to conf/" + out[i].output.string() + " like " +
                  out[i - 1].source.string());
  return out;
}

}  // namespace dkm::install

namespace dkm::install {

namespace {

void collect_names(const nlohmann::json& value, std::set<std::string>& names) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      names.insert(key);
      collect_names(item, names);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) collect_names(item, names);
  }
}

kainjow::mustache::data to_mustache(const nlohmann::json& value) {
  using kainjow::mustache::data;
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      data out{data::type::object};
      for (const auto& [key, item] : value.items()) out.set(key, to_mustache(item));
      return out;
    }
    case nlohmann::json::value_t::array: {
      data out{data::type::list};
      for (const auto& item : value) out.push_back(to_mustache(item));
      return out;
    }
    case nlohmann::json::value_t::boolean: return data(value.get<bool>());
    case nlohmann::json::value_t::string: return data(value.get<std::string>());
    case nlohmann::json::value_t::null: return data(false);
    default: return data(value.dump());
  }
}

}  // namespace

}  // namespace dkm::install

namespace dkm::install {

void check_template_names(const std::string& text, const nlohmann::json& values, const std::string& name) {
  std::set<std::string> known;
  collect_names(values, known);
  size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string::npos) {
    size_t close = text.find("}}", pos + 2);
    long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n');
    if (close == std::string::npos) throw Error(at_line(name, line, "'{{' is never closed"));
    std::string tag = text.substr(pos + 2, close - pos - 2);
    pos = close + 2;
    if (!tag.empty() && tag.front() == '{') {  // {{{name}}}
      tag.erase(0, 1);
      if (pos < text.size() && text[pos] == '}') ++pos;
    }
    if (tag.empty()) throw Error(at_line(name, line, "empty tag '{{}}'"));
    char kind = tag.front();
    if (kind == '!' || kind == '=') continue;  // comment, delimiter change (not used here)
    if (kind == '#' || kind == '^' || kind == '/' || kind == '&' || kind == '>') tag.erase(0, 1);
    std::string key(trim(tag));
    if (key == ".") continue;
    std::string head = key.substr(0, key.find('.'));
    if (!known.count(head)) throw Error(at_line(name, line, "unknown template variable '" + key + "'"));
  }
}

std::string render_template(const std::string& text, const nlohmann::json& values, const std::string& name) {
  check_template_names(text, values, name);
  kainjow::mustache::mustache tmpl{text};
  if (!tmpl.is_valid()) throw Error(name + ": " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  std::string out = tmpl.render(to_mustache(values));
  if (!tmpl.is_valid()) throw Error(name + ": " + tmpl.error_message());
  return out;
}

}  // namespace dkm::install
