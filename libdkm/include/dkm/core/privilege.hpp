#pragma once
// The privilege rule (SECURITY.md): a command run as root never acts on the files or
// processes of another account on that account's say-so: through paths it controls,
// files it wrote, links it planted. dkm and the installer check an install's entries
// with this before they do anything, and refuse (exit 2) saying how to run the command
// as the owner instead, rather than dropping privileges half-way (SECURITY.md says why).
// Implementation: libdkm/src/core/privilege.cpp.

#include <dkm/core/files.hpp>

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace dkm {

/// A path that belongs to another account than the caller's.
struct ForeignPath {
  fs::path path;
  uid_t owner = 0;
};

/// The login name of `uid`, or its number when it has none.
std::string account_name(uid_t uid);

/// The first of `paths` that an account other than `caller` owns: the path itself (a link
/// is not followed) or, when it is a link, what it leads to. Paths that do not exist are
/// skipped; nothing when every one is the caller's.
std::optional<ForeignPath> find_foreign_path(const std::vector<fs::path>& paths, uid_t caller);

/// Running as root, throws UsageError when one of `paths` belongs to another account:
/// "PATH belongs to USER: root does not act on another account's install (see SECURITY.md);
/// run it as USER: sudo -u USER COMMAND". Does nothing for any other account (it has no
/// rights to misuse).
void refuse_another_accounts_paths(const std::vector<fs::path>& paths, const std::string& command);

}  // namespace dkm
