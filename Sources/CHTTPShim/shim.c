/* A thin layer between libmicrohttpd's callback API and Swift. libmicrohttpd calls the access
   handler several times per request (headers, then body chunks, then a final call); this file
   gathers everything into one chs_request and calls the Swift handler once, on the final call.
   Form bodies go through MHD's post processor (urlencoded and multipart).

   Nothing a client that has not signed in sends is gathered beyond a small bound: the body limit is
   asked of Swift (chs_body_limit) as soon as the headers are in, before any of the body is read, and a
   request over it is answered 413 at once. libmicrohttpd's own timeout only ends a connection that is
   silent, so a client sending one header byte every few seconds could hold a connection for ever; a
   watchdog thread (below) cuts any connection whose headers are not complete within a deadline, or
   whose body is not complete within a longer one. */
#include "chttpshim.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <pthread.h>
#include <time.h>
#include <errno.h>

/* One open connection as the watchdog sees it: the phase it is in and when that phase began. */
typedef enum { PHASE_HEADERS, PHASE_BODY, PHASE_ANSWERING } connection_phase;
typedef struct tracked_connection {
    struct tracked_connection *previous, *next;
    MHD_socket fd;
    connection_phase phase;
    double phase_started;
    int cut;
} tracked_connection;

struct chs_server {
    struct MHD_Daemon *daemon;
    chs_handler handler;
    chs_body_limit body_limit;
    void *context;
    size_t max_body_size;
    unsigned int connection_limit;
    unsigned int header_timeout_seconds;
    unsigned int body_timeout_seconds;
    atomic_long in_flight;
    atomic_long cut_connections;
    char *tls_key;
    char *tls_cert;
    char *tls_priorities;
    /* The watchdog's list of open connections, guarded by `lock`. */
    pthread_mutex_t lock;
    tracked_connection *connections;
    unsigned int connection_count;
    pthread_t watchdog;
    int watchdog_running;
    atomic_int stopping;
};

typedef struct connection_state {
    struct MHD_PostProcessor *post;
    chs_field *fields; size_t field_count, field_capacity;
    char *body; size_t body_size, body_capacity;
    size_t received;
    size_t limit;
    int too_large;
    int parse_failed;
    int answered;
} connection_state;

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static tracked_connection *tracked(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? (tracked_connection *)info->socket_context : NULL;
}

static void set_phase(chs_server *server, struct MHD_Connection *connection, connection_phase phase) {
    tracked_connection *entry = tracked(connection);
    if (!entry) return;
    pthread_mutex_lock(&server->lock);
    entry->phase = phase;
    entry->phase_started = monotonic_seconds();
    pthread_mutex_unlock(&server->lock);
}

static void notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                              enum MHD_ConnectionNotificationCode code) {
    chs_server *server = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        tracked_connection *entry = calloc(1, sizeof *entry);
        if (!entry) return;
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        entry->fd = info ? info->connect_fd : MHD_INVALID_SOCKET;
        entry->phase = PHASE_HEADERS;
        entry->phase_started = monotonic_seconds();
        pthread_mutex_lock(&server->lock);
        entry->next = server->connections;
        if (server->connections) server->connections->previous = entry;
        server->connections = entry;
        server->connection_count++;
        pthread_mutex_unlock(&server->lock);
        *socket_context = entry;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        tracked_connection *entry = *socket_context;
        if (!entry) return;
        /* libmicrohttpd calls this before it closes the socket, and the watchdog only touches a socket
           while holding the lock, so it never shuts down a descriptor that has been reused. */
        pthread_mutex_lock(&server->lock);
        if (entry->previous) entry->previous->next = entry->next; else server->connections = entry->next;
        if (entry->next) entry->next->previous = entry->previous;
        server->connection_count--;
        pthread_mutex_unlock(&server->lock);
        free(entry);
        *socket_context = NULL;
    }
}

/* Twice a second: shut down connections past their phase's deadline; libmicrohttpd then sees the
   socket closed and cleans up on its own thread. When more than three quarters of the connection cap
   is in use, headers get 2 seconds instead of the configured deadline. */
static void *watchdog_main(void *cls) {
    chs_server *server = cls;
    while (!atomic_load(&server->stopping)) {
        struct timespec pause = { 0, 500 * 1000 * 1000 };
        nanosleep(&pause, NULL);
        double now = monotonic_seconds();
        pthread_mutex_lock(&server->lock);
        int crowded = server->connection_limit && server->connection_count * 4 > server->connection_limit * 3;
        double header_deadline = crowded ? 2.0 : (double)server->header_timeout_seconds;
        for (tracked_connection *entry = server->connections; entry; entry = entry->next) {
            if (entry->cut || entry->fd == MHD_INVALID_SOCKET) continue;
            double age = now - entry->phase_started;
            int late = (entry->phase == PHASE_HEADERS && server->header_timeout_seconds && age > header_deadline)
                    || (entry->phase == PHASE_BODY && server->body_timeout_seconds && age > (double)server->body_timeout_seconds);
            if (late) {
                shutdown(entry->fd, SHUT_RDWR);
                entry->cut = 1;
                atomic_fetch_add(&server->cut_connections, 1);
            }
        }
        pthread_mutex_unlock(&server->lock);
    }
    return NULL;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int grow(void **buffer, size_t *capacity, size_t needed, size_t element) {
    if (needed <= *capacity) return 1;
    size_t next = *capacity ? *capacity * 2 : 8;
    while (next < needed) next *= 2;
    void *p = realloc(*buffer, next * element);
    if (!p) return 0;
    *buffer = p;
    *capacity = next;
    return 1;
}

static enum MHD_Result post_iterator(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                     const char *content_type, const char *transfer_encoding,
                                     const char *data, uint64_t off, size_t size) {
    (void)kind; (void)transfer_encoding;
    connection_state *state = cls;
    chs_field *last = state->field_count ? &state->fields[state->field_count - 1] : NULL;
    /* A later chunk of the same field continues it. */
    if (off > 0 && last && key && strcmp(last->name, key) == 0) {
        char *p = realloc(last->data, last->size + size + 1);
        if (!p) return MHD_NO;
        memcpy(p + last->size, data, size);
        last->size += size;
        p[last->size] = 0;
        last->data = p;
        return MHD_YES;
    }
    if (!grow((void **)&state->fields, &state->field_capacity, state->field_count + 1, sizeof(chs_field))) return MHD_NO;
    chs_field *field = &state->fields[state->field_count++];
    field->name = strdup(key ? key : "");
    field->filename = dup_or_null(filename);
    field->content_type = dup_or_null(content_type);
    field->data = malloc(size + 1);
    if (!field->data) return MHD_NO;
    if (size) memcpy(field->data, data, size);
    field->data[size] = 0;
    field->size = size;
    return MHD_YES;
}

typedef struct pair_list { chs_pair *items; size_t count, capacity; } pair_list;

static enum MHD_Result collect_pair(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    pair_list *list = cls;
    if (!grow((void **)&list->items, &list->capacity, list->count + 1, sizeof(chs_pair))) return MHD_NO;
    list->items[list->count].name = key ? key : "";
    list->items[list->count].value = value ? value : "";
    list->count++;
    return MHD_YES;
}

static void free_state(connection_state *state) {
    if (!state) return;
    if (state->post) MHD_destroy_post_processor(state->post);
    for (size_t i = 0; i < state->field_count; i++) {
        free(state->fields[i].name);
        free(state->fields[i].filename);
        free(state->fields[i].content_type);
        free(state->fields[i].data);
    }
    free(state->fields);
    free(state->body);
    free(state);
}

static enum MHD_Result answer(chs_server *server, struct MHD_Connection *connection, const char *url,
                              const char *method, connection_state *state) {
    chs_request request;
    memset(&request, 0, sizeof request);
    request.method = method;
    request.url = url;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, request.remote_address, sizeof request.remote_address);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, request.remote_address, sizeof request.remote_address);
    }
    pair_list headers = {0}, query = {0};
    MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_pair, &headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_pair, &query);
    request.headers = headers.items; request.header_count = headers.count;
    request.query = query.items; request.query_count = query.count;
    request.fields = state->fields; request.field_count = state->field_count;
    request.body = state->body; request.body_size = state->body_size;
    request.body_too_large = state->too_large;
    request.body_limit = state->limit;
    request.form_parse_failed = state->parse_failed;

    set_phase(server, connection, PHASE_ANSWERING);
    struct MHD_Response *response = NULL;
    unsigned int status = server->handler(server->context, &request, &response);
    free(headers.items);
    free(query.items);
    state->answered = 1;
    if (!response) {
        response = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        if (!response) return MHD_NO;
        if (status == 0) status = 500;
    }
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                                      const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
    (void)version;
    chs_server *server = cls;
    connection_state *state = *con_cls;
    if (!state) {
        /* First call: headers only. */
        state = calloc(1, sizeof *state);
        if (!state) return MHD_NO;
        *con_cls = state;
        atomic_fetch_add(&server->in_flight, 1);
        set_phase(server, connection, PHASE_BODY);
        const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *chunked = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        unsigned long long declared = length ? strtoull(length, NULL, 10) : 0;
        state->limit = server->max_body_size;
        if ((declared > 0 || chunked) && server->body_limit) {
            /* A body is coming: ask how much this request may send (small unless signed in). */
            const char *cookie = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
            size_t limit = server->body_limit(server->context, method, url, cookie);
            if (limit < state->limit) state->limit = limit;
        }
        if (declared > state->limit) {
            /* Declared too large: answer before the body is sent (a client waiting for
               "100 Continue" then sends nothing). */
            state->too_large = 1;
            return answer(server, connection, url, method, state);
        }
        if (!state->too_large && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0))
            state->post = MHD_create_post_processor(connection, 16 * 1024, post_iterator, state);
        return MHD_YES;
    }
    if (state->answered) { *upload_data_size = 0; return MHD_YES; }
    if (*upload_data_size) {
        size_t size = *upload_data_size;
        *upload_data_size = 0;
        state->received += size;
        if (state->received > state->limit) state->too_large = 1;
        if (state->too_large) {
            /* Answer now; libmicrohttpd discards the rest of the upload and closes the connection. */
            return answer(server, connection, url, method, state);
        }
        if (state->post) {
            if (MHD_post_process(state->post, upload_data, size) != MHD_YES) state->parse_failed = 1;
        } else {
            if (!grow((void **)&state->body, &state->body_capacity, state->body_size + size + 1, 1)) return MHD_NO;
            memcpy(state->body + state->body_size, upload_data, size);
            state->body_size += size;
            state->body[state->body_size] = 0;
        }
        return MHD_YES;
    }
    return answer(server, connection, url, method, state);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                              enum MHD_RequestTerminationCode code) {
    (void)connection; (void)code;
    chs_server *server = cls;
    if (*con_cls) {
        free_state(*con_cls);
        *con_cls = NULL;
        atomic_fetch_sub(&server->in_flight, 1);
    }
    /* A kept-alive connection now waits for its next request's headers, under the header deadline. */
    set_phase(server, connection, PHASE_HEADERS);
}

static void free_server(chs_server *server) {
    pthread_mutex_destroy(&server->lock);
    free(server->tls_key);
    free(server->tls_cert);
    free(server->tls_priorities);
    free(server);
}

chs_server *chs_start(const chs_config *config, chs_handler handler, chs_body_limit body_limit, void *context,
                      char *error, size_t error_size) {
    chs_server *server = calloc(1, sizeof *server);
    if (!server) { snprintf(error, error_size, "out of memory"); return NULL; }
    server->handler = handler;
    server->body_limit = body_limit;
    server->context = context;
    server->max_body_size = config->max_body_size;
    server->connection_limit = config->connection_limit;
    server->header_timeout_seconds = config->header_timeout_seconds;
    server->body_timeout_seconds = config->body_timeout_seconds;
    atomic_init(&server->in_flight, 0);
    atomic_init(&server->cut_connections, 0);
    atomic_init(&server->stopping, 0);
    pthread_mutex_init(&server->lock, NULL);

    struct sockaddr_storage address;
    memset(&address, 0, sizeof address);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    const char *host = config->address && *config->address ? config->address : "127.0.0.1";
    struct sockaddr_in *v4 = (struct sockaddr_in *)&address;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&address;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(config->port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(config->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(error, error_size, "'%s' is not an IP address to listen on", host);
        free_server(server);
        return NULL;
    }
    if (config->tls_key_pem && config->tls_cert_pem) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            snprintf(error, error_size, "this libmicrohttpd was built without TLS support");
            free_server(server);
            return NULL;
        }
        flags |= MHD_USE_TLS;
        server->tls_key = strdup(config->tls_key_pem);
        server->tls_cert = strdup(config->tls_cert_pem);
        server->tls_priorities = strdup(config->tls_priorities && *config->tls_priorities ? config->tls_priorities : CHS_TLS_PRIORITIES);
    }
    struct MHD_OptionItem options[16];
    int n = 0;
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &address };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, server };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, server };
    if (config->thread_pool_size > 1)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, config->thread_pool_size, NULL };
    if (config->connection_limit)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, config->connection_limit, NULL };
    if (config->per_ip_connection_limit)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, config->per_ip_connection_limit, NULL };
    if (config->connection_timeout_seconds)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, config->connection_timeout_seconds, NULL };
    if (config->connection_memory_limit)
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)config->connection_memory_limit, NULL };
    if (server->tls_key) {
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, server->tls_key };
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, server->tls_cert };
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, server->tls_priorities };
    }
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

    server->daemon = MHD_start_daemon(flags, config->port, NULL, NULL, access_handler, server,
                                      MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    if (!server->daemon) {
        snprintf(error, error_size, "could not listen on %s port %u (in use, not this machine's address, or a bad certificate)",
                 host, (unsigned)config->port);
        free_server(server);
        return NULL;
    }
    if (server->header_timeout_seconds || server->body_timeout_seconds)
        server->watchdog_running = pthread_create(&server->watchdog, NULL, watchdog_main, server) == 0;
    return server;
}

uint16_t chs_bound_port(chs_server *server) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

long chs_in_flight(chs_server *server) { return atomic_load(&server->in_flight); }

void chs_quiesce(chs_server *server) {
    if (server && server->daemon) MHD_quiesce_daemon(server->daemon);
}

long chs_cut_connections(chs_server *server) { return atomic_load(&server->cut_connections); }

void chs_stop(chs_server *server) {
    if (!server) return;
    atomic_store(&server->stopping, 1);
    if (server->watchdog_running) pthread_join(server->watchdog, NULL);
    if (server->daemon) MHD_stop_daemon(server->daemon);
    free_server(server);
}

const char *chs_mhd_version(void) { return MHD_get_version(); }

struct MHD_Response *chs_response_copy(const void *data, size_t size) {
    return MHD_create_response_from_buffer(size, (void *)data, MHD_RESPMEM_MUST_COPY);
}
