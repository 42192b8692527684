// Configs sized to the host: go-carbon, carbonserver and carbonapi from cores, memory and hosts.
#include <dkm/install/sizing.hpp>

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/install/whisper_schema.hpp>

#include <algorithm>
#include <cstdio>

namespace dkm::install {

namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

std::string num(std::uint64_t n) { return std::to_string(n); }

/// `memory / divisor` in MiB, kept within [low, high].
std::uint64_t memory_share_mib(const Machine& m, std::uint64_t divisor, std::uint64_t low, std::uint64_t high) {
  return std::clamp(m.memory_bytes / divisor / kMiB, low, high);
}

/// Points the expected hosts send in one interval.
std::uint64_t points_per_interval(const SizingInput& in) {
  return static_cast<std::uint64_t>(in.expected_hosts) * static_cast<std::uint64_t>(in.metrics_per_host);
}

std::string hosts_text(const SizingInput& in) {
  return with_separators(static_cast<std::uint64_t>(in.expected_hosts)) + (in.expected_hosts == 1 ? " host" : " hosts");
}

/// go-carbon's [cache] max-size: kCacheMinutes of the hosts' points, at least go-carbon's
/// default, at most what an eighth of the memory holds.
SizedSetting cache_max_size(const SizingInput& in) {
  const std::uint64_t floor = 1'000'000;
  std::uint64_t want = points_per_interval(in) * static_cast<std::uint64_t>(kCacheMinutes * 60 / std::max(1, in.interval));
  std::uint64_t cap = in.machine.memory_bytes / 8 / kCachedPointBytes;
  std::uint64_t size = std::min(std::max(want, floor), std::max<std::uint64_t>(cap, 1000));
  std::string why = with_separators(want) + " points are " + std::to_string(kCacheMinutes) + " minutes of what " +
                    hosts_text(in) + " send (" + std::to_string(in.metrics_per_host) + " metrics every " +
                    std::to_string(in.interval) + " s): how long go-carbon keeps accepting points when the disk stops "
                    "keeping up. ";
  if (size == floor && want < floor) why += "Raised to go-carbon's default, 1,000,000. ";
  if (size < std::max(want, floor))
    why += "Lowered to what an eighth of the memory holds at " + num(kCachedPointBytes) + " bytes a point (" +
           num(cap * kCachedPointBytes / kMiB) + " MiB). ";
  else
    why += "At " + num(kCachedPointBytes) + " bytes a point (measured: 44 when full, 30 points a metric) that is " +
           num(size * kCachedPointBytes / kMiB) + " MiB at most. ";
  why += "Past it, points are dropped (carbon.agents.HOST.cache.overflow).";
  return {"cache_max_size", num(size), why, 0};
}

std::vector<SizedSetting> go_carbon_settings(const SizingInput& in) {
  const unsigned cores = in.machine.cores;
  unsigned workers = std::clamp(cores, 2u, 16u);
  return {
      {"max_cpu", num(cores),
       "All " + num(cores) + " cores (go-carbon's own default is 1): its receivers, cache, whisper writers and "
       "carbonserver's finds and renders share them.", 0},
      {"workers", num(workers),
       "Whisper writers: one per core, at least 2 so that a write waiting for the disk does not hold up the others, "
       "at most 16.", 0},
      cache_max_size(in),
      {"input_buffer", num(std::max<std::uint64_t>(points_per_interval(in), 10'000)),
       "Points read from the network waiting for the cache: one interval of every host (" +
           with_separators(points_per_interval(in)) + ", at least 10,000), 8 bytes each.", 0},
  };
}

std::vector<SizedSetting> carbonserver_settings(const SizingInput& in) {
  std::uint64_t realtime = std::max<std::uint64_t>(points_per_interval(in), 10'000);
  std::uint64_t globs = std::max<std::uint64_t>(4 * static_cast<std::uint64_t>(in.expected_hosts), 10'000);
  return {
      {"realtime_index", num(realtime),
       "Metrics waiting to enter the index: one interval of every host (" + with_separators(points_per_interval(in)) +
           ", at least 10,000). A metric that finds the queue full is not found until the next scan "
           "(carbon.agents.HOST.cache.droppedRealtimeIndex).", 0},
      {"max_globs", num(globs),
       "A dashboard at All asks for up to 2 globs a host (a brace group of every host, times a group of two "
       "spellings): 4 per expected host, at least 10,000.", 0},
  };
}

std::vector<SizedSetting> carbonapi_settings(const SizingInput& in) {
  const unsigned cores = in.machine.cores;
  unsigned per_server = std::max(8u, 4 * cores);
  std::uint64_t cache_mib = memory_share_mib(in.machine, 32, 64, 1024);
  return {
      {"api_cpus", num(cores), "All " + num(cores) + " cores.", 0},
      {"api_per_server", num(per_server),
       "Requests sent to one backend at once: 4 per core of this machine, at least 8, so that a dashboard's load "
       "(6 panels at a time, as a browser sends them) does not wait in carbonapi; measured at 1,000 hosts, 4, 8 and "
       "no limit load the dashboards in the same time within this machine's noise (variants api-perserver4, "
       "api-perserver0). Past it requests wait in carbonapi, so that many users cannot take all the CPU go-carbon "
       "writes with.", 2},
      {"api_cache_mb", num(cache_mib),
       "The response cache's limit once turned on: a thirty-second of the memory, from 64 MiB to 1 GiB.", 2},
  };
}

}  // namespace

const SizedSetting& Sizing::at(std::string_view name) const {
  for (const auto& s : settings)
    if (s.name == name) return s;
  throw Error("no sized setting named " + std::string(name));
}

Sizing size_install(const SizingInput& input) {
  Sizing sizing;
  sizing.input = input;
  for (auto* part : {&go_carbon_settings, &carbonserver_settings, &carbonapi_settings})
    for (auto& s : (*part)(input)) sizing.settings.push_back(std::move(s));
  return sizing;
}

std::string describe_sizing(const SizingInput& in) {
  return describe_machine(in.machine) + " and " + hosts_text(in) +
         (in.hosts_given ? " (--expected-hosts)" : " (the default; --expected-hosts N)") + " of " +
         std::to_string(in.metrics_per_host) + " metrics every " + std::to_string(in.interval) + " s";
}

std::string comment_lines(std::string_view text, int indent) {
  const size_t width = 92;
  std::string pad(static_cast<size_t>(indent), ' ');
  std::string out, line;
  for (const auto& word : split(text, ' ')) {
    if (word.empty()) continue;
    if (!line.empty() && pad.size() + 2 + line.size() + 1 + word.size() > width) {
      out += pad + "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += pad + "# " + line;
  else if (!out.empty()) out.pop_back();
  return out;
}

nlohmann::json sizing_template_values(const Sizing& sizing) {
  nlohmann::json v = nlohmann::json::object();
  // One line for what it was sized for, however long: it is looked up whole.
  v["header"] = "# Sized by the installer for " + describe_sizing(sizing.input) +
                ";\n# each sized value says why above it (README, Configs sized to the host).";
  for (const auto& s : sizing.settings) {
    v[s.name] = s.value;
    v[s.name + "_why"] = comment_lines(s.why, s.indent);
  }
  return v;
}

DiskNeed disk_need(const SizingInput& input, std::string_view schemas_text, const std::string& where) {
  DiskNeed need;
  need.hosts = input.expected_hosts;
  need.metrics_per_host = input.metrics_per_host;
  // Any collectd metric: every one of a host's gets the same schema ([collectd] ^collectd\.).
  need.retentions = schema_retentions_for(schemas_text, "collectd.host.cpu.0.percent.user", where);
  need.file_bytes = whisper_file_bytes(parse_retentions(need.retentions, where));
  return need;
}

std::string with_separators(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string disk_size_text(std::uint64_t bytes) {
  if (bytes < 10'000) return with_separators(bytes) + " bytes";
  const char* units[] = {"kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes) / 1000.0;
  size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < std::size(units)) value /= 1000.0, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
  return text;
}

}  // namespace dkm::install
