module pagealloc-golden/gen

go 1.19
