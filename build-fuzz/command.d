build-fuzz/command.o: src/command.c src/command.h src/daemon.h src/auth.h \
  src/mtime.h src/packet.h src/config.h src/log.h src/loop.h src/path.h \
  src/session.h src/status.h

src/command.h:

src/daemon.h:

src/auth.h:

src/mtime.h:

src/packet.h:

src/config.h:

src/log.h:

src/loop.h:

src/path.h:

src/session.h:

src/status.h:
