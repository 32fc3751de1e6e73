build-fuzz/daemon.o: src/daemon.c src/alert.h src/loop.h src/mtime.h \
  src/auth.h src/packet.h src/command.h src/control.h src/daemon.h \
  src/config.h src/log.h src/path.h src/session.h src/net.h src/nl.h \
  src/status.h src/sysctl.h

src/alert.h:

src/loop.h:

src/mtime.h:

src/auth.h:

src/packet.h:

src/command.h:

src/control.h:

src/daemon.h:

src/config.h:

src/log.h:

src/path.h:

src/session.h:

src/net.h:

src/nl.h:

src/status.h:

src/sysctl.h:
