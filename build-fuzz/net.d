build-fuzz/net.o: src/net.c src/log.h src/net.h src/config.h src/nl.h

src/log.h:

src/net.h:

src/config.h:

src/nl.h:
