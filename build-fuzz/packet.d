build-fuzz/packet.o: src/packet.c src/packet.h

src/packet.h:
