#pragma once
// What the installer prints once an install or an update is done.
// Implementation: libdkm/src/install/summary.cpp.

#include <dkm/install/install.hpp>
#include <dkm/install/update.hpp>

#include <string>

namespace dkm::install {

/// True when carbonapi's backends may include this install's own carbonserver (with a
/// wildcard listener, any backend on its port may be this host: no false alarm).
bool own_backend_listed(const InstallPlan& plan);

/// The lines printed at the end of a successful install.
std::string install_summary(const InstallResult& r);

/// The lines printed at the end of a successful update.
std::string update_summary(const UpdateResult& r);

}  // namespace dkm::install
