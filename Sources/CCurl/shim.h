#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
 * One typed wrapper per argument kind (the pattern of swift-corelibs-foundation's
 * _CFURLSessionInterface). A SwiftPM system library may hold headers only, so these
 * are static inline. https://curl.se/libcurl/c/curl_easy_setopt.html */

static inline CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_ptr(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode ccurl_easy_setopt_data_callback(CURL *h, CURLoption o, ccurl_data_callback cb) {
    return curl_easy_setopt(h, o, cb);
}
typedef int (*ccurl_progress_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode ccurl_easy_setopt_progress_callback(CURL *h, ccurl_progress_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}
static inline CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}

/* The profiler's libcurl, loaded with dlopen when `bench` runs: the daemon itself never maps
 * libcurl and the TLS, Kerberos and LDAP libraries it pulls in (about 5 MB of resident pages).
 * One table of entry points; the variadic setopt/getinfo are called through typed wrappers. */
#include <dlfcn.h>

typedef struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
} ccurl_api;

/* Fills `api` from libcurl.so.4; 0 on success, -1 (and dlerror() set) when it cannot. */
static inline int ccurl_api_load(ccurl_api *api) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return -1;
#define CCURL_SYM(field, name) if (!(*(void **)&api->field = dlsym(lib, name))) return -1;
    CCURL_SYM(global_init, "curl_global_init")
    CCURL_SYM(easy_init, "curl_easy_init")
    CCURL_SYM(easy_cleanup, "curl_easy_cleanup")
    CCURL_SYM(easy_setopt, "curl_easy_setopt")
    CCURL_SYM(easy_getinfo, "curl_easy_getinfo")
    CCURL_SYM(easy_strerror, "curl_easy_strerror")
    CCURL_SYM(slist_append, "curl_slist_append")
    CCURL_SYM(slist_free_all, "curl_slist_free_all")
    CCURL_SYM(multi_init, "curl_multi_init")
    CCURL_SYM(multi_add_handle, "curl_multi_add_handle")
    CCURL_SYM(multi_remove_handle, "curl_multi_remove_handle")
    CCURL_SYM(multi_perform, "curl_multi_perform")
    CCURL_SYM(multi_poll, "curl_multi_poll")
    CCURL_SYM(multi_info_read, "curl_multi_info_read")
    CCURL_SYM(multi_cleanup, "curl_multi_cleanup")
#undef CCURL_SYM
    return 0;
}

static inline const char *ccurl_api_error(void) { const char *e = dlerror(); return e ? e : "unknown error"; }

static inline CURLcode ccurl_api_setopt_long(const ccurl_api *a, CURL *h, CURLoption o, long v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode ccurl_api_setopt_string(const ccurl_api *a, CURL *h, CURLoption o, const char *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode ccurl_api_setopt_ptr(const ccurl_api *a, CURL *h, CURLoption o, void *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode ccurl_api_setopt_slist(const ccurl_api *a, CURL *h, CURLoption o, struct curl_slist *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode ccurl_api_setopt_off(const ccurl_api *a, CURL *h, CURLoption o, curl_off_t v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode ccurl_api_setopt_data_callback(const ccurl_api *a, CURL *h, CURLoption o, ccurl_data_callback cb) {
    return a->easy_setopt(h, o, cb);
}
static inline CURLcode ccurl_api_getinfo_long(const ccurl_api *a, CURL *h, CURLINFO i, long *v) {
    return a->easy_getinfo(h, i, v);
}
#endif
