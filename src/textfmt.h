/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Numbers and strings as the control replies show them, pure: shared by
 * status.c (status, metrics) and meshfmt.c (mesh), so both say a time the
 * same way.
 */
#ifndef MR_TEXTFMT_H
#define MR_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Microseconds as milliseconds without trailing zeros: "20", "3.3", "0.045". Also a JSON number. */
const char *fmt_ms(uint64_t us, char *buf, size_t len);
/* An age: "850ms", "12.3s", "5m02s", "3h04m", "2d03h". */
const char *fmt_age(uint64_t us, char *buf, size_t len);
/* s as a JSON string, quotes included: '"' and '\' escaped, control characters as \u00XX. */
void fmt_json_string(const char *s, FILE *out);
/*
 * s as a Prometheus label value (text format 0.0.4), quotes included:
 * backslash, double quote and newline escaped, nothing else.
 */
void fmt_prom_value(const char *s, FILE *out);

#endif
