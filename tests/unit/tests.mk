# SPDX-License-Identifier: MIT
# One block per unit test: its name and the production sources it compiles.

UNIT_TESTS += config
unit_config_SRCS := kernel/config.c
