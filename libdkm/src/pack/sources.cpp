// Fetch and patch steps.
#include "sources.hpp"

#include <dkm/core/error.hpp>
#include <dkm/core/strings.hpp>
#include <dkm/pack/sha256.hpp>

#include "archive_source.hpp"
#include "git_source.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace dkm::pack {

namespace {

void fetch_git(const ComponentPlan& plan, const BuildLayout& layout, const StepLogLine& log) {
  const SourceSpec& s = plan.recipe.source;
  const std::string& commit = plan.source.revision;
  fs::path cache = layout.git_cache(plan.recipe.name);
  auto tag_ok = [&] { return s.tag.empty() || local_ref_commit(cache, "refs/tags/" + s.tag) == commit; };
  if (has_commit(cache, commit) && tag_ok()) {
    log("commit " + commit + " is already in " + cache.string());
    return;
  }
  // Only what the recipe names: one tag or one branch (big repositories have thousands of
  // refs); a bare commit may be anywhere, so every branch and tag then.
  std::vector<std::string> refspecs;
  if (!s.tag.empty()) refspecs = {"+refs/tags/" + s.tag + ":refs/tags/" + s.tag};
  else if (!s.branch.empty()) refspecs = {"+refs/heads/" + s.branch + ":refs/heads/" + s.branch};
  else refspecs = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"};
  try {
    fetch_into_cache(cache, plan.source.location, refspecs, log);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + ". Offline? Put a mirror clone (`git clone --mirror " + s.url + " " +
                plan.recipe.name + ".git`) in a directory and pass --mirror DIR");
  }
  if (!has_commit(cache, commit))
    throw Error("commit " + commit + " is not in " + plan.source.location +
                " after fetching " + join(refspecs, " ") + (s.tag.empty() && s.branch.empty() ? " (is it on a branch or a tag?)" : ""));
  if (!s.tag.empty()) {
    auto tagged = local_ref_commit(cache, "refs/tags/" + s.tag);
    if (tagged != commit)
      throw Error("tag " + s.tag + " of " + plan.source.location + " now points to " + tagged.value_or("nothing") +
                  ", not " + commit + ": the tag moved upstream" + (s.commit.empty() ? "" : " (the recipe pins " + s.commit + ")"));
  }
  log("commit " + commit + " (" + s.ref_description() + ") is in " + cache.string());
}

void fetch_archive(const ComponentPlan& plan, const BuildLayout& layout, const StepLogLine& log) {
  const SourceSpec& s = plan.recipe.source;
  fs::path file = layout.archive_cache(plan.recipe.name, s.archive_file_name());
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) {
    if (sha256_file(file) == s.sha256) {
      log(file.string() + " is already downloaded (sha256 " + s.sha256 + ")");
      return;
    }
    log(file.string() + " does not match the recipe's sha256: downloading it again");
    fs::remove(file, ec);
  }
  std::string actual;
  if (plan.source.from_mirror) {
    log("copying " + plan.source.location + " (mirror)");
    fs::create_directories(file.parent_path());
    fs::path part = file.string() + ".part";
    fs::copy_file(plan.source.location, part, fs::copy_options::overwrite_existing);
    fs::rename(part, file);
    actual = sha256_file(file);
  } else {
    try {
      actual = download(plan.source.location, file, log);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + ". Offline? Put " + s.archive_file_name() +
                  " in a directory and pass --mirror DIR");
    }
  }
  if (actual != s.sha256) {
    fs::remove(file, ec);
    throw Error("sha256 mismatch for " + s.archive_file_name() + " from " + plan.source.location + ": expected " +
                s.sha256 + ", got " + actual + "; the file was deleted and nothing was unpacked");
  }
  log("sha256 " + actual + " verified");
}

}  // namespace

int64_t newest_mtime(const fs::path& dir) {
  int64_t newest = 0;
  for_each_tree_entry(dir, [&](const fs::path&, const struct stat& st) {
    if (!S_ISDIR(st.st_mode)) newest = std::max<int64_t>(newest, st.st_mtim.tv_sec);
  });
  return newest;
}

int64_t read_commit_time(const BuildLayout& layout, const std::string& name) {
  fs::path file = layout.commit_time_file(name);
  std::string text;
  try {
    text = std::string(trim(read_file(file)));
  } catch (const Error&) {
    throw Error(file.string() + ": missing; the patch step records it (run dkmpack --clean " + name + ", then build again)");
  }
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    throw Error(file.string() + ": expected a number of seconds, found '" + text + "'");
  return std::stoll(text);
}

void fetch_source(const ComponentPlan& plan, const BuildLayout& layout, const StepLogLine& log) {
  switch (plan.recipe.source.type) {
    case SourceType::git: return fetch_git(plan, layout, log);
    case SourceType::archive: return fetch_archive(plan, layout, log);
    case SourceType::path: {
      std::error_code ec;
      if (!fs::is_directory(plan.recipe.source.path, ec))
        throw Error(plan.recipe.source.path.string() + ": no such source directory");
      log("local directory " + plan.recipe.source.path.string() + (plan.source.override ? " (--source)" : ""));
      return;
    }
  }
}

void prepare_source_tree(const ComponentPlan& plan, const BuildLayout& layout, const StepLogLine& log,
                         const ActionRunner& run) {
  const Recipe& r = plan.recipe;
  const SourceSpec& s = r.source;
  fs::path fresh = layout.new_source_dir(r.name);
  fs::path tree = layout.source_dir(r.name);
  std::error_code ec;
  fs::remove_all(fresh, ec);
  int64_t source_time = 0;
  switch (s.type) {
    case SourceType::git:
      log("checking out " + plan.source.revision + " (" + s.ref_description() + ")");
      checkout_commit(layout.git_cache(r.name), plan.source.revision, fresh, s.url);
      source_time = commit_time(layout.git_cache(r.name), plan.source.revision);
      break;
    case SourceType::archive: {
      fs::path file = layout.archive_cache(r.name, s.archive_file_name());
      std::string actual = sha256_file(file);
      if (actual != s.sha256)
        throw Error("sha256 mismatch for " + file.string() + ": expected " + s.sha256 + ", got " + actual +
                    "; nothing was unpacked");
      fs::create_directories(fresh);
      size_t n = extract_archive(file, fresh, s.strip_components);
      log("unpacked " + std::to_string(n) + " entries of " + file.filename().string() + " (sha256 verified)");
      if (n == 0) throw Error(file.string() + ": nothing left to unpack after stripping " + std::to_string(s.strip_components) +
                              " leading directories (see strip_components)");
      source_time = newest_mtime(fresh);  // libarchive kept the entries' times
      break;
    }
    case SourceType::path:
      log("copying " + s.path.string());
      source_time = newest_mtime(s.path);
      copy_tree(s.path, fresh);
      break;
  }
  log("source time (${commit_time}, SOURCE_DATE_EPOCH): " + std::to_string(source_time));
  for (const auto& patch : s.patches) {
    Action a;
    a.argv = {"patch", "-p1", "--forward", "--batch", "--no-backup-if-mismatch", "-i", patch.string()};
    a.cwd = fresh;
    try {
      run(a);
    } catch (const Error& e) {
      throw Error("patch " + patch.string() + " does not apply to " + r.name + "'s source (" + e.what() + ")");
    }
  }
  for (const auto& license : r.license_files)
    if (!fs::exists(fresh / license, ec))
      throw Error(r.file.string() + ": license file '" + license + "' is not in the source tree (see license_files)");
  write_file_atomic(layout.commit_time_file(r.name), std::to_string(source_time) + "\n");
  publish_directory(fresh, tree);
  // The tree's own time is "now", whatever the archive said: ninja compares it to the key.
  fs::last_write_time(tree, fs::file_time_type::clock::now(), ec);
}

}  // namespace dkm::pack
