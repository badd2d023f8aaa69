# Conversion benchmark (tests/bench/bench_own.c): figures, not pass/fail.
#
#   make bench            native run (-O2, no sanitizers) over 1 GiB, then instructions
#                         per page under valgrind --tool=callgrind (BENCH_CG_MIB of memory,
#                         counting only bench_run(); perf has no HW counters here), and of
#                         them those inside hvc_handle() (EL2: the host's sorting left out)
#   make bench-cg         the callgrind part alone
BENCH_B      := $(B)/bench
BENCH_BIN    := $(BENCH_B)/bench_own
BENCH_CG_MIB ?= 64
BENCH_SRC    := $(wildcard hyp/mmu/*.c hyp/mem/*.c hyp/hvc/*.c hyp/arch/fake/*.c) \
		tests/unit/lib/invariant.c tests/unit/lib/invariant_env.c tests/unit/lib/ptdec.c \
		tests/bench/bench_own.c
BENCH_CFLAGS := -std=gnu11 -O2 -g $(CORE_INC) -I$(TOP)/hyp/arch/fake -I$(TOP)/tests/unit/lib

.PHONY: bench bench-cg

# The core's attestation files need mbedtls: its sources (unpacked by scripts/mbedtls.sh for
# the host library, which is sanitizer-instrumented) compiled here without sanitizers.
BENCH_MBEDTLS := $(MBEDTLS_FILES)
$(BENCH_BIN): $(BENCH_SRC) $(wildcard hyp/include/hyp/*.h) include/lockstep/abi.h mk/bench.mk \
		| $(MBEDTLS_HOST)
	@mkdir -p $(BENCH_B)
	$(HOSTCC) $(BENCH_CFLAGS) $(MBEDTLS_INC) $(WARN) -o $@ $(BENCH_SRC) \
		$(patsubst %,$(MBEDTLS_B)/src/library/%.c,$(BENCH_MBEDTLS))

# bench-cg: the callgrind part alone. A valgrind run that fails (valgrind missing, the
# benchmark crashing) or reports no page or no instruction count stops it with its log,
# instead of printing zeros as figures.
bench: $(BENCH_BIN)
	@$(BENCH_BIN) | tee $(BENCH_B)/bench.txt
	@$(MAKE) --no-print-directory bench-cg

bench-cg: $(BENCH_BIN)
	@echo; echo "instructions per converted page (callgrind, $(BENCH_CG_MIB) MiB, bench_run() only):"
	@echo "(all: every instruction of bench_run(), the host's sorting included; el2: only those"
	@echo " inside hvc_handle(), the hypervisor's side of each call)"
	@printf '%-7s %12s %12s %8s %10s %10s %8s\n' pattern lockstep naive ratio el2-ls el2-naive ratio
	@: > $(BENCH_B)/cg.txt; for p in 2m alt4k rand4k; do \
		for v in ls nv; do \
			flag=; [ $$v = nv ] && flag=-n; \
			log=$(BENCH_B)/cg.$$p.$$v.log; \
			if ! valgrind --tool=callgrind --toggle-collect=bench_run \
				--callgrind-out-file=$(BENCH_B)/cg.$$p.$$v $(BENCH_BIN) -m $(BENCH_CG_MIB) \
				-p $$p $$flag > $$log 2>&1; then \
				echo "bench: valgrind $$p/$$v failed (see $$log):" >&2; tail -5 $$log >&2; \
				exit 1; fi; \
			pages=$$(sed -n 's/^pages //p' $$log); \
			ir=$$(sed -n 's/.*Collected : *//p' $$log); \
			case "$$pages.$$ir" in *[!0-9.]*|.*|*.|0.*|*.0) \
				echo "bench: $$p/$$v: no page count or instruction count (pages '$$pages'," \
					"Collected '$$ir'; see $$log)" >&2; exit 1 ;; esac; \
			el2=$$(callgrind_annotate --inclusive=yes $(BENCH_B)/cg.$$p.$$v 2>/dev/null | \
				awk '/hvc\/hvc.c:hvc_handle /{gsub(",","",$$1); print $$1; exit}'); \
			case "$$el2" in ''|*[!0-9]*) \
				echo "bench: $$p/$$v: no hvc_handle cost in the profile" >&2; exit 1 ;; esac; \
			eval ipp_$$v=$$(awk "BEGIN { printf \"%.0f\", $$ir / $$pages }"); \
			eval el2_$$v=$$(awk "BEGIN { printf \"%.0f\", $$el2 / $$pages }"); \
		done; \
		printf '%-7s %12s %12s %7sx %10s %10s %7sx\n' $$p $$ipp_ls $$ipp_nv \
			$$(awk "BEGIN { printf \"%.2f\", $$ipp_nv / $$ipp_ls }") $$el2_ls $$el2_nv \
			$$(awk "BEGIN { printf \"%.2f\", $$el2_nv / $$el2_ls }") | tee -a $(BENCH_B)/cg.txt; \
	done
	@cat $(BENCH_B)/cg.txt >> $(BENCH_B)/bench.txt

# Host DMA domains (tests/bench/bench_hdom.c): the core's side of each phase of make
# bench-iommu, EL2 instructions per chunk under callgrind (inclusive cost of each phase
# function), and the invalidation ranges and syncs the calls issue. BENCH_HDOM_MIB of IOVA.
BENCH_HDOM_BIN := $(BENCH_B)/bench_hdom
BENCH_HDOM_MIB ?= 64
BENCH_HDOM_SRC := $(filter-out tests/bench/bench_own.c,$(BENCH_SRC)) tests/bench/bench_hdom.c
.PHONY: bench-hdom
$(BENCH_HDOM_BIN): $(BENCH_HDOM_SRC) $(wildcard hyp/include/hyp/*.h) include/lockstep/abi.h \
		mk/bench.mk | $(MBEDTLS_HOST)
	@mkdir -p $(BENCH_B)
	$(HOSTCC) $(BENCH_CFLAGS) $(MBEDTLS_INC) $(WARN) -o $@ $(BENCH_HDOM_SRC) \
		$(patsubst %,$(MBEDTLS_B)/src/library/%.c,$(BENCH_MBEDTLS))

bench-hdom: $(BENCH_HDOM_BIN)
	@set -e; o=$(BENCH_B)/hdom; mkdir -p $$o; \
	valgrind --tool=callgrind --callgrind-out-file=$$o/cg $(BENCH_HDOM_BIN) \
		-m $(BENCH_HDOM_MIB) > $$o/run.txt 2> $$o/valgrind.log || \
		{ echo "bench-hdom: valgrind failed (see $$o/valgrind.log)" >&2; tail -5 $$o/valgrind.log >&2; exit 1; }; \
	callgrind_annotate --inclusive=yes $$o/cg > $$o/annotate.txt 2>/dev/null; \
	echo "host DMA domains, $(BENCH_HDOM_MIB) MiB of IOVA, core instructions per chunk (callgrind):"; \
	printf '%-5s %-10s %8s %7s %7s %7s %12s\n' chunk op chunks calls ranges syncs instr/chunk; \
	while read -r _ c _ op _ n _ calls _ ranges _ syncs; do \
		ir=$$(awk -v f="ph_$${c}_$$op" '$$0 ~ ":" f " " { gsub(",", "", $$1); print $$1; exit }' $$o/annotate.txt); \
		case "$$ir" in ''|*[!0-9]*) echo "bench-hdom: no cost for ph_$${c}_$$op" >&2; exit 1 ;; esac; \
		printf '%-5s %-10s %8s %7s %7s %7s %12s\n' $$c $$op $$n $$calls $$ranges $$syncs \
			$$(awk "BEGIN { printf \"%.0f\", $$ir / $$n }"); \
	done < $$o/run.txt | tee $$o/report.txt

# Per-function profile of each bench-hdom phase (tests/bench/hdom-prof.sh): self instructions
# per chunk of every function, and per group (engine, ownership, hdom+hvc, fake platform).
.PHONY: bench-hdom-prof
bench-hdom-prof: $(BENCH_HDOM_BIN)
	@mkdir -p $(BENCH_B)/hdom-prof
	@tests/bench/hdom-prof.sh $(BENCH_HDOM_BIN) $(BENCH_B)/hdom-prof $(BENCH_HDOM_MIB) > \
		$(BENCH_B)/hdom-prof/report.txt
	@cat $(BENCH_B)/hdom-prof/report.txt
