#pragma once
// Who an install belongs to, for the privilege rule (SECURITY.md): a command never acts
// on an install that another account owns, on that account's say-so. The installer
// refuses, naming the owner and the command to run as that account.
// Implementation: libdkm/src/install/install_owner.cpp.

#include <dkm/core/files.hpp>

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dkm::install {

/// An entry of an install (DIR itself or inside it) and the uid that owns it.
struct OwnedEntry {
  fs::path path;  ///< as shown in messages
  uid_t uid = 0;  ///< its owner (a link's own owner, not its target's)
};

/// The first entry that a process of effective uid `caller` must not act on: owned
/// neither by `caller` nor by root (root's files are no other account's say-so).
std::optional<OwnedEntry> first_foreign(uid_t caller, const std::vector<OwnedEntry>& entries);

/// The owners of DIR (the link given on the command line, if it is one, and the
/// directory it leads to) and of `names` inside it, links not followed; entries that do
/// not exist are left out.
std::vector<OwnedEntry> install_entry_owners(const fs::path& dir, const std::vector<fs::path>& names);

/// The login name of `uid`, or the number when it has none.
std::string account_name(uid_t uid);

/// How to run `command` as `user`: "sudo -u USER COMMAND (runuser -u USER -- COMMAND
/// where there is no sudo)".
std::string as_account(const std::string& user, const std::string& command);

}  // namespace dkm::install
