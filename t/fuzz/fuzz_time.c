/*
 * fuzz_time.c: dates and RFC 3339 date-times as the API takes them
 * (mq_valid_date, mq_valid_timestamp in http/form.c), against the
 * calendar of timegm(3).
 *
 * Input: the text.
 */
#include "harness.h"

#include <ctype.h>
#include <time.h>

#include "http/form.h"

/* n digits at s, as a number; -1 when they are not all digits. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

/* YYYY-MM-DD, a day the calendar has, in 1870 .. 2100: timegm() moves
 * an impossible day (Feb 30) to another one. */
static bool date_ok(const char *s, size_t n)
{
	struct tm tm = { 0 };
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1870 || y > 2100 || m < 1 || m > 12 || d < 1)
		return false;
	tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d, tm.tm_hour = 12;
	timegm(&tm);
	return tm.tm_year == y - 1900 && tm.tm_mon == m - 1 && tm.tm_mday == d;
}

/* date "T" hh:mm:ss [.1-9 digits] (Z | +hh:mm | -hh:mm), whole seconds
 * below 60 (no leap second) */
static bool timestamp_ok(const char *s)
{
	size_t n = strlen(s), frac = 0, zone;

	if (n < 20 || !date_ok(s, 10) || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return false;
	if (digits(s + 11, 2) < 0 || digits(s + 11, 2) > 23 || digits(s + 14, 2) < 0 ||
	    digits(s + 14, 2) > 59 || digits(s + 17, 2) < 0 || digits(s + 17, 2) > 59)
		return false;
	zone = 19;
	if (s[zone] == '.') {
		while (isdigit((unsigned char)s[zone + 1 + frac]))
			frac++;
		if (frac < 1 || frac > 9)
			return false;
		zone += 1 + frac;
	}
	if (strcmp(s + zone, "Z") == 0)
		return true;
	return n - zone == 6 && (s[zone] == '+' || s[zone] == '-') && s[zone + 3] == ':' &&
	       digits(s + zone + 1, 2) >= 0 && digits(s + zone + 1, 2) <= 23 &&
	       digits(s + zone + 4, 2) >= 0 && digits(s + zone + 4, 2) <= 59;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_arena *a = mq_arena_new(0);
	const char *s = fz_cstr(a, data, size);

	FZ_CHECK(mq_valid_date(s) == date_ok(s, strlen(s)));
	FZ_CHECK(mq_valid_timestamp(s) == timestamp_ok(s));
	mq_arena_destroy(a);
	return 0;
}
