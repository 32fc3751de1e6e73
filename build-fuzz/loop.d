build-fuzz/loop.o: src/loop.c src/log.h src/loop.h src/mtime.h

src/log.h:

src/loop.h:

src/mtime.h:
