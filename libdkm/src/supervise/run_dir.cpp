// DIR/run opened once; as root, only when it is root's.
#include "run_dir.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/privilege.hpp>

#include <sys/stat.h>
#include <unistd.h>

namespace dkm::supervise {

DirHandle open_run_dir(const InstallLayout& layout, bool create) {
  const fs::path path = layout.run();
  if (create && ::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    throw Error(path.string() + ": cannot create: " + errno_text());
  // Privilege rule: root does not write in a run/ that another account controls, whether
  // by the link that names it or by the directory it leads to.
  const uid_t me = ::geteuid();
  struct stat link {};
  if (me == 0 && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode) && link.st_uid != me)
    throw Error(path.string() + " is a link that " + account_name(link.st_uid) +
                " owns: root does not write through it (see SECURITY.md)");
  DirHandle run(path, true);  // a link of our own is fine: run/ may live on another file system
  if (me == 0 && run.status().st_uid != me)
    throw Error(path.string() + " belongs to " + account_name(run.status().st_uid) +
                ": root does not write in it (see SECURITY.md)");
  return run;
}

std::vector<std::string> service_pid_file_names(const DirHandle& run) {
  std::vector<std::string> out;
  for (const auto& name : run.names())
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".pid") == 0 && name != "dkm.pid") out.push_back(name);
  return out;
}

}  // namespace dkm::supervise
