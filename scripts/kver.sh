#!/bin/sh
# Print the release of the newest Debian 6.1 amd64 kernel whose headers are
# installed (e.g. 6.1.0-56-amd64). The host may run any kernel: the modules
# are built for the kernel the guests boot, never for `uname -r`.
ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' | sort -V | tail -n 1
