// SPDX-License-Identifier: MIT
//
// Port I/O (IN/OUT of 8, 16 and 32 bits) and physical memory access for
// guests. Guests run with paging off, so a physical address is a pointer.
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include "lib/types.h"

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 mmio_read32(u32 addr)
{
	return *(volatile u32 *)addr;
}

static inline void mmio_write32(u32 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

#endif
