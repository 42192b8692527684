// The original dkumonitor's boot services: see migrate_boot.hpp.
#include <dkm/boot/original_boot.hpp>

#include <dkm/core/strings.hpp>
#include <dkm/boot/boot.hpp>

#include "image_root.hpp"
#include "systemd.hpp"

#include <sys/stat.h>

#include <set>
#include <sstream>

namespace dkm::boot {

fs::path original_systemd_unit_path(const std::string& service) {
  return fs::path("/usr/lib/systemd/system") / (service + ".service");
}

namespace {

/// The value after `key` on the first line that starts with it ("" when none).
std::string line_value(const std::string& text, const std::string& key) {
  for (const auto& raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.rfind(key, 0) == 0) return std::string(trim(line.substr(key.size())));
  }
  return {};
}

/// The service a file name gives ("dkumonitor", "dkumonitor.NAME"), empty when none.
std::string service_of(const std::string& file_name, InitSystem init) {
  std::string name = file_name;
  if (init == InitSystem::systemd) {
    const std::string suffix = ".service";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return {};
    name.resize(name.size() - suffix.size());
  }
  if (name == "dkumonitor") return name;
  if (name.rfind("dkumonitor.", 0) != 0) return {};
  try {
    validate_instance_name(name.substr(11));
  } catch (const UsageError&) {
    return {};
  }
  return name;
}

/// The original's services in one directory of `root` (as the booted system sees it).
void scan_directory(const fs::path& root, const fs::path& seen_dir, InitSystem init, const fs::path& home,
                    std::set<std::string>& visited, std::vector<OriginalBootService>& out) {
  fs::path dir = under_root(root, seen_dir);
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(dir, ec);
  if (!fs::is_directory(dir, ec) || !visited.insert(canonical.string()).second) return;  // /lib is /usr/lib on merged systems
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string service = service_of(entry.path().filename().string(), init);
    if (service.empty()) continue;
    struct stat st {};
    // Only a regular file root owns: never one the install's account could have put there.
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) continue;
    std::string text;
    try {
      text = read_file(entry.path());
    } catch (const Error&) {
      continue;
    }
    auto found = parse_original_boot_file(text, init, seen_dir / entry.path().filename(), service);
    if (found && found->home == home) out.push_back(*found);
  }
}

}  // namespace

std::optional<OriginalBootService> parse_original_boot_file(const std::string& text, InitSystem init,
                                                            const fs::path& file, const std::string& service) {
  OriginalBootService s{service, init, file, {}, {}};
  if (init == InitSystem::systemd) {
    std::string start = line_value(text, "ExecStart=");
    const std::string tail = "/bin/dkm start";
    if (line_value(text, "Description=") != "Dku monitor process control" || start.size() <= tail.size() ||
        start.compare(start.size() - tail.size(), tail.size(), tail) != 0)
      return std::nullopt;
    s.home = start.substr(0, start.size() - tail.size());
    s.user = line_value(text, "User=");
  } else {
    s.home = line_value(text, "DKU_MONITOR_HOME=");
    s.user = line_value(text, "DKU_MONITOR_USER=");
    if (s.home.empty() || text.find("/bin/dkm start") == std::string::npos) return std::nullopt;
  }
  s.home = s.home.lexically_normal();
  return s;
}

std::vector<OriginalBootService> find_original_boot_services(const fs::path& root, const fs::path& home) {
  std::vector<OriginalBootService> out;
  std::set<std::string> visited;
  for (const char* dir : {"/usr/lib/systemd/system", "/lib/systemd/system"})
    scan_directory(root, dir, InitSystem::systemd, home.lexically_normal(), visited, out);
  scan_directory(root, "/etc/init.d", InitSystem::sysv, home.lexically_normal(), visited, out);
  return out;
}

