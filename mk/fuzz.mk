# libFuzzer over the hypercall dispatcher (tests/fuzz/fuzz_hvc.c): random
# hypercall sequences through hvc_handle on the real core + fake platform, the
# invariant checker after every call. clang, -fsanitize=fuzzer,address,undefined.
#
#   make fuzz              bounded run (FUZZ_TIME seconds, default 60); new inputs
#                          go to build/fuzz/corpus, crashes to build/fuzz/crash-*
#   make fuzz-smoke        10-second run as a TAP suite (in TEST_SUITES)
#   make fuzz-seeds        regenerate the committed seed corpus tests/fuzz/corpus/
FUZZ_B     := $(B)/fuzz
FUZZ_TIME  ?= 60
FUZZ_BIN   := $(FUZZ_B)/fuzz_hvc
FUZZ_SAN   := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(CORE_INC) -I$(TOP)/hyp/arch/fake -I$(TOP)/tests/unit/lib
FUZZ_CORE  := $(wildcard hyp/mmu/*.c hyp/mem/*.c hyp/hvc/*.c)
FUZZ_SUPP  := $(wildcard hyp/arch/fake/*.c)
FUZZ_DEPS  := $(FUZZ_CORE) $(FUZZ_SUPP) tests/fuzz/fuzz_hvc.c $(wildcard hyp/include/hyp/*.h) \
	      include/lockstep/abi.h mk/fuzz.mk tests/unit/lib/invariant.c tests/unit/lib/invariant.h \
	      tests/unit/lib/ptdec.c tests/unit/lib/ptdec.h

TEST_SUITES += fuzz-smoke
.PHONY: fuzz fuzz-smoke fuzz-seeds

# The core keeps its strict warnings (clang's view of them). The invariant
# checker and its table decoders are built without coverage feedback: their loops are not
# what to explore; so are the mbedtls files the core's attestation code uses (the VM launch
# measurement, the report signature), compiled here with clang from the source tree
# scripts/mbedtls.sh unpacked: the host library is gcc's, whose sanitizer runtime is not
# clang's.
FUZZ_MBEDTLS := $(MBEDTLS_FILES)
$(FUZZ_BIN): $(FUZZ_DEPS) | $(MBEDTLS_HOST)
	@mkdir -p $(FUZZ_B)/mbedtls
	@for f in $(FUZZ_MBEDTLS); do \
		$(CLANG) -std=gnu11 -O1 -g -fsanitize=address,undefined $(MBEDTLS_INC) \
			-c $(MBEDTLS_B)/src/library/$$f.c -o $(FUZZ_B)/mbedtls/$$f.o || exit 1; \
	done
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=address,undefined $(WARN) $(CORE_WARN) \
		-c tests/unit/lib/invariant.c -o $(FUZZ_B)/invariant.o
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=address,undefined $(WARN) $(CORE_WARN) \
		-c tests/unit/lib/ptdec.c -o $(FUZZ_B)/ptdec.o
	$(CLANG) $(FUZZ_CFLAGS) $(MBEDTLS_INC) $(FUZZ_SAN) $(WARN) $(CORE_WARN) -o $@ \
		$(FUZZ_CORE) $(FUZZ_SUPP) tests/fuzz/fuzz_hvc.c $(FUZZ_B)/invariant.o $(FUZZ_B)/ptdec.o \
		$(patsubst %,$(FUZZ_B)/mbedtls/%.o,$(FUZZ_MBEDTLS))

fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_B)/corpus
	cd $(FUZZ_B) && ASAN_OPTIONS=detect_leaks=1 ./fuzz_hvc -max_total_time=$(FUZZ_TIME) \
		-max_len=768 -artifact_prefix=$(FUZZ_B)/ -print_final_stats=1 \
		$(FUZZ_B)/corpus $(TOP)/tests/fuzz/corpus

# The smoke run must execute at least FUZZ_SMOKE_MIN_RUNS inputs in its 10 s (libFuzzer's
# "Done N runs", 106 seen on the 2-core machine, 8 of them the seeds): a fuzzer that stalls
# or exits at once would otherwise pass.
FUZZ_SMOKE_MIN_RUNS ?= 40

# The smoke run starts from the seeds alone each time: replaying a grown corpus
# takes longer than the 10 s, which would leave no time to mutate anything.
fuzz-smoke:
	@rm -rf $(FUZZ_B)/smoke-corpus
	@mkdir -p $(B)/test-logs $(FUZZ_B)/smoke-corpus
	@tap=$(B)/test-logs/fuzz-smoke.tap; echo "1..3" > $$tap; \
	if ! $(MAKE) --no-print-directory $(FUZZ_BIN) > $(FUZZ_B)/build.log 2>&1; then \
		echo "not ok 1 - fuzz-smoke: build failed (see $(FUZZ_B)/build.log)" >> $$tap; \
		cat $$tap; exit 0; fi; \
	if (cd $(FUZZ_B) && ./fuzz_hvc -runs=0 $(TOP)/tests/fuzz/corpus) > $(FUZZ_B)/seeds.log 2>&1; \
	then echo "ok 1 - fuzz-smoke: seed corpus replays clean" >> $$tap; \
	else echo "not ok 1 - fuzz-smoke: seed corpus (see $(FUZZ_B)/seeds.log)" >> $$tap; fi; \
	if (cd $(FUZZ_B) && ./fuzz_hvc -max_total_time=10 -max_len=768 -artifact_prefix=$(FUZZ_B)/ \
		$(FUZZ_B)/smoke-corpus $(TOP)/tests/fuzz/corpus) > $(FUZZ_B)/smoke.log 2>&1; \
	then echo "ok 2 - fuzz-smoke: 10 s random hypercalls, invariants hold" >> $$tap; \
	else echo "not ok 2 - fuzz-smoke: crash (see $(FUZZ_B)/smoke.log)" >> $$tap; fi; \
	runs=$$(sed -n 's/.*Done \([0-9]*\) runs.*/\1/p' $(FUZZ_B)/smoke.log | tail -1); \
	if [ "$${runs:-0}" -ge $(FUZZ_SMOKE_MIN_RUNS) ]; then \
		echo "ok 3 - fuzz-smoke: $$runs inputs executed (at least $(FUZZ_SMOKE_MIN_RUNS))" >> $$tap; \
	else echo "not ok 3 - fuzz-smoke: $${runs:-no} inputs executed, fewer than $(FUZZ_SMOKE_MIN_RUNS) (see $(FUZZ_B)/smoke.log)" >> $$tap; fi; \
	cat $$tap

fuzz-seeds:
	python3 tests/fuzz/mkseeds.py tests/fuzz/corpus
