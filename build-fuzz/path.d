build-fuzz/path.o: src/path.c src/path.h src/mtime.h

src/path.h:

src/mtime.h:
