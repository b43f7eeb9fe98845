/* The benchmark's yardstick: the smallest libmicrohttpd server that answers like the appliance.

   Same thread settings as the appliance (Sources/CHTTPShim/shim.c): MHD_USE_INTERNAL_POLLING_THREAD |
   MHD_USE_ITC (plus MHD_USE_ERROR_LOG, which costs nothing), MHD_OPTION_THREAD_POOL_SIZE from the
   command line. Each route answers with bytes read from files once at start (the appliance's own
   body and, optionally, its response headers as captured with curl), so the two servers put the
   same bytes on the wire and the only difference is the work done per request.

   Per request it does what any dynamic server must at least do: create a response over the
   in-memory body (MHD_RESPMEM_PERSISTENT: no copy), add the captured headers, queue it.

   Usage: reference PORT THREADS [PATH BODY_FILE HEADERS_FILE|-]...
     PORT 0 picks a free port. Prints "listening on 127.0.0.1:PORT" once ready and serves until
     SIGTERM or SIGINT. Unknown paths get 404. Listens on 127.0.0.1 only.
     HEADERS_FILE: curl -D output; the status line and hop-by-hop/length headers are skipped
     (libmicrohttpd writes Content-Length, Connection and Date itself).
   Build: cc -O2 -o reference reference.c -lmicrohttpd */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct header { char *name; char *value; } header;

typedef struct route {
    const char *path;
    char *body;
    size_t body_size;
    header *headers;
    size_t header_count;
    unsigned int status;
} route;

static route *routes;
static size_t route_count;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void)sig; stopping = 1; }

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return NULL; }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) { fclose(f); return NULL; }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    fclose(f);
    buf[n < cap ? n : cap - 1] = 0;
    *size = n;
    return buf;
}

static int skipped_header(const char *name) {
    static const char *const skip[] = { "content-length", "connection", "date", "transfer-encoding",
                                        "keep-alive", "set-cookie", NULL };
    for (int i = 0; skip[i]; i++) if (strcasecmp(name, skip[i]) == 0) return 1;
    return 0;
}

/* Parses curl -D output: "HTTP/1.1 200 OK\r\nName: value\r\n...". Keeps the last response block. */
static int load_headers(route *r, const char *path) {
    size_t size;
    char *text = read_file(path, &size);
    if (!text) return 0;
    char *line = text, *next;
    for (; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) line[--len] = 0;
        if (strncmp(line, "HTTP/", 5) == 0) {   /* a new response block: start over */
            r->header_count = 0;
            const char *sp = strchr(line, ' ');
            if (sp) r->status = (unsigned int)atoi(sp + 1);
            continue;
        }
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        char *value = colon + 1;
        while (*value == ' ') value++;
        if (skipped_header(line)) continue;
        r->headers = realloc(r->headers, (r->header_count + 1) * sizeof(header));
        if (!r->headers) return 0;
        r->headers[r->header_count].name = strdup(line);
        r->headers[r->header_count].value = strdup(value);
        r->header_count++;
    }
    free(text);
    return 1;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls) {
    (void)cls; (void)method; (void)version; (void)upload_data;
    if (*con_cls == NULL) { *con_cls = connection; return MHD_YES; }   /* headers only: wait for the end */
    *upload_data_size = 0;
    const route *found = NULL;
    for (size_t i = 0; i < route_count; i++)
        if (strcmp(url, routes[i].path) == 0) { found = &routes[i]; break; }
    static const char not_found[] = "not found\n";
    struct MHD_Response *response = found
        ? MHD_create_response_from_buffer(found->body_size, found->body, MHD_RESPMEM_PERSISTENT)
        : MHD_create_response_from_buffer(sizeof not_found - 1, (void *)not_found, MHD_RESPMEM_PERSISTENT);
    if (!response) return MHD_NO;
    if (found)
        for (size_t i = 0; i < found->header_count; i++)
            MHD_add_response_header(response, found->headers[i].name, found->headers[i].value);
    enum MHD_Result result = MHD_queue_response(connection, found ? found->status : 404, response);
    MHD_destroy_response(response);
    return result;
}

int main(int argc, char **argv) {
    if (argc < 3 || (argc - 3) % 3 != 0) {
        fprintf(stderr, "usage: %s PORT THREADS [PATH BODY_FILE HEADERS_FILE|-]...\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    int threads = atoi(argv[2]);
    if (port < 0 || port > 65535 || threads < 1 || threads > 256) {
        fprintf(stderr, "bad PORT or THREADS\n");
        return 2;
    }
    route_count = (size_t)(argc - 3) / 3;
    routes = calloc(route_count ? route_count : 1, sizeof(route));
    if (!routes) return 1;
    for (size_t i = 0; i < route_count; i++) {
        route *r = &routes[i];
        r->path = argv[3 + 3 * i];
        r->status = 200;
        r->body = read_file(argv[4 + 3 * i], &r->body_size);
        if (!r->body) return 1;
        const char *headers = argv[5 + 3 * i];
        if (strcmp(headers, "-") != 0 && !load_headers(r, headers)) return 1;
    }

    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    struct MHD_OptionItem options[4];
    int n = 0;
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &address };
    if (threads > 1)   /* as the appliance: a pool only above one thread */
        options[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, threads, NULL };
    options[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

    struct MHD_Daemon *daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, NULL,
                                                 MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    if (!daemon) { fprintf(stderr, "could not listen on 127.0.0.1:%d\n", port); return 1; }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on 127.0.0.1:%u\n", info ? (unsigned)info->port : (unsigned)port);
    fflush(stdout);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stopping) pause();
    MHD_stop_daemon(daemon);
    return 0;
}
