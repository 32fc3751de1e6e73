build-fuzz/auth.o: src/auth.c src/auth.h src/mtime.h src/packet.h \
  src/config.h

src/auth.h:

src/mtime.h:

src/packet.h:

src/config.h:
