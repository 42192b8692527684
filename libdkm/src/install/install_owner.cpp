// Who an install belongs to, for the privilege rule.
#include "install_owner.hpp"

#include <pwd.h>
#include <sys/stat.h>

namespace dkm::install {

std::optional<OwnedEntry> first_foreign(uid_t caller, const std::vector<OwnedEntry>& entries) {
  for (const auto& entry : entries)
    if (entry.uid != caller && entry.uid != 0) return entry;
  return std::nullopt;
}

std::vector<OwnedEntry> install_entry_owners(const fs::path& dir, const std::vector<fs::path>& names) {
  std::vector<OwnedEntry> out;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0) out.push_back({dir, st.st_uid});
  if (S_ISLNK(st.st_mode) && ::stat(dir.c_str(), &st) == 0) out.push_back({dir, st.st_uid});
  for (const auto& name : names)
    if (::lstat((dir / name).c_str(), &st) == 0) out.push_back({dir / name, st.st_uid});
  return out;
}

std::string account_name(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw ? std::string(pw->pw_name) : std::to_string(uid);
}

std::string as_account(const std::string& user, const std::string& command) {
  return "sudo -u " + user + " " + command + " (runuser -u " + user + " -- " + command + " where there is no sudo)";
}

}  // namespace dkm::install
