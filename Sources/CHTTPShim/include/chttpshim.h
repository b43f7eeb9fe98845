#ifndef CHTTPSHIM_H
#define CHTTPSHIM_H
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

/* One name/value pair (header, query argument, cookie). Strings are NUL-terminated. */
typedef struct chs_pair {
    const char *name;
    const char *value;
} chs_pair;

/* One form field from MHD's post processor. `data` may contain NULs (file uploads); use `size`. */
typedef struct chs_field {
    char *name;
    char *filename;      /* NULL unless a file */
    char *content_type;  /* NULL unless given */
    char *data;
    size_t size;
} chs_field;

/* A complete request, valid only during the handler call. */
typedef struct chs_request {
    const char *method;
    const char *url;
    char remote_address[64];
    chs_pair *headers; size_t header_count;
    chs_pair *query; size_t query_count;
    chs_field *fields; size_t field_count;
    char *body; size_t body_size;       /* raw body when it was not a form */
    int body_too_large;                 /* the body went over the limit for this request: answer 413 */
    size_t body_limit;                  /* the limit that applied to this request's body */
    int form_parse_failed;              /* the form could not be parsed */
} chs_request;

/* Called once per request on one of MHD's threads. Returns the HTTP status and sets *response
   (built with MHD_create_response_from_buffer); the shim queues and destroys it. */
typedef unsigned int (*chs_handler)(void *context, const chs_request *request, struct MHD_Response **response);

/* Called once the headers of a request with a body are in, before any of the body is read: how many
   bytes of body this request may send (at most the configured maximum). `cookie` may be NULL. */
typedef size_t (*chs_body_limit)(void *context, const char *method, const char *url, const char *cookie);

/* TLS 1.2 and 1.3 only, forward-secret AEAD suites only (no CBC, no SHA-1 MACs, no RSA key exchange). */
#define CHS_TLS_PRIORITIES "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:%SERVER_PRECEDENCE"

typedef struct chs_config {
    const char *address;                /* IPv4 or IPv6 literal, e.g. "127.0.0.1" or "::" */
    uint16_t port;                      /* 0: any free port (see chs_bound_port) */
    unsigned int thread_pool_size;
    unsigned int connection_limit;
    unsigned int per_ip_connection_limit;
    unsigned int connection_timeout_seconds;  /* a silent connection is closed after this */
    unsigned int header_timeout_seconds;      /* a request's headers must be complete within this (0: no limit) */
    unsigned int body_timeout_seconds;        /* and its body within this after the headers (0: no limit) */
    size_t connection_memory_limit;
    size_t max_body_size;
    const char *tls_key_pem;            /* both NULL: plain HTTP */
    const char *tls_cert_pem;
    const char *tls_priorities;         /* GnuTLS priority string; NULL: CHS_TLS_PRIORITIES */
} chs_config;

typedef struct chs_server chs_server;

/* Starts a daemon. On failure returns NULL and writes a reason into `error` (size `error_size`). */
chs_server *chs_start(const chs_config *config, chs_handler handler, chs_body_limit body_limit, void *context,
                      char *error, size_t error_size);
/* The port actually bound. */
uint16_t chs_bound_port(chs_server *server);
/* Requests being handled or answered right now. */
long chs_in_flight(chs_server *server);
/* Connections the watchdog has cut for being too slow to send their headers or body. */
long chs_cut_connections(chs_server *server);
/* Stops accepting connections; requests already running carry on. */
void chs_quiesce(chs_server *server);
/* Stops the daemon and frees it. */
void chs_stop(chs_server *server);
/* A response whose body is copied from `data`. */
struct MHD_Response *chs_response_copy(const void *data, size_t size);
/* The libmicrohttpd version string. */
const char *chs_mhd_version(void);

#endif
