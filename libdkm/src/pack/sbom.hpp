#pragma once
// The bundle's software bill of materials as an SPDX 2.3 JSON document: the bundle as the
// described package with every file (SHA-1 and SHA-256) and its verification code, one
// package per component (version, download location with the resolved commit, archive
// sha256, declared license), and the relationships between them. Deterministic: the
// creation time is the bundle's SOURCE_DATE_EPOCH, the namespace a digest of the content.
// Implementation: libdkm/src/pack/sbom.cpp.

#include <dkm/core/bundle_layout.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/pack/sha256.hpp>

#include "manifest.hpp"
#include "source_date.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace dkm::pack {

/// An SPDX identifier "SPDXRef-KIND-TEXT": characters other than letters, digits, '.' and
/// '-' become '-'; `taken` keeps identifiers unique within the document.
std::string spdx_id(const std::string& kind, const std::string& text, std::set<std::string>& taken);

/// A declared license for SPDX: the recipe's expression, or NOASSERTION when it gave none.
inline std::string spdx_license(const std::string& expression) {
  return std::string(trim(expression)).empty() ? "NOASSERTION" : std::string(trim(expression));
}

/// Where a component's source comes from, in SPDX's download-location form.
std::string spdx_download_location(const SourceRecord& c);

/// The SPDX 2.3 document for a bundle. `in.files` must not contain the SBOM itself nor
/// manifest.json (both are listed as excluded from the verification code).
nlohmann::json sbom_json(const ManifestInput& in, const std::string& bundle_license, const std::string& tool);

}  // namespace dkm::pack
