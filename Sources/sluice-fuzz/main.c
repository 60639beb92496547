// sluice-fuzz: libFuzzer targets for the CSV parser, the cron parser and the job-file decoder.
//
// Built with `swift build --sanitize fuzzer --product sluice-fuzz`, libFuzzer supplies the real main() and this
// weak one is dropped. In a normal build this main() replays the files named on the command line through the
// same entry point, so crashes found by fuzzing stay as regression inputs (see Fuzz/README.md).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((weak)) int main(int argc, char **argv) {
    int replayed = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { fprintf(stderr, "cannot open %s\n", argv[i]); return 2; }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
        size_t got = fread(buf, 1, (size_t)n, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, got);
        free(buf);
        replayed++;
    }
    printf("replayed %d input(s) without a crash\n", replayed);
    return 0;
}
