#pragma once
// Boot services, the basics: which init system a root uses, instance names and the
// service name they give, where a path of the booted system lives under --root, and
// the accounts of that system.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>

#include <pwd.h>
#include <stdio.h>
#include <sys/types.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace dkm::boot {

/// The init systems install-boot writes for.
enum class InitSystem { systemd, sysv };

/// "systemd" or "sysv".
inline std::string to_string(InitSystem init) { return init == InitSystem::systemd ? "systemd" : "sysv"; }

/// Parses "systemd" or "sysv"; throws UsageError naming `flag` otherwise.
inline InitSystem parse_init_system(std::string_view text, std::string_view flag = "--init") {
  if (text == "systemd") return InitSystem::systemd;
  if (text == "sysv") return InitSystem::sysv;
  throw UsageError(std::string(flag) + " '" + std::string(text) + "': expected systemd or sysv");
}

/// The init system of `root`. The running machine (`root` is "/"): systemd when
/// /run/systemd/system exists, as sd_booted() decides. Another root (an image, not
/// booted): systemd when it carries systemd's manager binary, else SysV init.
inline InitSystem detect_init_system(const fs::path& root) {
  std::error_code ec;
  if (root == "/") return fs::is_directory("/run/systemd/system", ec) ? InitSystem::systemd : InitSystem::sysv;
  for (const char* manager : {"lib/systemd/systemd", "usr/lib/systemd/systemd"})
    if (fs::exists(root / manager, ec)) return InitSystem::systemd;
  return InitSystem::sysv;
}

/// The longest instance name accepted (unit names stay far below systemd's 255).
inline constexpr size_t kMaxInstanceName = 64;

/// Checks an instance name (--name): letters, digits, '-' and '_'; empty means the
/// default instance. Throws UsageError saying what is wrong.
inline void validate_instance_name(const std::string& name) {
  if (name.empty()) return;
  if (name.size() > kMaxInstanceName)
    throw UsageError("--name '" + name + "': longer than " + std::to_string(kMaxInstanceName) + " characters");
  auto bad = std::find_if(name.begin(), name.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  });
  if (bad != name.end() || name.front() == '-')
    throw UsageError("--name '" + name + "': use only letters, digits, '-' and '_' (not starting with '-')");
}

/// The service name of an instance: "dkumonitor", or "dkumonitor.NAME" with a name.
inline std::string boot_service_name(const std::string& instance) {
  return instance.empty() ? "dkumonitor" : "dkumonitor." + instance;
}

/// Where `target` (a path as the booted system sees it) lives on this machine.
inline fs::path under_root(const fs::path& root, const fs::path& target) {
  return root == "/" ? target : root / target.relative_path();
}

/// The path the booted system sees for `host` (absolute): `host` with `root` taken off
/// when it lies inside `root`, else `host` unchanged (a directory outside an image).
inline fs::path seen_from_root(const fs::path& root, const fs::path& host) {
  if (root == "/") return host;
  fs::path rel = host.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return host;
  return rel == "." ? fs::path("/") : fs::path("/") / rel;
}

/// An account of the booted system.
struct Account {
  std::string name;  ///< login name
  uid_t uid = 0;     ///< user id
};

/// Looks an account up by name (`by_name`) or uid: in ROOT/etc/passwd for another
/// root that has one (an image's accounts are not this machine's), else through
/// this machine's name service.
inline std::optional<Account> find_account(const fs::path& root, const std::string* by_name, uid_t by_uid) {
  auto matches = [&](const passwd* pw) { return by_name ? *by_name == pw->pw_name : pw->pw_uid == by_uid; };
  fs::path passwd_file = root / "etc/passwd";
  std::error_code ec;
  if (root != "/" && fs::is_regular_file(passwd_file, ec)) {
    FILE* in = ::fopen(passwd_file.c_str(), "re");
    if (!in) throw Error(passwd_file.string() + ": cannot read: " + errno_text());
    std::optional<Account> found;
    while (const passwd* pw = ::fgetpwent(in)) {
      if (matches(pw)) {
        found = Account{pw->pw_name, pw->pw_uid};
        break;
      }
    }
    ::fclose(in);
    return found;
  }
  const passwd* pw = by_name ? ::getpwnam(by_name->c_str()) : ::getpwuid(by_uid);
  if (!pw) return std::nullopt;
  return Account{pw->pw_name, pw->pw_uid};
}

}  // namespace dkm::boot
