build-fuzz/fuzz_auth: tests/fuzz/fuzz_auth.c src/auth.h src/mtime.h \
  src/packet.h src/config.h

src/auth.h:

src/mtime.h:

src/packet.h:

src/config.h:
