build-fuzz/fuzz_config: tests/fuzz/fuzz_config.c src/config.h

src/config.h:
