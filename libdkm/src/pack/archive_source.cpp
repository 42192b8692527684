// libcurl downloads and libarchive extraction.
#include "archive_source.hpp"

#include <dkm/core/error.hpp>
#include <dkm/pack/sha256.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>

namespace dkm::pack {

namespace {

struct DownloadState {
  std::FILE* out = nullptr;
  Sha256 digest;
  curl_off_t received = 0;
  curl_off_t last_logged = 0;
  const std::function<void(const std::string&)>* log = nullptr;
  bool write_failed = false;
};

size_t on_data(char* data, size_t size, size_t count, void* payload) {
  auto* s = static_cast<DownloadState*>(payload);
  size_t bytes = size * count;
  if (std::fwrite(data, 1, bytes, s->out) != bytes) {
    s->write_failed = true;
    return 0;
  }
  s->digest.update(std::string_view(data, bytes));
  s->received += static_cast<curl_off_t>(bytes);
  if (s->received - s->last_logged >= 16 * 1024 * 1024) {
    s->last_logged = s->received;
    (*s->log)("received " + std::to_string(s->received / (1024 * 1024)) + " MiB");
  }
  return bytes;
}

}  // namespace

std::string download(const std::string& url, const fs::path& file, const std::function<void(const std::string&)>& log) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  fs::create_directories(file.parent_path());
  fs::path part = file.string() + ".part";
  DownloadState state;
  state.log = &log;
  state.out = std::fopen(part.c_str(), "wb");
  if (!state.out) throw Error(part.string() + ": cannot write: " + errno_text());
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort after a minute without a byte
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "dkmpack");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &state);
  log("downloading " + url);
  CURLcode rc = curl_easy_perform(curl.get());
  bool closed = std::fclose(state.out) == 0;
  if (rc != CURLE_OK || state.write_failed || !closed) {
    std::error_code ec;
    fs::remove(part, ec);
    if (state.write_failed || !closed) throw Error(part.string() + ": cannot write: " + errno_text());
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    std::string why = error[0] ? error : curl_easy_strerror(rc);
    throw Error("cannot download " + url + ": " + why);
  }
  log("received " + std::to_string(state.received) + " bytes");
  fs::rename(part, file);
  return state.digest.hex();
}

std::string strip_components(const std::string& path, int strip) {
  size_t pos = 0;
  std::string_view p = path;
  while (p.substr(pos, 2) == "./") pos += 2;
  for (int i = 0; i < strip; ++i) {
    size_t slash = p.find('/', pos);
    if (slash == std::string_view::npos) return {};
    pos = slash + 1;
    while (pos < p.size() && p[pos] == '/') ++pos;
  }
  return std::string(p.substr(pos));
}

size_t extract_archive(const fs::path& archive_file, const fs::path& target_dir, int strip) {
  // Entries are written at absolute paths under `dir`: no symlink in its own path, so
  // libarchive's symlink check only judges what the archive creates.
  const fs::path dir = fs::canonical(target_dir);
  auto check_inside = [&](const std::string& entry_name, const std::string& path) {
    fs::path p(path);
    bool escapes = p.is_absolute();
    for (const auto& part : p) escapes = escapes || part == "..";
    if (escapes) throw Error(archive_file.string() + ": entry '" + entry_name + "' points outside the source tree");
  };
  std::unique_ptr<archive, decltype(&archive_read_free)> in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_all(in.get());
  if (archive_read_open_filename(in.get(), archive_file.c_str(), 1 << 16) != ARCHIVE_OK)
    throw Error(archive_file.string() + ": cannot open archive: " + archive_error_string(in.get()));
  std::unique_ptr<archive, decltype(&archive_write_free)> out(archive_write_disk_new(), archive_write_free);
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS);
  archive_write_disk_set_standard_lookup(out.get());
  size_t written = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) throw Error(archive_file.string() + ": " + archive_error_string(in.get()));
    std::string name = archive_entry_pathname(entry);
    std::string stripped = strip_components(name, strip);
    if (stripped.empty()) continue;  // one of the leading directories themselves
    check_inside(name, stripped);
    archive_entry_set_pathname(entry, (dir / stripped).c_str());
    archive_entry_set_perm(entry, unpacked_permissions(archive_entry_perm(entry)));
    if (const char* link = archive_entry_hardlink(entry)) {
      std::string target = strip_components(link, strip);
      if (target.empty()) continue;
      check_inside(name, target);
      archive_entry_set_hardlink(entry, (dir / target).c_str());
    }
    r = archive_write_header(out.get(), entry);
    if (r < ARCHIVE_WARN) throw Error(archive_file.string() + ": " + name + ": " + archive_error_string(out.get()));
    if (archive_entry_size(entry) > 0) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      for (;;) {
        r = archive_read_data_block(in.get(), &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) throw Error(archive_file.string() + ": " + name + ": " + archive_error_string(in.get()));
        if (archive_write_data_block(out.get(), block, size, offset) < ARCHIVE_WARN)
          throw Error(archive_file.string() + ": " + name + ": " + archive_error_string(out.get()));
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
      throw Error(archive_file.string() + ": " + name + ": " + archive_error_string(out.get()));
    ++written;
  }
  if (archive_write_close(out.get()) < ARCHIVE_WARN) throw Error(archive_file.string() + ": " + archive_error_string(out.get()));
  return written;
}

}  // namespace dkm::pack
