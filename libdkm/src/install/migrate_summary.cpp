// What `installer -u` prints for a migration (or its dry run): see migrate_apply.hpp.
#include <dkm/install/migrate_apply.hpp>

#include <dkm/core/strings.hpp>

#include <sstream>

namespace dkm::install {

namespace {

/// One block of the summary: a title and its items, WHAT in a column when short.
void print_items(std::ostream& out, const std::string& title, const std::vector<MigrationItem>& items,
                 bool say_none = false) {
  if (items.empty()) {
    if (say_none) out << title << " none\n";
    return;
  }
  out << title << "\n";
  for (const auto& item : items) {
    if (item.what.size() < 24) out << "  " << item.what << std::string(24 - item.what.size(), ' ') << item.detail << "\n";
    else out << "  " << item.what << "\n  " << std::string(24, ' ') << item.detail << "\n";
  }
}

/// The installer command a fresh install with the same settings would take.
std::string equivalent_command(const MigrationPlan& plan) {
  std::vector<std::string> words{"installer"};
  for (const auto& arg : plan.install_args) words.push_back(shell_quote(arg));
  return join(words, " ");
}

}  // namespace

std::string migration_summary(const MigrationPlan& plan, bool dry_run, const std::vector<std::string>& warnings) {
  const OriginalInstall& o = plan.original;
  const InstallPlan& p = plan.plan;
  std::ostringstream out;
  out << (dry_run ? "dry run, nothing changed: installer -u would migrate" : "migrated") << " the original dkumonitor "
      << o.version << " install in " << o.dir.string() << " to dkumonitor " << plan.env.at("DKM_VERSION")
      << " (install type " << p.type().name << ": " << join(p.options.services, ", ") << ")\n"
      << "  with the settings of: " << equivalent_command(plan) << "\n";
  print_items(out, "kept:", plan.kept);
  print_items(out, "converted (read from the original's configs, written for this bundle into conf/):", plan.converted);
  print_items(out, "carried (your settings):", plan.carried, true);
  print_items(out, "not carried:", plan.not_carried, true);
  print_items(out, "moved:", plan.moved);
  print_items(out, dry_run ? "removed (last, once everything else succeeded):" : "removed:", plan.removed);
  print_items(out, "notes:", plan.notes);
  for (const auto& w : warnings) out << "warning: " << w << "\n";
  if (p.has("grafana")) {
    if (plan.generated_grafana_secrets)
      out << "Grafana has no database yet: its admin login will be admin / " << p.admin_password
          << "\n  (shown this once; kept only in " << (p.layout.conf() / "grafana.ini").string()
          << ", mode 0600, until Grafana's first start)\n";
    else
      out << "Grafana: its database keeps its users and passwords; log in as before (no password was generated)\n";
  }
  if (dry_run) {
    out << "Run it: installer -u -d " << shell_quote(o.dir.string()) << "\n";
  } else {
    out << "Start it:      " << (p.layout.bin() / "dkm").string() << " start\n"
        << "Start at boot: " << (p.layout.bin() / "dkmadmin").string()
        << " install-boot  (as root; it replaces the original's boot service of the same name)\n";
  }
  return out.str();
}

}  // namespace dkm::install
