/* The floor for the proxy's own paths (bench/health_floor.py): a bare libevent evhttp server
 * answering GET /health with the proxy's body, one event loop, nothing else.
 *   evhttp_floor PORT [TIMEOUT [changelist]]
 * With TIMEOUT, connections get evhttp's read/write timeout as the proxy's do (its
 * --connection-timeout, 60 s by default): every read and write then re-arms a timer. With
 * `changelist`, epoll's changes are batched per loop turn, as the proxy's loop does. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void health(struct evhttp_request *req, void *arg) {
    (void)arg;
    struct evbuffer *body = evbuffer_new();
    evbuffer_add_printf(body, "{\"status\":\"ok\",\"upstream\":\"anthropic\"}");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, 200, "OK", body);
    evbuffer_free(body);
}

static void stop(evutil_socket_t fd, short what, void *base) {
    (void)fd; (void)what;
    event_base_loopbreak(base);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    struct event_config *config = event_config_new();
    if (!config) return 1;
    if (argc > 3 && strcmp(argv[3], "changelist") == 0
        && event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0) return 1;
    struct event_base *base = event_base_new_with_config(config);
    event_config_free(config);
    if (!base) return 1;
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, health, NULL);
    if (argc > 2) evhttp_set_timeout(http, atoi(argv[2]));
    struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", port);
    if (!bound) return 1;
    struct sockaddr_storage address;
    ev_socklen_t length = sizeof address;
    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&address, &length);
    printf("listening on %d\n", ntohs(((struct sockaddr_in *)&address)->sin_port));
    fflush(stdout);
    struct event *term = evsignal_new(base, SIGTERM, stop, base);
    event_add(term, NULL);
    event_base_dispatch(base);
    event_free(term);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}
