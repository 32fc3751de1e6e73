build-fuzz/fuzz_control: tests/fuzz/fuzz_control.c src/command.h \
  src/control.h src/loop.h src/mtime.h src/daemon.h src/auth.h \
  src/packet.h src/config.h src/log.h src/path.h src/session.h

src/command.h:

src/control.h:

src/loop.h:

src/mtime.h:

src/daemon.h:

src/auth.h:

src/packet.h:

src/config.h:

src/log.h:

src/path.h:

src/session.h:
