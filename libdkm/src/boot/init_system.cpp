// Boot services, the basics: which init system a root uses, instance names and the
#include <dkm/boot/init_system.hpp>

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

InitSystem parse_init_system(std::string_view text, std::string_view flag) {
  if (text == "systemd") return InitSystem::systemd;
  if (text == "sysv") return InitSystem::sysv;
  throw UsageError(std::string(flag) + " '" + std::string(text) + "': expected systemd or sysv");
}

InitSystem detect_init_system(const fs::path& root) {
  std::error_code ec;
  if (root == "/") return fs::is_directory("/run/systemd/system", ec) ? InitSystem::systemd : InitSystem::sysv;
  for (const char* manager : {"lib/systemd/systemd", "usr/lib/systemd/systemd"})
    if (fs::exists(root / manager, ec)) return InitSystem::systemd;
  return InitSystem::sysv;
}

void validate_instance_name(const std::string& name) {
  if (name.empty()) return;
  if (name.size() > kMaxInstanceName)
    throw UsageError("--name '" + name + "': longer than " + std::to_string(kMaxInstanceName) + " characters");
  auto bad = std::find_if(name.begin(), name.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  });
  if (bad != name.end() || name.front() == '-')
    throw UsageError("--name '" + name + "': use only letters, digits, '-' and '_' (not starting with '-')");
}

fs::path seen_from_root(const fs::path& root, const fs::path& host) {
  if (root == "/") return host;
  fs::path rel = host.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return host;
  return rel == "." ? fs::path("/") : fs::path("/") / rel;
}

std::optional<Account> find_account(const fs::path& root, const std::string* by_name, uid_t by_uid) {
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
