build-fuzz/fuzz_packet: tests/fuzz/fuzz_packet.c src/packet.h \
  src/session.h src/mtime.h

src/packet.h:

src/session.h:

src/mtime.h:
