/*
 * banned.h: functions that make buffer overflows easy, banned at compile
 * time (after git's banned.h).  Use snprintf, mq_strlcpy, mq_arena_printf
 * or the buffer helpers instead.
 */
#ifndef MQ_BANNED_H
#define MQ_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_marquee

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
