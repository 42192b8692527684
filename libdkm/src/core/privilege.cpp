// The privilege rule: root refuses to act on another account's files.
#include <dkm/core/privilege.hpp>

#include <dkm/core/strings.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dkm {

std::string account_name(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw ? std::string(pw->pw_name) : std::to_string(uid);
}

std::optional<ForeignPath> find_foreign_path(const std::vector<fs::path>& paths, uid_t caller) {
  for (const auto& path : paths) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (st.st_uid != caller) return ForeignPath{path, st.st_uid};
    if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) == 0 && st.st_uid != caller) return ForeignPath{path, st.st_uid};
  }
  return std::nullopt;
}

void refuse_another_accounts_paths(const std::vector<fs::path>& paths, const std::string& command) {
  if (::geteuid() != 0) return;
  auto foreign = find_foreign_path(paths, 0);
  if (!foreign) return;
  std::string user = account_name(foreign->owner);
  // sudo takes a uid without a name as #UID.
  std::string sudo_user = ::getpwuid(foreign->owner) ? user : shell_quote("#" + user);
  throw UsageError(foreign->path.string() + " belongs to " + user +
                   ": root does not act on another account's install (see SECURITY.md); run it as " + user +
                   ": sudo -u " + sudo_user + " " + command);
}

}  // namespace dkm
