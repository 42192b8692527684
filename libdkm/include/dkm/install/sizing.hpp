#pragma once
// Configs sized to the host: the go-carbon, carbonserver and carbonapi settings the
// installer derives from the machine's cores and memory (machine.hpp) and the number of
// hosts the install is expected to receive (--expected-hosts, else kDefaultExpectedHosts),
// each with the reason written as a comment above it in the rendered file; and the disk
// those hosts' whisper files take (collectd_metric_set.hpp × whisper_schema.hpp). Pure
// logic, unit-tested with fake machines (tests/unit/install/sizing_test.cpp); the rules
// and the measurements behind them are in the README (Configs sized to the host).
// Implementation: libdkm/src/install/sizing.cpp.

#include <dkm/install/machine.hpp>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dkm::install {

/// Hosts an install is sized for when --expected-hosts is not given.
inline constexpr int kDefaultExpectedHosts = 100;
/// The most --expected-hosts accepts.
inline constexpr int kMaxExpectedHosts = 1'000'000;
/// Bytes one point takes in go-carbon's cache when it is full (kCacheMinutes points a
/// metric), rounded up: go-carbon 0.19.1's resident memory with 118,000 metrics of 30 points
/// each grew by 44 bytes a point (249 for a metric's first, 37 for each next; 10 points a
/// metric: 71 a point), measured by tests/bench/cache_memory.sh (README, Configs sized to
/// the host).
inline constexpr std::uint64_t kCachedPointBytes = 64;
/// Minutes of the expected hosts' points go-carbon's cache holds before it drops any.
inline constexpr int kCacheMinutes = 30;

/// What the sizing starts from.
struct SizingInput {
  Machine machine;                            ///< cores and memory
  int expected_hosts = kDefaultExpectedHosts; ///< hosts whose metrics this install stores
  bool hosts_given = false;                   ///< --expected-hosts was given (else the default)
  int metrics_per_host = 0;                   ///< whisper files per host (collectd_metric_count)
  int interval = 60;                          ///< seconds between two points of a metric
};

/// One setting the installer chose.
struct SizedSetting {
  std::string name;   ///< the template value's name (`{{sized.NAME}}`; the comment is `{{sized.NAME_why}}`)
  std::string value;  ///< as the config writes it
  std::string why;    ///< the reason, one or a few sentences
  int indent = 0;     ///< columns the key is indented by in its file (YAML), for its comment
};

/// Every sized setting of an install, and what they were sized for.
struct Sizing {
  SizingInput input;
  std::vector<SizedSetting> settings;

  /// The setting named `name`; throws Error when there is none.
  const SizedSetting& at(std::string_view name) const;
};

/// Sizes go-carbon, carbonserver and carbonapi for `input`.
Sizing size_install(const SizingInput& input);

/// "2 cores, 23.5 GiB and 100 hosts (the default; --expected-hosts N) of 117 metrics every 60 s".
std::string describe_sizing(const SizingInput& input);

/// `text` as comment lines ("# ..."), wrapped at 92 columns, indented by `indent`.
std::string comment_lines(std::string_view text, int indent);

/// The template values (`sized`): for each setting NAME, NAME (the value) and NAME_why
/// (its comment lines), and `header` (what the whole file was sized for, as comment lines).
nlohmann::json sizing_template_values(const Sizing& sizing);

/// The disk the expected hosts' whisper files take.
struct DiskNeed {
  int hosts = 0;                 ///< expected hosts
  int metrics_per_host = 0;      ///< whisper files per host
  std::string retentions;        ///< the schema their metrics get ("60s:7d,5m:30d,1h:1y")
  std::uint64_t file_bytes = 0;  ///< one whisper file

  /// One host's files.
  std::uint64_t per_host_bytes() const { return file_bytes * static_cast<std::uint64_t>(metrics_per_host); }
  /// Every expected host's.
  std::uint64_t total_bytes() const { return per_host_bytes() * static_cast<std::uint64_t>(hosts); }
};

/// The disk for `input`'s hosts under a storage-schemas.conf text (`where` names it in errors).
DiskNeed disk_need(const SizingInput& input, std::string_view schemas_text, const std::string& where);

/// Bytes as the summary writes them: "38.6 GB" (decimal, as disks are sold), "329,812 bytes" under 10 kB.
std::string disk_size_text(std::uint64_t bytes);

/// A number with thousands separators: "1,000,000".
std::string with_separators(std::uint64_t n);

}  // namespace dkm::install
