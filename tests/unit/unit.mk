# SPDX-License-Identifier: MIT
#
# Host unit tests (cmocka). Each test tests/unit/test_<name>.c is built
# together with the production sources listed in unit_<name>_SRCS and run
# by tests/check.sh. They are compiled for the host with sanitizers;
# -DHV_HOST_TEST lets a production file leave out hardware access.

UNIT_TESTS :=
include tests/unit/tests.mk

UNIT_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -DHV_HOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
UNIT_BINS := $(addprefix $(BUILD)/tests/unit/test_,$(UNIT_TESTS))

.PHONY: unit-build
unit-build: $(UNIT_BINS)

.SECONDEXPANSION:
$(BUILD)/tests/unit/test_%: tests/unit/test_%.c $$(unit_$$*_SRCS) $$(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(unit_$*_SRCS) -lcmocka
