#pragma once
// Runs a scenario's script on one side and records what each step observed. Steps:
//   boot                     start the supervisor; observes its exit code (its messages are
//                            kept for the report but not compared: they differ by design)
//   ctl ARGS... [<<< TEXT]   a client command (supervisorctl's words), TEXT on its stdin;
//                            observes its exit code and output (stdout and stderr together)
//   ctl-for MS ARGS...       the same, interrupted with SIGINT after MS (Ctrl-C: tail -f, fg)
//   wait NAME STATE SECONDS  polls `ctl status NAME` until NAME is in STATE; observes whether it was
//                            (at once "not" when the side's supervisor refused to start)
//   sleep MS                 waits (observes nothing)
//   edit TAG                 writes the scenario's files marked @TAG (observes nothing)
//   kill SIG NAME            sends SIG to NAME's pid (from `ctl pid NAME`), as a crash would
//   journal NAME...          the recording_child events of each name in turn ("NAME EVENT")
//   sequence NAME...         the events of those names as they happened, interleaved
//   starts NAME [atleast N]  how many times NAME started (or whether at least N times)
//   intervals NAME           whole seconds between NAME's successive starts ("1 2 4")
//   alive NAME               whether the last process that started as NAME still runs
//   file PATH                a file's lines (PATH relative to the root), or that it is absent
//   mode PATH                its permission bits
//   ls DIR                   the names in a directory, sorted
// `sorted STEP` observes STEP with its lines (after the exit code) sorted: supervisord
// reports `stop all`, `start GROUP:*`... in the order the programs got there, a race.
// `first N STEP` keeps the exit code and the first N lines: what follows is noise (a
// Python traceback when Ctrl-C ends supervisorctl's `fg`, whose reader thread hangs).

#include "sides.hpp"

#include <string.h>
#include <sys/stat.h>

#include <algorithm>
#include <functional>

namespace dkm::compat {

/// What one step saw on one side.
struct Observation {
  std::string key;                 ///< the step's key
  std::vector<std::string> lines;  ///< compared (after normalize())
  std::string detail;              ///< shown in reports, not compared
  bool command_output = false;     ///< lines are a command's output (a number alone there is a pid)
};

/// Everything a side observed, in step order.
struct SideRecord {
  std::string side;
  fs::path root;
  std::vector<Observation> observations;

