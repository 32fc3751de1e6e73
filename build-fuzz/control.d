build-fuzz/control.o: src/control.c src/control.h src/loop.h src/mtime.h \
  src/log.h

src/control.h:

src/loop.h:

src/mtime.h:

src/log.h:
