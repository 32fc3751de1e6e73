build-fuzz/mlx4.o: src/mlx4.c src/mlx4.h

src/mlx4.h:
