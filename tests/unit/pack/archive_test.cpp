// The reproducible archive, the manifest, the SPDX SBOM and SOURCE_DATE_EPOCH.
#include <catch2/catch.hpp>

#include <dkm/core/process.hpp>
#include <dkm/core/temp_dir.hpp>
#include <dkm/pack/archive.hpp>
#include <dkm/pack/manifest.hpp>
#include <dkm/pack/sbom.hpp>
#include <dkm/pack/sha256.hpp>
#include <dkm/pack/source_date.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

using namespace dkm;
using namespace dkm::pack;

namespace {

/// A small tree: nested directories, an executable, a symbolic link.
fs::path make_tree(const fs::path& root) {
  fs::create_directories(root / "bin");
  fs::create_directories(root / "conf" / "sub");
  fs::create_directories(root / "empty");
  write_file_atomic(root / "bin" / "tool", "#!/bin/sh\necho tool\n", 0750);
  write_file_atomic(root / "conf" / "a.ini", "a = 1\n", 0600);
  write_file_atomic(root / "conf" / "sub" / "z.txt", std::string(100000, 'z'));
  write_file_atomic(root / "VERSION", "1.2.3\n");
  fs::create_symlink("bin/tool", root / "tool-link");
  return root;
}

/// One entry as read back from an archive.
struct Entry {
  std::string path;
  int64_t mtime;
  int64_t uid, gid;
  std::string uname, gname;
  int perm;
};

std::vector<Entry> list_archive(const fs::path& file) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  REQUIRE(archive_read_open_filename(a, file.c_str(), 10240) == ARCHIVE_OK);
  std::vector<Entry> out;
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    out.push_back({archive_entry_pathname(e), archive_entry_mtime(e), archive_entry_uid(e), archive_entry_gid(e),
                   archive_entry_uname(e) ? archive_entry_uname(e) : "", archive_entry_gname(e) ? archive_entry_gname(e) : "",
                   static_cast<int>(archive_entry_perm(e))});
    archive_read_data_skip(a);
  }
  archive_read_free(a);
  return out;
}

}  // namespace

TEST_CASE("sha256 and sha1 match known digests", "[pack][sha256]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TempDir dir;
  write_file_atomic(dir.path() / "f", "abc");
  auto d = file_digests(dir.path() / "f");
  CHECK(d.sha256 == sha256_hex("abc"));
  CHECK(d.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(d.size == 3);
  CHECK_THROWS_WITH(sha256_file(dir.path() / "missing"), Catch::Contains("missing"));
}

TEST_CASE("the archive is sorted, stamped with one time, owned by 0 without names", "[pack][archive]") {
  TempDir dir;
  fs::path tree = make_tree(dir.path() / "stage");
  fs::path out = dir.path() / "dist" / "b-1.2.3.tar.gz";
  std::string hash = write_reproducible_archive({tree, "b-1.2.3", out, 1700000000, {}});
  CHECK(hash == sha256_file(out));
  CHECK(read_file(fs::path(out.string() + ".sha256")) == hash + "  b-1.2.3.tar.gz\n");
  // sha256sum agrees with the checksum file.
  RunOptions in_dist;
  in_dist.cwd = out.parent_path();
  CHECK(run_process({"sha256sum", "-c", "b-1.2.3.tar.gz.sha256"}, in_dist).ok());

  auto entries = list_archive(out);
  std::vector<std::string> paths;
  for (const auto& e : entries) {
    paths.push_back(e.path);
    CHECK(e.mtime == 1700000000);
    CHECK(e.uid == 0);
    CHECK(e.gid == 0);
    CHECK(e.uname.empty());
    CHECK(e.gname.empty());
  }
  // Directories carry tar's trailing slash.
  CHECK(paths == std::vector<std::string>{"b-1.2.3/", "b-1.2.3/VERSION", "b-1.2.3/bin/", "b-1.2.3/bin/tool",
                                          "b-1.2.3/conf/", "b-1.2.3/conf/a.ini", "b-1.2.3/conf/sub/",
                                          "b-1.2.3/conf/sub/z.txt", "b-1.2.3/empty/", "b-1.2.3/tool-link"});
  CHECK(entries[3].perm == 0755);  // executable bits kept, the rest normalised
  CHECK(entries[5].perm == 0644);
  // GNU tar reads it back, and the gzip header carries no time.
  CHECK(run_process({"tar", "-tzf", out.string()}).ok());
  std::string bytes = read_file(out);
  REQUIRE(bytes.size() > 10);
  CHECK(bytes.substr(4, 4) == std::string(4, '\0'));
}

TEST_CASE("same tree and time give the same bytes, a changed file or time changes them", "[pack][archive]") {
  TempDir dir;
  fs::path tree = make_tree(dir.path() / "stage");
  std::string first = write_reproducible_archive({tree, "b", dir.path() / "one.tar.gz", 1700000000, {}});
  // Touch everything and change modes the archive normalises: nothing changes.
  ::chmod((tree / "conf" / "a.ini").c_str(), 0640);
  fs::last_write_time(tree / "VERSION", fs::file_time_type::clock::now());
  std::string second = write_reproducible_archive({tree, "b", dir.path() / "two.tar.gz", 1700000000, {}});
  CHECK(first == second);
  CHECK(read_file(dir.path() / "one.tar.gz") == read_file(dir.path() / "two.tar.gz"));

  CHECK(write_reproducible_archive({tree, "b", dir.path() / "t.tar.gz", 1700000001, {}}) != first);
  write_file_atomic(tree / "conf" / "a.ini", "a = 2\n");
  CHECK(write_reproducible_archive({tree, "b", dir.path() / "c.tar.gz", 1700000000, {}}) != first);
}

TEST_CASE("a failed archive leaves nothing under the final name and stale temporaries go", "[pack][archive]") {
  TempDir dir;
  fs::path tree = make_tree(dir.path() / "stage");
  REQUIRE(::mkfifo((tree / "conf" / "fifo").c_str(), 0644) == 0);
  fs::path out = dir.path() / "dist" / "b.tar.gz";
  fs::create_directories(out.parent_path());
  write_file_atomic(dir.path() / "dist" / ".b.tar.gz.tmp123", "left by a killed run");
  CHECK_THROWS_WITH(write_reproducible_archive({tree, "b", out, 0, {}}), Catch::Contains("fifo"));
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::is_empty(out.parent_path()));
}

TEST_CASE("describe_tree lists every file with its digests", "[pack][manifest]") {
  TempDir dir;
  fs::path tree = make_tree(dir.path() / "stage");
  auto files = describe_tree(tree, {"VERSION"});
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  CHECK(paths == std::vector<std::string>{"bin/tool", "conf/a.ini", "conf/sub/z.txt", "tool-link"});
  CHECK(files[0].executable);
  CHECK(files[0].sha256 == sha256_file(tree / "bin" / "tool"));
  CHECK(files[2].size == 100000);
  CHECK(files[3].link == "bin/tool");

  ManifestInput in{"b", "1.2.3", 1700000000, {}, files};
  SourceRecord rec;
  rec.name = "comp";
  rec.version = "2.0";
  rec.type = "git";
  rec.url = "https://example.org/comp.git";
  rec.tag = "v2.0";
  rec.commit = std::string(40, 'a');
  rec.license = "MIT";
  rec.license_files = {"/src/comp/LICENSE"};
  rec.install_dir = "/build/comp/install";
  in.components.push_back({rec, {"licenses/comp/LICENSE"}, {"bin/tool"}});
  auto j = manifest_json(in);
  CHECK(j["files"][1]["path"] == "conf/a.ini");
  CHECK(j["files"][1]["mode"] == "0644");
  CHECK(j["components"][0]["source"]["commit"] == std::string(40, 'a'));
  CHECK(j["components"][0]["source"]["tag"] == "v2.0");
  CHECK_FALSE(j["components"][0]["source"].contains("sha256"));
  CHECK(j["components"][0]["license_files"][0] == "licenses/comp/LICENSE");
  // No path of the build machine in the manifest.
  CHECK(j.dump().find("/build/comp") == std::string::npos);
  CHECK(j.dump().find("/src/comp") == std::string::npos);
}

TEST_CASE("the SBOM is an SPDX 2.3 document with files, packages and a verification code", "[pack][sbom]") {
  FileRecord f1{"bin/x", std::string(64, '1'), "b" + std::string(39, '0'), 1, true, ""};
  FileRecord f2{"conf/y.ini", std::string(64, '2'), "a" + std::string(39, '0'), 1, false, ""};
  ManifestInput in{"dkumonitor", "0.1.0", 0, {}, {f1, f2}};
  SourceRecord gc;
  gc.name = "go-carbon";
  gc.version = "0.19.1";
  gc.type = "git";
  gc.url = "https://github.com/go-graphite/go-carbon.git";
  gc.tag = "v0.19.1";
  gc.commit = std::string(40, 'c');
  gc.license = "MIT";
  in.components.push_back({gc, {}, {"bin/x"}});
  SourceRecord tarred;
  tarred.name = "tarred";
  tarred.version = "1.0";
  tarred.type = "archive";
  tarred.url = "https://example.org/t.tar.gz";
  tarred.sha256 = std::string(64, 'd');
  in.components.push_back({tarred, {}, {}});
  auto doc = sbom_json(in, "Apache-2.0", "dkmpack-test");
  CHECK(doc["spdxVersion"] == "SPDX-2.3");
  CHECK(doc["dataLicense"] == "CC0-1.0");
  CHECK(doc["creationInfo"]["created"] == "1970-01-01T00:00:00Z");
  CHECK(doc["files"].size() == 2);
  CHECK(doc["files"][0]["fileName"] == "./bin/x");
  // Verification code: SHA-1 of the sorted SHA-1s ("a0..." before "b0...").
  Digest v = Digest::sha1();
  v.update(f2.sha1 + f1.sha1);
  CHECK(doc["packages"][0]["packageVerificationCode"]["packageVerificationCodeValue"] == v.hex());
  CHECK(doc["packages"][0]["licenseDeclared"] == "Apache-2.0");
  CHECK(doc["packages"][1]["downloadLocation"] ==
        "git+https://github.com/go-graphite/go-carbon.git@" + std::string(40, 'c'));
  CHECK(doc["packages"][2]["licenseDeclared"] == "NOASSERTION");
  CHECK(doc["packages"][2]["checksums"][0]["checksumValue"] == std::string(64, 'd'));
  bool generated_from = false;
  for (const auto& r : doc["relationships"])
    if (r["relationshipType"] == "GENERATED_FROM" && r["relatedSpdxElement"] == doc["packages"][1]["SPDXID"])
      generated_from = r["spdxElementId"] == doc["files"][0]["SPDXID"];
  CHECK(generated_from);
  // Deterministic, and the namespace follows the content.
  CHECK(sbom_json(in, "Apache-2.0", "dkmpack-test") == doc);
  in.files[0].sha256 = std::string(64, '9');
  CHECK(sbom_json(in, "Apache-2.0", "dkmpack-test")["documentNamespace"] != doc["documentNamespace"]);
}

TEST_CASE("SOURCE_DATE_EPOCH wins over the last commit's time", "[pack][source_date]") {
  TempDir dir;
  RunOptions opts;
  opts.cwd = dir.path();
  opts.env = {{"GIT_COMMITTER_DATE", "@1600000000 +0000"}, {"GIT_AUTHOR_DATE", "@1500000000 +0000"},
              {"GIT_AUTHOR_NAME", "t"}, {"GIT_AUTHOR_EMAIL", "t@t"}, {"GIT_COMMITTER_NAME", "t"},
              {"GIT_COMMITTER_EMAIL", "t@t"}};
  REQUIRE(run_process({"git", "init", "-q"}, opts).ok());
  write_file_atomic(dir.path() / "f", "x");
  REQUIRE(run_process({"git", "add", "f"}, opts).ok());
  REQUIRE(run_process({"git", "commit", "-q", "-m", "one"}, opts).ok());
  fs::create_directories(dir.path() / "sub");
  CHECK(last_commit_time(dir.path() / "sub") == 1600000000);

  const char* saved = std::getenv("SOURCE_DATE_EPOCH");
  std::string saved_value = saved ? saved : "";
  ::unsetenv("SOURCE_DATE_EPOCH");
  CHECK(source_date_epoch(dir.path()) == 1600000000);
  ::setenv("SOURCE_DATE_EPOCH", "1234", 1);
  CHECK(source_date_epoch(dir.path()) == 1234);
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  CHECK_THROWS_WITH(source_date_epoch(dir.path()), Catch::Contains("SOURCE_DATE_EPOCH='yesterday'"));
  if (saved) ::setenv("SOURCE_DATE_EPOCH", saved_value.c_str(), 1);
  else ::unsetenv("SOURCE_DATE_EPOCH");

  TempDir plain;
  CHECK_THROWS_WITH(last_commit_time(plain.path()), Catch::Contains("SOURCE_DATE_EPOCH"));
  CHECK(iso8601_utc(1700000000) == "2023-11-14T22:13:20Z");
}
