#pragma once
// Shared by the installer's integration tests: a test bundle, running its installer,
// the commands services.ini runs, background processes, a digest of a directory tree,
// and collectd's config reader (from the library). The carbon test double (CarbonRecorder),
// free_port_block() and DssProcessStandIn come from the dashboards group's
// carbon_recorder.hpp and dss_processes.hpp, shared rather than written twice. BadInputSetup and
// expect_refused serve every group's bad-input tests (installer, cluster).
//
// The test bundle holds the real installer, dkm and dkmadmin just built, the templates
// of the source tree (dist/templates), and as STAND-INS for the bundle's own collectd
// 5.12.0: Debian's collectd 5.12.0 (/usr/sbin/collectd) and its plugins and types.db;
// for the bundle's carbon-c-relay 3.9: Debian's carbon-c-relay (3.7.3, the same config
// language), unpacked, never installed, by cmake/install-deps.sh (kDebianRelay).
// go-carbon, carbonapi and grafana cannot be built in CI: their entries are STAND-IN
// scripts that say so and exit 1, and Grafana's defaults.ini a STAND-IN comment (the
// real go-carbon and carbonapi are checked by the opt-in `real` test).

#include <dkm/core/files.hpp>
#include <dkm/core/process.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/core/install_layout.hpp>
#include "install/collectd_config.hpp"

#include <catch2/catch.hpp>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "carbon_recorder.hpp"
#include "dss_processes.hpp"
#include "background_process.hpp"
#include "test_support.hpp"

namespace dkm::test {

/// The collectd plugins the bundle ships (recipes/collectd.toml) and the rendered config loads.
inline const std::vector<std::string>& bundle_collectd_plugins() {
  static const std::vector<std::string> plugins{"cpu",       "df",    "disk", "interface", "load",           "memory",
                                                "processes", "swap",  "uptime", "logfile", "write_graphite", "syslog"};
  return plugins;
}

/// Debian's carbon-c-relay binary, unpacked from its .deb by cmake/install-deps.sh.
inline const fs::path kDebianRelay = "/opt/dkm-test-tools/carbon-c-relay/usr/bin/carbon-c-relay";

/// Fails the test unless Debian's carbon-c-relay is where cmake/install-deps.sh unpacks it.
inline void require_debian_relay() {
  INFO(kDebianRelay.string() << " is missing: run cmake/install-deps.sh (as root), which unpacks Debian's "
                                "carbon-c-relay there without installing it");
  REQUIRE(::access(kDebianRelay.c_str(), X_OK) == 0);
}

/// A bundle directory laid out like dkumonitor-VERSION/, for tests.
struct TestBundle {
  fs::path root;  ///< the bundle's top directory

  /// The bundle's installer.
  fs::path installer() const { return root / "installer"; }
};

/// Writes a stand-in program: a script that names itself as such and fails.
inline void write_stand_in(const fs::path& path, const std::string& what) {
  write_file_atomic(path,
                    "#!/bin/sh\n# STAND-IN for the bundle's " + what +
                        " (cannot be built in CI; the real one is checked by the `real` test)\n"
                        "echo \"stand-in " + what + ": not the real program\" >&2\nexit 1\n",
                    0755);
}

/// Copies a file, or hard-links it when both are on one file system (faster, same bytes).
inline void copy_or_link(const fs::path& from, const fs::path& to, bool executable) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  if (executable) fs::permissions(to, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                          fs::perms::others_read | fs::perms::others_exec);
}

/// Makes a test bundle in `dir` (created), of `version`.
inline TestBundle make_test_bundle(const fs::path& dir, const std::string& version = "1.0.0") {
  TestBundle b{dir};
  fs::create_directories(dir / "bin");
  fs::create_directories(dir / "lib" / "collectd");
  fs::create_directories(dir / "static");
  fs::create_directories(dir / "dashboards");
  // /proc/self/exe must be inside the bundle: a copy (or hard link), not a symlink.
  copy_or_link(tool("installer"), b.installer(), true);
  fs::create_symlink(tool("dkm"), dir / "bin" / "dkm");
  fs::create_symlink(tool("dkmadmin"), dir / "bin" / "dkmadmin");
  fs::copy(source_dir() / "dist" / "templates", dir / "templates", fs::copy_options::recursive);
  // Debian's collectd 5.12.0 as the stand-in for the bundle's (same version). Plugins are
  // copied: collectd refuses to load a plugin file that is a symbolic link.
  fs::create_symlink("/usr/sbin/collectd", dir / "bin" / "collectd");
  for (const auto& p : bundle_collectd_plugins())
    copy_or_link("/usr/lib/collectd/" + p + ".so", dir / "lib" / "collectd" / (p + ".so"), false);
  copy_or_link("/usr/share/collectd/types.db", dir / "lib" / "collectd" / "types.db", false);
  if (fs::exists(kDebianRelay)) fs::create_symlink(kDebianRelay, dir / "bin" / "carbon-c-relay");
  write_stand_in(dir / "bin" / "go-carbon", "go-carbon");
  write_stand_in(dir / "bin" / "carbonapi", "carbonapi");
  write_stand_in(dir / "bin" / "grafana", "grafana");
  fs::create_directories(dir / "lib" / "grafana" / "conf");
  write_file_atomic(dir / "lib" / "grafana" / "conf" / "defaults.ini", "; STAND-IN for Grafana's conf/defaults.ini\n");
  write_file_atomic(dir / "VERSION", version + "\n");
  return b;
}

/// What take_real_components took from a real bundle besides go-carbon and carbonapi.
struct RealComponents {
  bool collectd = false;  ///< bin/collectd and lib/collectd (the bundle's collectd 5.12.0 and its plugins)
  bool grafana = false;   ///< bin/grafana, lib/grafana and static
};

/// Replaces the test bundle's stand-ins with the real components of `real` (a bundle
/// directory, DKM_REAL_BUNDLE), as links: go-carbon and carbonapi always, collectd and
/// Grafana when `real` has them.
inline RealComponents take_real_components(const TestBundle& bundle, const fs::path& real) {
  auto take = [&](const std::string& entry) {
    fs::remove_all(bundle.root / entry);
    fs::create_directories((bundle.root / entry).parent_path());
    fs::create_symlink(real / entry, bundle.root / entry);
  };
  take("bin/go-carbon");
  take("bin/carbonapi");
  RealComponents got;
  got.collectd = fs::exists(real / "bin/collectd") && fs::exists(real / "lib/collectd/types.db");
  if (got.collectd) {
    take("bin/collectd");
    take("lib/collectd");
  }
  got.grafana = fs::exists(real / "bin/grafana") && fs::exists(real / "lib/grafana/conf/defaults.ini") &&
                fs::exists(real / "static");
  if (got.grafana) {
    take("bin/grafana");
    take("lib/grafana");
    take("static");
  }
  return got;
}

/// The body of an HTTP/1.0 GET to address:port (IPv4, loopback by default), or "" when
/// it cannot connect; `status` gets the code, `auth` is a Basic credential (base64).
inline std::string http_get(int port, const std::string& path, int* status = nullptr, const std::string& auth = "",
                            const std::string& address = "127.0.0.1") {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + address + "\r\n";
  if (!auth.empty()) request += "Authorization: Basic " + auth + "\r\n";
  request += "\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string response;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (status) *status = response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

/// Runs the bundle's installer with `args` (stdout and stderr captured together).
inline RunResult run_installer(const TestBundle& bundle, const std::vector<std::string>& args, RunOptions options = {}) {
  std::vector<std::string> argv{bundle.installer().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, options);
}

/// The command services.ini runs for `service`, with %(ENV_X)s expanded from DIR/bin/env
/// (as dkm expands it), split into argv on spaces.
inline std::vector<std::string> service_argv(const dkm::InstallLayout& layout, const std::string& service) {
  boost::property_tree::ptree ini;
  boost::property_tree::read_ini(layout.services_file().string(), ini);
  std::string command = ini.get<std::string>("program:" + service + ".command");
  for (const auto& [key, value] : dkm::parse_env_file(read_file(layout.env_file()), "env")) {
    std::string token = "%(ENV_" + key + ")s";
    for (size_t pos; (pos = command.find(token)) != std::string::npos;) command.replace(pos, token.size(), value);
  }
  std::vector<std::string> argv;
  for (auto& word : split(command, ' '))
    if (!word.empty()) argv.push_back(word);
  return argv;
}

/// SHA-256 of a directory tree: every entry's relative path, type, mode, size,
/// modification time, and content (files) or target (links), in sorted order. Any
/// write, even of the same bytes, changes it. "absent" for a missing path.
inline std::string tree_digest(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) return "absent";
  std::vector<fs::path> entries{dir};
  if (fs::is_directory(fs::symlink_status(dir, ec)))
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it)
      entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const auto& p : entries) {
    struct stat st {};
    ::lstat(p.c_str(), &st);
    std::string record = p.lexically_relative(dir).string() + "\n" + std::to_string(st.st_mode) + " " +
                         std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                         std::to_string(st.st_mtim.tv_nsec) + "\n";
    if (S_ISLNK(st.st_mode)) record += fs::read_symlink(p).string();
    else if (S_ISREG(st.st_mode)) record += read_file(p);
    record += '\0';
    EVP_DigestUpdate(ctx, record.data(), record.size());
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) out += {hex[md[i] >> 4], hex[md[i] & 15]};
  return out;
}

/// A bundle and a directory to hold DIR, for bad-input tests: `work` is watched whole.
struct BadInputSetup {
  TempDir tmp{"dkm-bad-"};
  TestBundle bundle = make_test_bundle(tmp.path() / "dkumonitor-1.0.0");
  fs::path work = tmp.path() / "work";  ///< holds DIR; watched whole
  fs::path dir = work / "inst";         ///< the install directory the tests name
  BadInputSetup() { fs::create_directories(work); }
};

/// Runs the installer, expects exit status 2 with every `culprits` text in its message,
/// and `s.work` unchanged (DIR absent or as it was, no staging leftover).
inline void expect_refused(const BadInputSetup& s, const std::vector<std::string>& args,
                           const std::vector<std::string>& culprits, RunOptions options = {},
                           std::vector<std::string> prefix = {}) {
  std::string before = tree_digest(s.work);
  std::vector<std::string> argv = prefix;
  argv.push_back(s.bundle.installer().string());
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_process(argv, options);
  INFO("installer " << join(args, " ") << "\n" << r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::StartsWith("installer: "));
  for (const auto& c : culprits) CHECK_THAT(r.output, Catch::Contains(c));
  CHECK(tree_digest(s.work) == before);
}

/// True when something already listens on 127.0.0.1:port (TCP).
inline bool port_taken(int port) {
  int fd = bind_loopback(port);
  if (fd >= 0) ::close(fd);
  return fd < 0;
}

/// collectd's config syntax, read by the library (install/collectd_config.hpp).
using dkm::install::CollectdItem;
using dkm::install::parse_collectd_config;

}  // namespace dkm::test
