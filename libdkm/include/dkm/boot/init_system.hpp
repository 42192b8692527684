#pragma once
// Boot services, the basics: which init system a root uses, instance names and the
// service name they give, where a path of the booted system lives under --root, and
// the accounts of that system.
// Implementation: libdkm/src/boot/init_system.cpp.

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
InitSystem parse_init_system(std::string_view text, std::string_view flag = "--init");

/// The init system of `root`. The running machine (`root` is "/"): systemd when
/// /run/systemd/system exists, as sd_booted() decides. Another root (an image, not
/// booted): systemd when it carries systemd's manager binary, else SysV init.
InitSystem detect_init_system(const fs::path& root);

/// The longest instance name accepted (unit names stay far below systemd's 255).
inline constexpr size_t kMaxInstanceName = 64;

/// Checks an instance name (--name): letters, digits, '-' and '_'; empty means the
/// default instance. Throws UsageError saying what is wrong.
void validate_instance_name(const std::string& name);

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
fs::path seen_from_root(const fs::path& root, const fs::path& host);

/// An account of the booted system.
struct Account {
  std::string name;  ///< login name
  uid_t uid = 0;     ///< user id
};

/// Looks an account up by name (`by_name`) or uid: in ROOT/etc/passwd for another
/// root that has one (an image's accounts are not this machine's), else through
/// this machine's name service.
std::optional<Account> find_account(const fs::path& root, const std::string* by_name, uid_t by_uid);

}  // namespace dkm::boot
