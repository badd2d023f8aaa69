# Toolchains and flags shared by every fragment.
CROSS     ?= aarch64-linux-gnu-
HOSTCC    ?= gcc
CLANG     ?= clang
DEPS      := $(B)/deps
KVER       = $(shell cat $(DEPS)/linux/KVER 2>/dev/null)
KDIR       = $(DEPS)/linux/usr/src/linux-headers-lockstep
KIMAGE     = $(DEPS)/linux/boot/vmlinuz-$(KVER)
GNUEFI    := $(DEPS)/gnu-efi/usr
BUSYBOX   := $(DEPS)/busybox/bin/busybox
AAVMF_CODE := /usr/share/AAVMF/AAVMF_CODE.fd
AAVMF_VARS := /usr/share/AAVMF/AAVMF_VARS.fd

# Warnings every C file in the tree is built with.
WARN := -Wall -Wextra -Werror -Wshadow -Wundef -Wmissing-prototypes -Wstrict-prototypes
# Extra warnings for the arch-neutral core (hyp/mmu, hyp/mem, hyp/hvc).
CORE_WARN := -Wconversion -Wsign-conversion

# Include paths: the ABI header dir (shared with host-driver) and the core headers.
CORE_INC := -I$(TOP)/include -I$(TOP)/hyp/include