  /// The observation of step `key`, or nullptr.
  const Observation* find(const std::string& key) const {
    for (const auto& o : observations)
      if (o.key == key) return &o;
    return nullptr;
  }
};

namespace detail {

/// Lines of a text, without the empty last one.
inline std::vector<std::string> lines_of(const std::string& text) {
  auto lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

/// "SIGTERM" for SIGTERM.
inline std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig);
}

/// "exit N" or "killed by SIGNAME", then the output's lines.
inline std::vector<std::string> describe(const RunResult& r) {
  std::vector<std::string> out{r.signal ? "killed by " + signal_name(r.signal) : "exit " + std::to_string(r.exit_code)};
  for (auto& l : lines_of(r.output)) out.push_back(l);
  return out;
}

/// One journal line: "MS PID NAME EVENT".
struct JournalEntry {
  long long ms = 0;
  pid_t pid = 0;
  std::string name;
  std::string text;  ///< "NAME EVENT", what is compared
};

/// The journal's entries of the given names (all when none is given), in file order.
inline std::vector<JournalEntry> journal_entries(const fs::path& journal, const std::vector<std::string>& names = {}) {
  std::vector<JournalEntry> out;
  std::error_code ec;
  if (!fs::exists(journal, ec)) return out;
  for (const auto& line : lines_of(read_file(journal))) {
    auto words = words_of(line);
    if (words.size() < 4) continue;
    JournalEntry e{std::atoll(words[0].c_str()), static_cast<pid_t>(std::atol(words[1].c_str())), words[2], ""};
    e.text = line.substr(line.find(words[2], words[0].size() + words[1].size() + 1));
    if (names.empty() || std::find(names.begin(), names.end(), e.name) != names.end()) out.push_back(std::move(e));
  }
  return out;
}

/// NAME's state according to `ctl status NAME` (empty when it is not listed).
inline std::string state_of(Side& side, const std::string& name) {
  RunResult r = side.ctl({"status", name}, "", std::nullopt);
  for (const auto& line : lines_of(r.output)) {
    auto words = words_of(line);
    if (words.size() >= 2 && words[0] == name) return words[1];
  }
  return "";
}

/// NAME's starts in the journal.
inline std::vector<JournalEntry> starts_of(const Side& side, const std::string& name) {
  std::vector<JournalEntry> out;
  for (auto& e : journal_entries(side.journal(), {name}))
    if (e.text == name + " start") out.push_back(std::move(e));
  return out;
}

/// Observes the journal: `journal`, `sequence`, `starts`, `intervals`, `alive`.
inline std::vector<std::string> observe_journal(const Side& side, const std::vector<std::string>& w) {
  std::vector<std::string> lines;
  const std::string& verb = w[0];
  if (verb == "journal") {
    for (size_t i = 1; i < w.size(); ++i)
      for (const auto& e : journal_entries(side.journal(), {w[i]})) lines.push_back(e.text);
  } else if (verb == "sequence") {
    for (const auto& e : journal_entries(side.journal(), {w.begin() + 1, w.end()})) lines.push_back(e.text);
  } else if (verb == "starts") {
    size_t count = starts_of(side, w[1]).size();
    bool at_least = w.size() == 4 && w[2] == "atleast";
    if (at_least && count >= std::stoul(w[3])) lines = {"at least " + w[3] + " starts"};
    else lines = {std::to_string(count) + " starts"};
  } else if (verb == "intervals") {
    auto starts = starts_of(side, w[1]);
    std::string text;
    for (size_t i = 1; i < starts.size(); ++i)
      text += (i > 1 ? " " : "") + std::to_string((starts[i].ms - starts[i - 1].ms) / 1000);
    lines = {"intervals: " + text};
  } else if (verb == "alive") {
    auto starts = starts_of(side, w[1]);
    bool alive = !starts.empty() && dkm::process_alive(starts.back().pid);
    lines = {w[1] + (starts.empty() ? " never started" : alive ? " alive" : " gone")};
  }
  return lines;
}

/// Observes files under the root: `file`, `mode`, `ls`.
inline std::vector<std::string> observe_files(const Side& side, const std::vector<std::string>& w) {
  fs::path path = side.root() / w[1];
  std::error_code ec;
  struct stat st {};
  if (!fs::exists(path, ec) || ::stat(path.c_str(), &st) != 0) return {"(no such file)"};
  if (w[0] == "mode") {
    char text[16];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return {text};
  }
  if (w[0] == "file") return lines_of(read_file(path));
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(path, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// The signal named SIGHUP or HUP; 0 when there is none.
inline int signal_number(const std::string& name) {
  for (int s = 1; s < NSIG; ++s)
    if (signal_name(s) == name || signal_name(s) == "SIG" + name) return s;
  return 0;
}

}  // namespace detail

/// Runs `step` on `side`; nullopt for steps that observe nothing.
inline std::optional<Observation> run_step(Side& side, const Step& step, const std::string& where) {
  if (step.words[0] == "sorted" && step.words.size() > 1) {
    Step inner = step;
    inner.words.erase(inner.words.begin());
    auto o = run_step(side, inner, where);
    if (o && o->lines.size() > 2) std::sort(o->lines.begin() + (o->command_output ? 1 : 0), o->lines.end());
    return o;
  }
  if (step.words[0] == "first" && step.words.size() > 2) {
    Step inner = step;
    size_t keep = std::stoul(step.words[1]) + 1;
    inner.words.erase(inner.words.begin(), inner.words.begin() + 2);
    auto o = run_step(side, inner, where);
    if (o && o->lines.size() > keep) {
      for (size_t i = keep; i < o->lines.size(); ++i) o->detail += o->lines[i] + "\n";
      o->lines.resize(keep);
    }
    return o;
  }
  const auto& w = step.words;
  const std::string& verb = w[0];
  static const std::map<std::string, size_t> arity{
      {"boot", 1},    {"ctl", 2},    {"ctl-for", 3},   {"wait", 4}, {"sleep", 2}, {"edit", 2}, {"kill", 3},
      {"journal", 2}, {"sequence", 2}, {"starts", 2}, {"intervals", 2}, {"alive", 2}, {"file", 2}, {"mode", 2}, {"ls", 2}};
  auto known = arity.find(verb);
  if (known == arity.end()) throw Error(where + ": unknown step '" + verb + "'");
  if (w.size() < known->second) throw Error(where + ": '" + verb + "' needs more arguments");
  Observation o{step.key, {}, {}};
  if (verb == "boot") {
    RunResult r = side.boot();
    o.lines = {detail::describe(r).front()};
    o.detail = r.output;
  } else if (verb == "ctl" || verb == "ctl-for") {
    std::optional<std::chrono::milliseconds> interrupt;
    if (verb == "ctl-for") interrupt = std::chrono::milliseconds(std::atol(w[1].c_str()));
    std::vector<std::string> args(w.begin() + (interrupt ? 2 : 1), w.end());
    o.lines = detail::describe(side.ctl(args, step.input, interrupt));
    o.command_output = true;
  } else if (verb == "wait") {
    std::string last;
    auto limit = std::chrono::milliseconds(static_cast<long>(std::atof(w[3].c_str()) * 1000));
    bool reached = !side.refused_to_start() &&
                   test::wait_until([&] { return (last = detail::state_of(side, w[1])) == w[2]; }, limit, 100ms);
    o.lines = {reached ? w[1] + " " + w[2] : w[1] + " not " + w[2] + " within " + w[3] + " s"};
    o.detail = "last seen: " + last;
  } else if (verb == "sleep") {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(w[1].c_str())));
    return std::nullopt;
  } else if (verb == "edit") {
    side.write_files(w[1]);
    return std::nullopt;
  } else if (verb == "kill") {
    int sig = detail::signal_number(w[1]);
    if (sig == 0) throw Error(where + ": unknown signal " + w[1]);
    pid_t pid = side.pid_of(w[2]);
    o.lines = {pid > 0 && ::kill(pid, sig) == 0 ? "sent " + w[1] + " to " + w[2] : "no pid for " + w[2]};
  } else if (verb == "file" || verb == "mode" || verb == "ls") {
    o.lines = detail::observe_files(side, w);
  } else {
    o.lines = detail::observe_journal(side, w);
  }
  return o;
}

/// Runs every step of `scenario` on `side`, then cleans it up.
inline SideRecord run_script(Side& side, const Scenario& scenario) {
  SideRecord rec{side.name(), side.root(), {}};
  for (const auto& step : scenario.steps) {
    std::string where = scenario.name + ".scenario:" + std::to_string(step.line);
    if (auto o = run_step(side, step, where)) rec.observations.push_back(std::move(*o));
  }
  side.cleanup();
  return rec;
}

}  // namespace dkm::compat
