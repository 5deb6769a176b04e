#ifndef CEVENT_SHIM_H
#define CEVENT_SHIM_H
/* libevent's headers import into Swift as they are; this file only gathers them.
 * The function-like macros (evsignal_new, evtimer_new, evtimer_add) do not import,
 * so Transport/ calls event_new and event_add directly.
 *
 * The system headers come first, on purpose: event2/event-config.h defines _GNU_SOURCE
 * before it includes <sys/time.h>, which would give this module an fd_set that differs
 * from Glibc's and Dispatch's ("fds_bits ... is not present in definition of fd_set").
 * Included here first, they take the same feature macros as every other module. */
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <inttypes.h>
#include <errno.h>
#include <time.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netdb.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <event2/listener.h>
#endif
