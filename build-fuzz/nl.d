build-fuzz/nl.o: src/nl.c src/log.h src/nl.h

src/log.h:

src/nl.h:
