// supervise/control_protocol: requests are checked field by field, responses round-trip.
#include <catch2/catch.hpp>

#include "supervise/control_protocol.hpp"
#include "supervise/status_format.hpp"

using namespace dkm::supervise;

TEST_CASE("a request round-trips through its line", "[control_protocol]") {
  Request r{Command::kStart, {"carbon", "grafana"}, 90};
  std::string line = render_request(r);
  CHECK(line.back() == '\n');
  CHECK(parse_request(line) == r);
  CHECK(parse_request("{\"command\":\"status\"}") == Request{Command::kStatus, {}, 0});
}

TEST_CASE("names are supervisorctl's namespecs, signal and stdin carry their own fields", "[control_protocol]") {
  Request r{Command::kSignal, {"web:*", "web:api", "web:", "carbon"}};
  r.signal = "HUP";
  CHECK(parse_request(render_request(r)) == r);
  Request launched{Command::kStart, {"carbon"}, 90};
  launched.launched = true;
  CHECK(parse_request(render_request(launched)) == launched);
  Request in{Command::kStdin, {"carbon"}};
  in.data = "hello\n";
  CHECK(parse_request(render_request(in)) == in);
  for (Command c : {Command::kClear, Command::kReread, Command::kAvail, Command::kAdd, Command::kRemove,
                    Command::kUpdate, Command::kReload, Command::kVersion})
    CHECK(parse_request(render_request(Request{c, {"g"}})).command == c);
  CHECK(is_service_name("a"));
  CHECK(is_service_name("g:*"));
  CHECK_FALSE(is_service_name(":a"));
  CHECK_FALSE(is_service_name("g:a:b"));
}

TEST_CASE("an outcome and a program of the configuration round-trip", "[control_protocol]") {
  Outcome o{Command::kSignal, "api", "web", Fault::kBadSignal, ""};
  CHECK(nlohmann::json(o).get<Outcome>() == o);
  Outcome t{Command::kStart, "a", "a", Fault::kTimedOut, "still STARTING after 1 s"};
  CHECK(nlohmann::json::parse(json_line(t)).get<Outcome>() == t);
  CHECK(fault_from_name("no such fault") == Fault::kFailed);
  ConfigInfo c{"api", "web", true, false, 5, 10};
  CHECK(nlohmann::json(c).get<ConfigInfo>() == c);
  CHECK(namespec("web", "api") == "web:api");
  CHECK(namespec("api", "api") == "api");
}

TEST_CASE("bad requests are refused with a reason", "[control_protocol]") {
  auto reason = [](const std::string& line) {
    try {
      parse_request(line);
    } catch (const ProtocolError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(reason("").find("not JSON") != std::string::npos);
  CHECK(reason("{\"command\":\"status\"").find("not JSON") != std::string::npos);
  CHECK(reason("\"status\"") == "request is not a JSON object");
  CHECK(reason("{}") == "request has no \"command\"");
  CHECK(reason("{\"command\":1}") == "\"command\" is not a string");
  CHECK(reason("{\"command\":\"rm -rf\"}") == "unknown command \"rm -rf\"");
  CHECK(reason("{\"command\":\"stop\",\"names\":\"a\"}") == "\"names\" is not an array");
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"a b\"]}").find("not a service name") != std::string::npos);
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"\"]}").find("not a service name") != std::string::npos);
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"a:b:c\"]}").find("not a service name") != std::string::npos);
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"a/b\"]}").find("not a service name") != std::string::npos);
  CHECK(parse_request("{\"command\":\"stop\",\"names\":[\"web:*\",\"web:front\",\"web:\",\"w@x\"]}").names.size() == 4);
  CHECK(reason("{\"command\":\"stop\",\"names\":[{\"a\":1}]}") == "request nested too deeply");
  CHECK(reason("{\"command\":\"start\",\"timeout\":\"soon\"}") == "\"timeout\" is not a number");
  CHECK(reason("{\"command\":\"start\",\"timeout\":1e9}").find("out of range") != std::string::npos);
  CHECK(reason("{\"command\":\"start\",\"why\":1}") == "unknown field \"why\"");
  CHECK(reason("{\"command\":\"signal\",\"signal\":1}") == "\"signal\" is not a string");
  CHECK(reason("{\"command\":\"stdin\",\"data\":\"" + std::string(kMaxStdinBytes + 1, 'x') + "\"}") ==
        "\"data\" is too long");
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"a:*:*\"]}").find("not a service name") != std::string::npos);
  CHECK(reason(std::string(kMaxRequestBytes + 1, ' ')).find("too large") != std::string::npos);
  std::string deep = "{\"command\":\"status\",\"names\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
  CHECK(reason(deep).find("too deeply") != std::string::npos);
  // A key given twice: the parser would keep the last value, and this would be a shutdown.
  CHECK(reason("{\"command\":\"status\",\"command\":\"shutdown\"}") == "key \"command\" given twice");
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"a\"],\"names\":[]}") == "key \"names\" given twice");
  CHECK(reason("{\"command\":\"stop\",\"names\":[\"command\",\"command\"]}") == "accepted");
}

TEST_CASE("a service status survives JSON, even with bytes that are not UTF-8", "[control_protocol]") {
  ServiceStatus s;
  s.name = "grafana";
  s.state = ServiceState::kBackoff;
  s.pid = 0;
  s.since = 1700000000;
  s.stdout_log = "/srv/run/grafana.log";
  s.detail = "bad byte \xff here";
  nlohmann::json j = s;
  auto line = json_line(j);
  auto back = nlohmann::json::parse(line).get<ServiceStatus>();
  CHECK(back.name == "grafana");
  CHECK(back.group == "grafana");
  CHECK(back.state == ServiceState::kBackoff);
  CHECK(back.detail.find("here") != std::string::npos);
}

TEST_CASE("a start-up report is a protocol line and round-trips", "[control_protocol]") {
  using Kind = StartupReport::Kind;
  for (const StartupReport& report : {StartupReport{Kind::kPid, 42, 0, ""}, StartupReport{Kind::kWarning, 0, 0, "f:3: ignored"},
                                      StartupReport{Kind::kReady, 42, 0, ""}, StartupReport{Kind::kBusy, 0, 0, ""},
                                      StartupReport{Kind::kError, 0, 2, "conf/services.ini:7: bad"}}) {
    std::string line = render_startup_report(report);
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(parse_startup_report(line) == report);
  }
  CHECK(render_startup_report({Kind::kReady, 7, 0, ""}) == "{\"pid\":7,\"report\":\"ready\"}\n");
  REQUIRE_THROWS_AS(parse_startup_report("ready 7"), ProtocolError);
  REQUIRE_THROWS_AS(parse_startup_report("{\"report\":\"done\"}"), ProtocolError);
}
