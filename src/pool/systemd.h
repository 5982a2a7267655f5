/*
 * systemd.h: readiness notification (sd_notify(3)) without libsystemd.
 */
#ifndef MQ_SYSTEMD_H
#define MQ_SYSTEMD_H

/* Sends state ("READY=1", "RELOADING=1", "STOPPING=1") to $NOTIFY_SOCKET.
 * Does nothing when not started by systemd with Type=notify. */
void mq_sd_notify(const char *state);

#endif
