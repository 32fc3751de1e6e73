build-fuzz/alert.o: src/alert.c src/alert.h src/loop.h src/mtime.h \
  src/log.h

src/alert.h:

src/loop.h:

src/mtime.h:

src/log.h:
