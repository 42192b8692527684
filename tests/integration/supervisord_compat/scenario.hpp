#pragma once
// A comparison scenario: files, a script, what to observe; run once under Debian's
// supervisord and once under dkm (runner.hpp), the observations compared (compare.hpp).
//
// A scenario is a text file, scenarios/NAME.scenario:
//
//   # what it checks (comment lines start with '#', anywhere outside file blocks)
//   env KEY=VALUE                 the environment the supervisor starts from (supervisord:
//                                 its process environment; dkm: DIR/bin/env); @ROOT@ allowed
//   === main                      the program file: conf/supervisord.conf under supervisord
//   [program:a]                   (after the harness's own [supervisord], [unix_http_server]...
//   command = @CHILD@ a forever   sections), conf/services.ini under dkm
//   === conf/conf.d/b.conf        any other file, relative to the run's root (files under bin/
//   ...                           are made executable)
//   === main @edit1               a later version of a file, written by the step `edit edit1`
//   ...
//   === script
//   boot                          one step per line (steps: runner.hpp)
//   ctl start a
//
// In file blocks @CHILD@ is the recording_child fixture, @USER@ the running account,
// @ROOT@ the run's root directory. Each step's observation is keyed by its text, or by
// a label written first: `@again ctl status`; the keys of the steps that observe
// something are unique within a scenario.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::compat {

/// One file of a scenario, written before the script runs or by an `edit` step.
struct ScenarioFile {
  std::string path;      ///< "main" or a path relative to the run's root
  std::string edit;      ///< empty: written at the start; else the `edit` step that writes it
  std::string text;      ///< content, placeholders not yet replaced
};

/// One step of a script.
struct Step {
  std::string key;                 ///< its label, or its text
  std::vector<std::string> words;  ///< the step split on blanks (the label removed)
  std::string input;               ///< for `ctl ... <<< TEXT`: TEXT and a newline, sent to stdin
  long line = 0;                   ///< line in the scenario file
};

/// A parsed scenario file.
struct Scenario {
  std::string name;                          ///< file name without .scenario
  std::string description;                   ///< the leading comment lines
  std::map<std::string, std::string> env;    ///< `env KEY=VALUE` lines
  std::vector<ScenarioFile> files;
  std::vector<Step> steps;

  /// The step with this key, or nullptr.
  const Step* step(const std::string& key) const {
    for (const auto& s : steps)
      if (s.key == key) return &s;
    return nullptr;
  }
};

namespace detail {

/// Splits on runs of blanks.
inline std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& w : split(text, ' '))
    if (!trim(w).empty()) out.emplace_back(trim(w));
  return out;
}

/// Parses a script line into a Step (label, words, stdin input).
inline Step parse_step(std::string text, long line, const std::string& where) {
  Step step;
  step.line = line;
  if (size_t here = text.find(" <<< "); here != std::string::npos) {
    step.input = text.substr(here + 5) + "\n";
    text.erase(here);
  }
  step.key = std::string(trim(text));
  if (!text.empty() && text.front() == '@') {
    size_t space = text.find(' ');
    if (space == std::string::npos) throw Error(where + ": a label needs a step after it");
    step.key = text.substr(1, space - 1);
    text = text.substr(space + 1);
  }
  step.words = words_of(text);
  if (step.words.empty()) throw Error(where + ": empty step");
  return step;
}

}  // namespace detail

/// Parses a scenario's text; `name` names it in messages. Throws Error naming the line.
inline Scenario parse_scenario(const std::string& text, const std::string& name) {
  Scenario sc;
  sc.name = name;
  enum class Part { kHeader, kFile, kScript } part = Part::kHeader;
  std::set<std::string> keys;
  long line_no = 0;
  for (const auto& raw : split(text, '\n')) {
    ++line_no;
    const std::string where = name + ".scenario:" + std::to_string(line_no);
    std::string_view line = trim(raw);
    if (raw.rfind("=== ", 0) == 0) {
      auto words = detail::words_of(raw.substr(4));
      if (words.size() == 1 && words[0] == "script") {
        part = Part::kScript;
        continue;
      }
      if (words.empty() || words.size() > 2 || (words.size() == 2 && words[1].front() != '@'))
        throw Error(where + ": expected '=== PATH [@EDIT]' or '=== script'");
      sc.files.push_back({words[0], words.size() == 2 ? words[1].substr(1) : "", ""});
      part = Part::kFile;
      continue;
    }
    if (part == Part::kFile) {
      sc.files.back().text += raw + "\n";
      continue;
    }
    if (line.empty()) continue;
    if (line.front() == '#') {
      if (part == Part::kHeader) sc.description += std::string(trim(line.substr(1))) + "\n";
      continue;
    }
    if (part == Part::kHeader) {
      if (line.rfind("env ", 0) != 0 || line.find('=') == std::string_view::npos)
        throw Error(where + ": expected 'env KEY=VALUE', '# comment' or a '===' block");
      std::string kv(trim(line.substr(4)));
      sc.env[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
      continue;
    }
    Step step = detail::parse_step(std::string(line), line_no, where);
    bool observes = step.words[0] != "sleep" && step.words[0] != "edit";
    if (observes && !keys.insert(step.key).second)
      throw Error(where + ": step '" + step.key + "' twice: label one (@LABEL step)");
    sc.steps.push_back(std::move(step));
  }
  bool has_main = false;
  for (const auto& f : sc.files) has_main |= f.path == "main" && f.edit.empty();
  if (!has_main) throw Error(name + ".scenario: no '=== main' block");
  if (sc.steps.empty()) throw Error(name + ".scenario: no '=== script' block with steps");
  return sc;
}

/// Reads and parses tests/integration/supervisord_compat/scenarios/NAME.scenario.
inline Scenario load_scenario(const fs::path& dir, const std::string& name) {
  return parse_scenario(read_file(dir / (name + ".scenario")), name);
}

}  // namespace dkm::compat
