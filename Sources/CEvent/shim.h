#ifndef CEVENT_SHIM_H
#define CEVENT_SHIM_H
/* libevent's headers import into Swift as they are; this file only gathers them.
 * The function-like macros (evsignal_new, evtimer_new, evtimer_add) do not import,
 * so Transport/ calls event_new and event_add directly. */
#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#endif
