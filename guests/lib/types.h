// SPDX-License-Identifier: MIT
//
// Fixed-width integer types and a few attributes for the guest library.
// Guests are freestanding 32-bit programs: only the compiler's own
// freestanding headers are used, never a C library.
#ifndef GUEST_TYPES_H
#define GUEST_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define noreturn __attribute__((noreturn))
#define packed __attribute__((packed))
#define aligned(n) __attribute__((aligned(n)))
#define printf_like(f, a) __attribute__((format(printf, f, a)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