OriginalBootTakeover::OriginalBootTakeover(std::vector<OriginalBootService> originals, const std::string& service,
                                           bool force)
    : originals_(std::move(originals)) {
  if (force) return;
  for (const auto& o : originals_) {
    if (o.service == service) continue;
    std::string name = o.service == "dkumonitor" ? std::string() : o.service.substr(11);
    throw UsageError("the original dkumonitor's boot service " + o.service + " (" + o.file.string() +
                     ") starts this install too, and two services would start it: replace it with install-boot" +
                     (name.empty() ? std::string() : " --name " + name) + ", or pass --force to keep both");
  }
}

bool OriginalBootTakeover::replaces(const fs::path& root, const fs::path& host_file) const {
  for (const auto& o : originals_)
    if (under_root(root, o.file) == host_file) return true;
  return false;
}

void OriginalBootTakeover::take_away(const BootOptions& options, BootCommands& commands, std::ostream& out) {
  ImageRoot image(options.root);
  for (const auto& o : originals_) {
    Taken t{o, {}, {}, false};
    if (o.init == InitSystem::sysv) {
      // install-boot writes its script over it
      std::optional<std::string> text = image.read_file(o.file);
      if (!text) throw Error(image.host(o.file).string() + ": cannot read the original's init script");
      t.text = *text;
      taken_.push_back(t);
      continue;
    }
    if (!options.offline) {
      taken_.push_back(t);
      run_checked(commands, {"systemctl", "disable", o.service + ".service"}, out);
      taken_.back().disabled = true;
    } else {
      fs::path link = systemd_wants_link(o.service);
      if (image.read_symlink(link) == o.file) image.remove(link);
      taken_.push_back(t);
    }
    fs::path aside = o.file.parent_path() / ("." + o.file.filename().string() + ".dkm-replaced");
    image.rename(o.file, aside);
    taken_.back().aside = aside;
  }
}

void OriginalBootTakeover::restore(const BootOptions& options, BootCommands& commands) noexcept {
  for (auto it = taken_.rbegin(); it != taken_.rend(); ++it) {
    try {
      ImageRoot image(options.root);
      if (it->original.init == InitSystem::sysv) {
        image.write_file(it->original.file, it->text, 0755);
        continue;
      }
      if (!it->aside.empty()) image.rename(it->aside, it->original.file);
      if (options.offline) {
        fs::path link = systemd_wants_link(it->original.service);
        if (!image.status(link)) image.replace_symlink(link, it->original.file);
      } else if (it->disabled) {
        std::ostringstream ignored;
        run_checked(commands, {"systemctl", "daemon-reload"}, ignored);
        run_checked(commands, {"systemctl", "enable", it->original.service + ".service"}, ignored);
      }
    } catch (...) {
      // Best effort: install-boot reports its own failure.
    }
  }
  taken_.clear();
}

void OriginalBootTakeover::finish(const BootOptions& options, std::ostream& out) {
  ImageRoot image(options.root);
  for (const auto& t : taken_) {
    if (!t.aside.empty()) image.remove(t.aside);
    out << "dkmadmin: replaced the original dkumonitor's " << t.original.service << " ("
        << image.host(t.original.file).string() << ")\n";
  }
  taken_.clear();
}

std::string describe_original_boot_services(const std::vector<OriginalBootService>& originals, const fs::path& root,
                                            const std::string& instance, bool by_name) {
  std::ostringstream out;
  for (const auto& o : originals) {
    if (by_name && o.service != boot_service_name(instance)) continue;
    std::string name = o.service == "dkumonitor" ? std::string() : " --name " + o.service.substr(11);
    out << o.service << ": the original dkumonitor's "
        << (o.init == InitSystem::systemd ? "systemd unit " : "SysV init script ") << under_root(root, o.file).string()
        << ", runs " << (o.home / "bin/dkm").string() << " start as " << (o.user.empty() ? "?" : o.user)
        << " (not written by this dkmadmin: no record)\n"
        << "  replace it with: " << (o.home / "bin/dkmadmin").string() << " install-boot" << name << "\n";
  }
  return out.str();
}

}  // namespace dkm::boot
