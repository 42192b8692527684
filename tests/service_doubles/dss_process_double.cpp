// TEST DOUBLE for a Dataiku DSS Java process (no DSS or Java here): started with a DSS
// command line as its argv (argv[0] the java binary, then -Ddku.KIND ... -cp
// DATA_DIR/bin:...), it does nothing until a signal ends it. /proc/PID/cmdline then reads
// exactly as a DSS process's would, which is all collectd's processes plugin looks at.
#include <unistd.h>

int main() {
  for (;;) ::pause();
}
