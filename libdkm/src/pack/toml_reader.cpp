// Reading one TOML table of a recipe: types checked, unknown keys refused, errors at FILE:LINE.
#include "toml_reader.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>

#include <algorithm>

namespace dkm::pack {

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

bool is_hex(std::string_view s, size_t size) {
  return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}


void check_placeholders(const TableReader& reader, std::string_view key, long line, std::string_view text) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (text[i + 1] == '$') {
      ++i;
      continue;
    }
    if (text[i + 1] != '{') continue;
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) reader.fail(key, line, "unterminated '${' (write $$ for a literal $)");
    std::string var(text.substr(i + 2, close - i - 2));
    const auto& known = known_variables();
    if (std::find(known.begin(), known.end(), var) == known.end())
      reader.fail(key, line, "unknown placeholder ${" + var + "} (known: ${" + join(known, "}, ${") + "})");
    i = close;
  }
}

toml::table parse_toml(std::string_view text, const fs::path& file) {
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw UsageError(at_line(file.string(), static_cast<long>(e.source().begin.line),
                             "malformed TOML: " + std::string(e.description())));
  }
}

void TableReader::fail(std::string_view key, long line, const std::string& message) const {
  throw UsageError(at_line(file_, line, "key '" + dotted(key) + "': " + message));
}

long TableReader::line(std::string_view key) const {
  const toml::node* n = table_.get(key);
  return n ? line_of(*n) : line_;
}

const toml::node* TableReader::node(std::string_view key) {
  seen_.insert(std::string(key));
  return table_.get(key);
}

std::optional<std::string> TableReader::opt_string(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) fail(key, line_of(*n), "expected a string, found " + type_name(*n));
  return n->as_string()->get();
}

std::string TableReader::string(std::string_view key) {
  auto v = opt_string(key);
  if (!v) throw UsageError(at_line(file_, line_, "key '" + dotted(key) + "': missing (it is required)"));
  if (v->empty()) fail(key, line(key), "must not be empty");
  return *v;
}

std::string TableReader::string_or(std::string_view key, std::string fallback) {
  auto v = opt_string(key);
  return v ? *v : fallback;
}

bool TableReader::boolean_or(std::string_view key, bool fallback) {
  const toml::node* n = node(key);
  if (!n) return fallback;
  if (!n->is_boolean()) fail(key, line_of(*n), "expected a boolean (true or false), found " + type_name(*n));
  return n->as_boolean()->get();
}

long TableReader::integer_or(std::string_view key, long fallback) {
  const toml::node* n = node(key);
  if (!n) return fallback;
  if (!n->is_integer()) fail(key, line_of(*n), "expected an integer, found " + type_name(*n));
  return static_cast<long>(n->as_integer()->get());
}

std::vector<std::string> TableReader::strings(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return {};
  if (!n->is_array()) fail(key, line_of(*n), "expected an array of strings, found " + type_name(*n));
  std::vector<std::string> out;
  for (const auto& item : *n->as_array()) {
    if (!item.is_string()) fail(key, line_of(item), "expected an array of strings, found " + type_name(item) + " in it");
    out.push_back(item.as_string()->get());
  }
  return out;
}

std::vector<std::vector<std::string>> TableReader::argv_list(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return {};
  const std::string shape = "expected an array of commands, each an array of strings ([[\"make\", \"all\"]])";
  if (!n->is_array()) fail(key, line_of(*n), shape + ", found " + type_name(*n));
  std::vector<std::vector<std::string>> out;
  for (const auto& cmd : *n->as_array()) {
    if (!cmd.is_array()) fail(key, line_of(cmd), shape + ", found " + type_name(cmd) + " in it");
    std::vector<std::string> argv;
    for (const auto& word : *cmd.as_array()) {
      if (!word.is_string()) fail(key, line_of(word), shape + ", found " + type_name(word) + " in a command");
      argv.push_back(word.as_string()->get());
    }
    if (argv.empty()) fail(key, line_of(cmd), "a command must not be empty");
    out.push_back(std::move(argv));
  }
  return out;
}

const toml::table* TableReader::opt_table(std::string_view key) {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (!n->is_table()) fail(key, line_of(*n), "expected a table, found " + type_name(*n));
  return n->as_table();
}

void TableReader::reject_unknown(const std::vector<std::string>& accepted) const {
  for (const auto& [k, v] : table_) {
    std::string key(k.str());
    if (seen_.count(key)) continue;
    std::string list = join(accepted, ", ");
    fail(key, static_cast<long>(k.source().begin.line) > 0 ? static_cast<long>(k.source().begin.line) : line_of(v),
         "unknown key" + (list.empty() ? std::string() : " (expected one of: " + list + ")"));
  }
}

void TableReader::reject_present(const std::vector<std::string>& keys, const std::string& why) {
  for (const auto& key : keys)
    if (has(key)) fail(key, line(key), why);
}

}  // namespace dkm::pack
