#pragma once
// Config templates (the bundle's templates/, from dist/templates) rendered with mustache.
//
// Layout: templates/common/PATH always renders to conf/PATH; templates/SERVICE/PATH
// renders to conf/PATH when the install type runs SERVICE. Adding a file there adds it
// to every install of that service, with no code change.
//
// Values come from a JSON object (nlohmann::json), inserted as is: no HTML escaping,
// since none of the formats is HTML and every value is checked before rendering. A
// tag naming a variable the data lacks is an error (FILE:LINE), not an empty string.
// Implementation: libdkm/src/install/templates.cpp.

#include <dkm/core/error.hpp>
#include <dkm/core/files.hpp>
#include <dkm/core/strings.hpp>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace dkm::install {

/// One template and where it renders, relative to conf/.
struct TemplateFile {
  fs::path source;  ///< the template file
  fs::path output;  ///< its rendered path, relative to DIR/conf
};

/// The templates for an install running `services`, sorted by output path. Throws
/// Error when `templates_dir` is missing or two templates render to the same file.
std::vector<TemplateFile> select_templates(const fs::path& templates_dir, const std::vector<std::string>& services);

/// Checks that every tag of `text` names a variable of `values`; throws Error "NAME:LINE: ..." otherwise.
void check_template_names(const std::string& text, const nlohmann::json& values, const std::string& name);

/// Renders mustache `text` with `values`; `name` (the template's path) prefixes errors.
std::string render_template(const std::string& text, const nlohmann::json& values, const std::string& name);

}  // namespace dkm::install
