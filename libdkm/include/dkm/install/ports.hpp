#pragma once
// The port plan of one install: ten consecutive ports from the base PORT given to
// the installer (`-p`). Every listener a rendered config opens is on one of them.
//
//   PORT+0  Grafana (HTTP)                 PORT+5  go-carbon carbonlink (disabled)
//   PORT+1  carbon plaintext, TCP and UDP  PORT+6  go-carbon gRPC API (disabled)
//   PORT+2  carbonapi (HTTP)               PORT+7  carbonserver gRPC (disabled)
//   PORT+3  go-carbon carbonserver (HTTP)  PORT+8  go-carbon pprof (disabled)
//   PORT+4  go-carbon pickle (disabled)    PORT+9  Grafana's gRPC server (off unless its feature flag is on)
// Implementation: libdkm/src/install/ports.cpp.

#include <dkm/core/error.hpp>

#include <charconv>
#include <string>
#include <string_view>

namespace dkm::install {

/// How many consecutive ports one install reserves.
inline constexpr int kPortSpan = 10;

/// The ten ports of one install, from its base port.
class PortPlan {
 public:
  /// A plan from a base port already checked (see parse_port_plan).
  explicit PortPlan(int base) : base_(base) {}

  /// The base port (the `-p` value).
  int base() const { return base_; }
  /// Grafana's HTTP port.
  int grafana() const { return base_; }
  /// carbon plaintext protocol, TCP and UDP (where collectd and DSS send metrics).
  int carbon() const { return base_ + 1; }
  /// carbonapi's HTTP port (the Graphite API Grafana and DSS query).
  int carbonapi() const { return base_ + 2; }
  /// go-carbon's carbonserver (the backend carbonapi reads).
  int carbonserver() const { return base_ + 3; }
  /// go-carbon's pickle receiver (rendered disabled).
  int pickle() const { return base_ + 4; }
  /// go-carbon's carbonlink (rendered disabled).
  int carbonlink() const { return base_ + 5; }
  /// go-carbon's gRPC API (rendered disabled).
  int carbon_grpc() const { return base_ + 6; }
  /// carbonserver's gRPC listener (rendered disabled).
  int carbonserver_grpc() const { return base_ + 7; }
  /// go-carbon's pprof listener (rendered disabled).
  int pprof() const { return base_ + 8; }
  /// Grafana's gRPC server (only opened behind a Grafana feature flag).
  int grafana_grpc() const { return base_ + 9; }
  /// The last port of the plan.
  int last() const { return base_ + kPortSpan - 1; }

 private:
  int base_;
};

/// Parses a decimal TCP port (1-65535); `flag` names the culprit in the error.
int parse_port(std::string_view text, const std::string& flag);

/// Parses the installer's base port: a number whose ten-port range ends at or below 65535.
PortPlan parse_port_plan(std::string_view text, const std::string& flag = "-p/--port");

}  // namespace dkm::install
