build-fuzz/log.o: src/log.c src/log.h src/mtime.h

src/log.h:

src/mtime.h:
