build-fuzz/session.o: src/session.c src/session.h src/mtime.h \
  src/packet.h

src/session.h:

src/mtime.h:

src/packet.h:
