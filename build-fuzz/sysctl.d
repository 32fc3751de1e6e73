build-fuzz/sysctl.o: src/sysctl.c src/log.h src/sysctl.h

src/log.h:

src/sysctl.h:
