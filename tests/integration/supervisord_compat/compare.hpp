#pragma once
// Comparing what supervisord and dkm observed in a scenario, against the one list of
// deliberate differences (differences.toml, the mirror of README's "Differences from
// supervisord" table).
//
// Before comparing, each side's observations are normalized: its root directory reads
// $ROOT; pids ("pid N" anywhere, a number alone on a line of a command's output) read
// <P1>, <P2>... in the order the side first showed them (so "the same process" and "a
// new process" stay visible), except on a STARTING line, where supervisord shows none:
// there it reads <starting> and takes no number; uptimes read U, dates <DATE>; runs of
// blanks are one space.

#include "runner.hpp"

#include <toml++/toml.h>

#include <regex>

namespace dkm::compat {

/// One entry of differences.toml.
struct DeliberateDifference {
  std::string id;
  std::string readme;               ///< the first cell of its README row
  std::string restore;              ///< the key that restores supervisord's behaviour ("" when none)
  std::vector<std::string> where;   ///< "SCENARIO: STEP-KEY" where it shows
  std::string dkm;                  ///< optional: a regex dkm's observation (lines joined by \n) must match
  bool may_agree = false;           ///< supervisord's side is timing-dependent and may agree by chance
};

/// Reads differences.toml; throws Error naming the entry at fault.
inline std::vector<DeliberateDifference> load_differences(const fs::path& file) {
  std::vector<DeliberateDifference> out;
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw Error(file.string() + ": " + std::string(e.description()));
  }
  const toml::array* list = table["difference"].as_array();
  if (!list) throw Error(file.string() + ": no [[difference]] entries");
  for (const auto& node : *list) {
    const toml::table* t = node.as_table();
    DeliberateDifference d;
    d.id = (*t)["id"].value_or(std::string());
    d.readme = (*t)["readme"].value_or(std::string());
    d.restore = (*t)["restore"].value_or(std::string());
    d.dkm = (*t)["dkm"].value_or(std::string());
    d.may_agree = (*t)["may_agree"].value_or(false);
    if (const toml::array* where = (*t)["where"].as_array())
      for (const auto& w : *where) d.where.push_back(w.value_or(std::string()));
    if (d.id.empty() || d.readme.empty()) throw Error(file.string() + ": an entry without id or readme");
    out.push_back(std::move(d));
  }
  return out;
}

/// Rewrites a side's observations so that the two sides can be compared (see above).
inline void normalize(SideRecord& rec) {
  static const std::regex pid_in_text(R"(\bpid (\d+))"), pid_alone(R"(^\s*(\d+)\s*$)");
  static const std::regex uptime(R"(uptime (\d+ days?, )?\d+:\d\d:\d\d)"), date(R"(\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b)");
  static const std::regex blanks(R"([ \t]+)");
  std::map<std::string, std::string> tokens;
  auto token = [&](const std::string& pid) {
    if (pid == "0") return pid;
    auto [it, added] = tokens.emplace(pid, "<P" + std::to_string(tokens.size() + 1) + ">");
    return it->second;
  };
  static const std::regex starting(R"(\bSTARTING\b)");
  auto replace_pids = [&](const std::string& line, const std::regex& re, const std::string& prefix) {
    std::smatch m;
    if (!std::regex_search(line, m, re)) return line;
    std::string pid = std::regex_search(line, starting) ? "<starting>" : token(m[1].str());
    return m.prefix().str() + prefix + pid + m.suffix().str();
  };
  for (auto& o : rec.observations) {
    o.detail = test::replace_every(o.detail, rec.root.string(), "$ROOT");
    for (auto& line : o.lines) {
      line = test::replace_every(line, rec.root.string(), "$ROOT");
      line = replace_pids(line, pid_in_text, "pid ");
      if (o.command_output) line = replace_pids(line, pid_alone, "");
      line = std::regex_replace(line, uptime, "uptime U");
      line = std::regex_replace(line, date, "<DATE>");
      line = std::string(trim(std::regex_replace(line, blanks, " ")));
    }
  }
}

