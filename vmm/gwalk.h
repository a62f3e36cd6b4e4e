/* SPDX-License-Identifier: MIT */
/*
 * Guest linear -> guest physical translation by walking the guest's own
 * page tables in whatever mode it is in: none (paging off), 32-bit (with
 * 4 MiB pages under CR4.PSE), PAE, and 4-level long mode (Intel SDM Vol. 3A
 * §4.3-4.5). Table entries are read through gmem, so a guest pointing its
 * tables outside its RAM just fails to translate.
 */
#ifndef VMM_GWALK_H
#define VMM_GWALK_H

#include "kernel/types.h"

struct vcpu;

enum gwalk_access {
	GWALK_READ,
	GWALK_WRITE,
	GWALK_FETCH,
};

/* False when @lin is not mapped (or the tables are not in RAM). */
bool gwalk_translate(struct vcpu *v, u64 lin, enum gwalk_access acc, u64 *gpa);

#endif
