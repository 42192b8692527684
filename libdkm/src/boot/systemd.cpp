// The systemd unit: dkm start forks the supervisor (Type=forking, PIDFile), dkm stop
#include "systemd.hpp"

#include <dkm/boot/target.hpp>
#include <dkm/core/error.hpp>

#include <string>

namespace dkm::boot {

std::string systemd_word(const std::string& word, bool exec) {
  std::string out;
  bool blank = false;
  for (char c : word) {
    if (c == '%') out += "%%";
    else if (c == '$' && exec) out += "$$";
    else out += c;
    if (c == ' ' || c == '\t' || c == '\'') blank = true;
  }
  return blank ? "\"" + out + "\"" : out;
}

std::string systemd_command(const fs::path& program, const std::vector<std::string>& args) {
  const std::string path = program.string();
  std::string line = systemd_word(path);
  if (path.find('$') != std::string::npos) line = "@" + line + " " + systemd_word(path, true);
  for (const auto& arg : args) line += " " + systemd_word(arg, true);
  return line;
}

void check_systemd_program(const fs::path& program, const std::string& what) {
  if (program.string().find('\'') != std::string::npos)
    throw UsageError(what + ": holds a quote ('), which systemd refuses in the path of the program it runs (" +
                     program.string() + "); move the install to a directory without one, or use --init sysv");
}

std::string systemd_value(const std::string& value) {
  std::string out;
  for (char c : value) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

std::string render_systemd_unit(const BootTarget& target) {
  kainjow::mustache::data values;
  values.set("home_comment", target.home.string());
  values.set("dkmadmin_comment", target.dkmadmin().string());
  values.set("name_flag", target.name_flag());
  values.set("home_marker", std::string(kHomeMarker) + target.home.string());
  values.set("instance_description", systemd_value(target.instance.empty() ? "" : " (" + target.instance + ")"));
  values.set("home_description", systemd_value(target.home.string()));
  values.set("user", target.user);
  values.set("working_directory", systemd_value(target.home.string()));
  std::string environment = systemd_word("DKM_HOME=" + target.home.string());
  if (target.run_as_root) environment += " DKM_ALLOW_ROOT=1";
  values.set("environment", environment);
  values.set("pid_file", systemd_value(target.pid_file().string()));
  values.set("exec_start", systemd_command(target.dkm(), {"start"}));
  values.set("exec_stop", systemd_command(target.dkm(), {"stop"}));
  std::string writable;
  for (const auto& path : target.writable) writable += (writable.empty() ? "" : " ") + systemd_word(path.string());
  values.set("writable", writable);
  // ProtectHome=yes hides /home; read-only when the install needs something there.
  values.set("protect_home", target.under_home ? "read-only" : "yes");
  // A private /tmp would hide an install that lives in /tmp.
  values.set("private_tmp", target.under_tmp ? "no" : "yes");
  values.set("unprivileged", !target.run_as_root);
  return render_boot_template(kSystemdUnitTemplate, values);
}

}  // namespace dkm::boot
