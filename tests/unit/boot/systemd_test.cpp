// boot/systemd: ExecStart= and ExecStop= written per systemd.service's "Command lines".
#include <catch2/catch.hpp>

#include "boot/systemd.hpp"

#include <dkm/core/error.hpp>

using namespace dkm;
using namespace dkm::boot;

TEST_CASE("a program path is written as is, with '%' doubled and blanks quoted", "[boot][systemd]") {
  CHECK(systemd_command("/srv/dkm/bin/dkm", {"start"}) == "/srv/dkm/bin/dkm start");
  CHECK(systemd_command("/srv/dkm 2/bin/dkm", {"stop"}) == "\"/srv/dkm 2/bin/dkm\" stop");
  CHECK(systemd_command("/srv/100%/bin/dkm", {"start"}) == "/srv/100%%/bin/dkm start");
}

TEST_CASE("a '$' in the program path stays single there and is doubled in argv[0] and the arguments",
          "[boot][systemd]") {
  // systemd expands $VAR in the arguments (argv[0] included), not in the executable's path.
  CHECK(systemd_command("/srv/mon$itor/bin/dkm", {"start"}) == "@/srv/mon$itor/bin/dkm /srv/mon$$itor/bin/dkm start");
  CHECK(systemd_command("/srv/a $b/bin/dkm", {"stop"}) == "@\"/srv/a $b/bin/dkm\" \"/srv/a $$b/bin/dkm\" stop");
  CHECK(systemd_command("/srv/x/bin/dkm", {"$HOME"}) == "/srv/x/bin/dkm $$HOME");
}

TEST_CASE("a quote in the program path is refused, naming the install", "[boot][systemd]") {
  CHECK_NOTHROW(check_systemd_program("/srv/mon$itor/bin/dkm", "install directory /srv/mon$itor"));
  REQUIRE_THROWS_AS(check_systemd_program("/srv/it's/bin/dkm", "install directory /srv/it's"), UsageError);
  REQUIRE_THROWS_WITH(check_systemd_program("/srv/it's/bin/dkm", "install directory /srv/it's"),
                      Catch::StartsWith("install directory /srv/it's: holds a quote") && Catch::Contains("--init sysv"));
}