/// A step whose observations differ.
struct Mismatch {
  std::string key;
  std::vector<std::string> supervisord, dkm;
  const DeliberateDifference* deliberate = nullptr;  ///< the entry that lists it, if any
  bool dkm_as_documented = true;                     ///< dkm matches the entry's `dkm` regex
};

/// The comparison of one scenario.
struct Comparison {
  std::vector<Mismatch> mismatches;
  std::vector<std::string> stale;  ///< "where" entries of this scenario whose step no longer differs

  /// Mismatches no deliberate difference explains (or not as documented).
  std::vector<const Mismatch*> unexplained() const {
    std::vector<const Mismatch*> out;
    for (const auto& m : mismatches)
      if (!m.deliberate || !m.dkm_as_documented) out.push_back(&m);
    return out;
  }
};

/// Compares the two (normalized) records of `scenario` step by step.
inline Comparison compare(const Scenario& scenario, const SideRecord& sv, const SideRecord& dkm,
                          const std::vector<DeliberateDifference>& differences) {
  Comparison c;
  std::set<std::string> differing;
  for (const auto& step : scenario.steps) {
    const Observation* a = sv.find(step.key);
    const Observation* b = dkm.find(step.key);
    if (!a && !b) continue;
    std::vector<std::string> la = a ? a->lines : std::vector<std::string>{"(not observed)"};
    std::vector<std::string> lb = b ? b->lines : std::vector<std::string>{"(not observed)"};
    if (la == lb) continue;
    Mismatch m{step.key, la, lb};
    const std::string here = scenario.name + ": " + step.key;
    for (const auto& d : differences)
      if (std::find(d.where.begin(), d.where.end(), here) != d.where.end()) {
        m.deliberate = &d;
        m.dkm_as_documented = d.dkm.empty() || std::regex_search(join(lb, "\n"), std::regex(d.dkm));
      }
    differing.insert(step.key);
    c.mismatches.push_back(std::move(m));
  }
  const std::string prefix = scenario.name + ": ";
  for (const auto& d : differences)
    for (const auto& w : d.where)
      if (!d.may_agree && w.rfind(prefix, 0) == 0 && !differing.count(w.substr(prefix.size())))
        c.stale.push_back(d.id + " at " + w);
  return c;
}

/// A readable account of a scenario: every step side by side, then the verdict.
inline std::string report(const Scenario& scenario, const SideRecord& sv, const SideRecord& dkm, const Comparison& c) {
  std::string out = "scenario " + scenario.name + "\n" + scenario.description + "\n";
  for (const auto& step : scenario.steps) {
    const Observation* a = sv.find(step.key);
    const Observation* b = dkm.find(step.key);
    if (!a && !b) continue;
    bool same = a && b && a->lines == b->lines;
    out += (same ? "  = " : "  ! ") + step.key + "\n";
    for (const auto& [side, o] : {std::pair{"supervisord", a}, std::pair{"dkm", b}}) {
      if (same && std::string(side) == "dkm") break;
      for (const auto& l : o ? o->lines : std::vector<std::string>{"(not observed)"})
        out += std::string("      ") + (same ? "" : std::string(side) + ": ") + l + "\n";
      if (o && !o->detail.empty() && !same) out += "      (" + std::string(side) + " detail: " + o->detail + ")\n";
    }
  }
  for (const auto& m : c.mismatches)
    out += "DIFFERENT " + m.key + ": " +
           (m.deliberate ? "deliberate (" + m.deliberate->id + ")" + (m.dkm_as_documented ? "" : " BUT dkm is not as documented")
                         : "NOT LISTED") +
           "\n";
  for (const auto& s : c.stale) out += "STALE " + s + ": both sides agree now\n";
  return out;
}

}  // namespace dkm::compat
