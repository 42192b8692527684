// supervise/ctl_messages: supervisorctl 4.2.5's words and exit codes for each outcome
// (supervisor/supervisorctl.py: _startresult, _signalresult, _clearresult, do_add,
// do_remove, set_exitstatus_from_xmlrpc_fault), reread's and update's lines, avail's columns.
#include <catch2/catch.hpp>

#include "supervise/ctl_messages.hpp"

using namespace dkm::supervise;

namespace {

Outcome of(Command action, Fault fault, const std::string& name = "a", const std::string& group = "a") {
  return Outcome{action, name, group, fault, ""};
}

}  // namespace

TEST_CASE("start's results read as supervisorctl's, already started leaves exit 0", "[ctl_messages]") {
  CHECK(outcome_line(of(Command::kStart, Fault::kSuccess)) == "a: started");
  CHECK(outcome_line(of(Command::kStart, Fault::kAlreadyStarted)) == "a: ERROR (already started)");
  CHECK(outcome_line(of(Command::kStart, Fault::kSpawnError)) == "a: ERROR (spawn error)");
  CHECK(outcome_line(of(Command::kStart, Fault::kNoFile)) == "a: ERROR (no such file)");
  CHECK(outcome_line(of(Command::kStart, Fault::kNotExecutable)) == "a: ERROR (file is not executable)");
  CHECK(outcome_line(of(Command::kStart, Fault::kAbnormalTermination)) == "a: ERROR (abnormal termination)");
  CHECK(outcome_line(of(Command::kStart, Fault::kBadName, "nosuch", "nosuch")) == "nosuch: ERROR (no such process)");
  CHECK(outcome_line(of(Command::kStart, Fault::kBadGroup, "web", "web")) == "web: ERROR (no such group)");
  CHECK(outcome_line(of(Command::kStart, Fault::kSuccess, "a", "web")) == "web:a: started");
  CHECK(outcome_line(of(Command::kStart, Fault::kNotWaited)) == "a: starting");
  Outcome late = of(Command::kStart, Fault::kTimedOut);
  late.detail = "still STARTING after 1 s: pid 7";
  late.log_path = "/srv/run/a.log";
  late.log_tail = "one\ntwo\n";
  CHECK(outcome_line(late) == "a: ERROR (still STARTING after 1 s: pid 7)\n  last lines of /srv/run/a.log:\n    one\n    two");
  CHECK(exit_code_after(0, of(Command::kStart, Fault::kAlreadyStarted)) == 0);
  CHECK(exit_code_after(0, of(Command::kStart, Fault::kSpawnError)) == 7);
  CHECK(exit_code_after(0, of(Command::kStart, Fault::kTimedOut)) == 7);
  CHECK(exit_code_after(0, of(Command::kStart, Fault::kNoFile)) == 1);
  CHECK(exit_code_after(0, of(Command::kStart, Fault::kBadName)) == 1);
  CHECK(exit_code_after(0, of(Command::kStart, Fault::kBadGroup)) == 2);
  CHECK(exit_code_after(7, of(Command::kStart, Fault::kSuccess)) == 7);
}

TEST_CASE("stop's not running is an error that leaves exit 0, signal's is 7", "[ctl_messages]") {
  CHECK(outcome_line(of(Command::kStop, Fault::kSuccess)) == "a: stopped");
  CHECK(outcome_line(of(Command::kStop, Fault::kNotRunning)) == "a: ERROR (not running)");
  CHECK(exit_code_after(0, of(Command::kStop, Fault::kNotRunning)) == 0);
  CHECK(exit_code_after(0, of(Command::kStop, Fault::kBadGroup)) == 1);
  CHECK(outcome_line(of(Command::kSignal, Fault::kSuccess)) == "a: signalled");
  CHECK(outcome_line(of(Command::kSignal, Fault::kBadSignal)) == "a: ERROR (bad signal name)");
  CHECK(exit_code_after(0, of(Command::kSignal, Fault::kNotRunning)) == 7);
  CHECK(exit_code_after(0, of(Command::kSignal, Fault::kBadSignal)) == 1);
  Outcome failed = of(Command::kStop, Fault::kFailed);
  failed.detail = "a: ERROR (still STOPPING)";
  CHECK(outcome_line(failed) == "a: ERROR (still STOPPING)");
  CHECK(outcome_line(of(Command::kClear, Fault::kSuccess)) == "a: cleared");
  CHECK(outcome_line(of(Command::kClear, Fault::kFailed)) == "a: ERROR (failed)");
}

TEST_CASE("add and remove speak of process groups", "[ctl_messages]") {
  CHECK(outcome_line(of(Command::kAdd, Fault::kSuccess, "c", "c")) == "c: added process group");
  CHECK(outcome_line(of(Command::kAdd, Fault::kAlreadyAdded, "c", "c")) == "ERROR: process group already active");
  CHECK(outcome_line(of(Command::kAdd, Fault::kBadName, "x", "x")) == "ERROR: no such process/group: x");
  CHECK(outcome_line(of(Command::kRemove, Fault::kSuccess)) == "a: removed process group");
  CHECK(outcome_line(of(Command::kRemove, Fault::kStillRunning)) == "ERROR: process/group still running: a");
  CHECK(exit_code_after(0, of(Command::kAdd, Fault::kAlreadyAdded)) == 0);
  CHECK(exit_code_after(0, of(Command::kRemove, Fault::kStillRunning)) == 1);
}

TEST_CASE("a list of outcomes prints in order and the last failure sets the exit code", "[ctl_messages]") {
  CtlReport r = report_outcomes({of(Command::kStart, Fault::kSpawnError, "a", "a"), of(Command::kStart, Fault::kBadName, "b", "b"),
                                 of(Command::kStart, Fault::kSuccess, "c", "c")});
  CHECK(r.text == "a: ERROR (spawn error)\nb: ERROR (no such process)\nc: started\n");
  CHECK(r.exit_code == 1);
  CHECK(report_outcomes({}).text.empty());
}

TEST_CASE("reread sorts its changes by name, update says what it did, group by group", "[ctl_messages]") {
  CHECK(reread_lines({{"fresh"}, {"change"}, {"drop"}}) == "change: changed\ndrop: disappeared\nfresh: available\n");
  CHECK(reread_lines({}) == "No config updates to processes\n");
  CHECK(update_lines({{"fresh"}, {"change"}, {"drop"}}) ==
        "drop: stopped\ndrop: removed process group\nchange: stopped\nchange: updated process group\n"
        "fresh: added process group\n");
  CHECK(update_lines({}).empty());
}

TEST_CASE("avail's columns are supervisorctl's", "[ctl_messages]") {
  CHECK(avail_line({"a", "a", false, true, 999, 999}) ==
        "a                                avail     auto      999:999");
  CHECK(avail_line({"p", "web", true, false, 10, 20}) ==
        "web:p                            in use    manual    10:20");
}
