/*
 * hop: the floor of a FastCGI hop, for bench/run.sh's `hop` target.
 *
 * One thread, one epoll set, level-triggered: nginx's connections are accepted, each request is given to one of N kept connections to
 * one `php-cgi -b` with N children, the worker's records go back unchanged, and the
 * worker is free again when its FCGI_END_REQUEST has been passed on. Nothing else:
 * no parameters parsed, no logging, no timers. What it costs per request is what any
 * process manager that ends nginx's connections itself must at least pay on the
 * machine it runs on (the system calls of the hop), which is what jfpm's master is
 * measured against in docs/performance.md.
 *
 * usage: hop LISTEN_SOCKET BACKEND_SOCKET N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BUF (64 * 1024)
#define MAXW 256

enum kind { LISTENER, FRONT, WORKER };

struct conn {
    enum kind kind;
    int fd;
    struct conn *peer;      /* the worker of a front connection in a request, and back */
    unsigned char buf[BUF]; /* bytes read from this connection, not yet written to the peer */
    size_t off, len;
    /* record scanner over what this connection sends */
    unsigned char head[8];
    int have;               /* header bytes collected */
    size_t skip;            /* content and padding left of the current record */
    int keep;               /* front: FCGI_KEEP_CONN of its current request */
    long begin;             /* front without a worker: offset of a BEGIN_REQUEST header in buf, or -1 */
    int ended;              /* worker: END_REQUEST seen in buf */
    int busy;               /* worker: given to a request (not in the idle list) */
    int queued;
    int dead;               /* front: closed in this round of events, freed after it */
    struct conn *next;      /* idle workers, queued fronts, the dead */
};

static int ep;
static const char *backend;
static struct conn *idle, *queue_head, *queue_tail, *dead;

static void die(const char *what) { perror(what); exit(1); }

static void watch(struct conn *c, int op, uint32_t events) {
    struct epoll_event e = { .events = events, .data.ptr = c };
    if (epoll_ctl(ep, op, c->fd, &e) < 0) die("epoll_ctl");
}

static int unix_socket(const char *path, int bind_it) {
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    if (bind_it) {
        unlink(path);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1024) < 0) die("bind");
        chmod(path, 0666); /* nginx's workers run as another user */
        return fd;
    }
    for (int i = 0; connect(fd, (struct sockaddr *)&a, sizeof a) < 0; i++) {
        if (i == 500) die("connect");
        struct timespec t = { 0, 10 * 1000 * 1000 };
        nanosleep(&t, NULL);
    }
    return fd;
}

/* Scans bytes [from, len) of c->buf; front: sets FCGI_KEEP_CONN towards the worker, worker: finds END_REQUEST. */
static void scan(struct conn *c, size_t from) {
    for (size_t i = from; i < c->len;) {
        if (c->skip) {
            size_t n = c->len - i < c->skip ? c->len - i : c->skip;
            size_t at = (((size_t)c->head[4] << 8 | c->head[5]) + c->head[6]) - c->skip; /* offset in the record */
            if (c->kind == FRONT && c->head[1] == 1 && at <= 2 && at + n > 2) {
                c->keep = c->buf[i + 2 - at] & 1;
                c->buf[i + 2 - at] |= 1; /* the worker keeps its connection */
            }
            c->skip -= n;
            i += n;
            if (c->skip == 0 && c->kind == WORKER && c->head[1] == 3) c->ended = 1; /* all of END_REQUEST */
            continue;
        }
        c->head[c->have++] = c->buf[i++];
        if (c->have == 8) {
            c->have = 0;
            if (c->kind == FRONT && c->head[1] == 1 && !c->peer && c->begin < 0) c->begin = (long)i - 8;
            c->skip = ((size_t)c->head[4] << 8 | c->head[5]) + c->head[6];
        }
    }
}

static void flush(struct conn *from);

/* Closed now, freed after this round of epoll events: a later event of the same round may name it. */
static void close_front(struct conn *f) {
    close(f->fd);
    f->dead = 1;
    f->next = dead;
    dead = f;
}

static void give_worker(struct conn *f) {
    if (idle) {
        struct conn *w = idle;
        idle = w->next;
        w->busy = 1;
        w->peer = f;
        f->peer = w;
        flush(f);
    } else if (!f->queued) {
        f->queued = 1;
        f->next = NULL;
        if (queue_tail) queue_tail->next = f; else queue_head = f;
        queue_tail = f;
        watch(f, EPOLL_CTL_MOD, 0); /* nothing more from it until it has a worker */
    }
}

static void worker_free(struct conn *w) {
    w->busy = 0;
    w->peer = NULL;
    w->ended = 0;
    if (queue_head) {
        struct conn *f = queue_head;
        queue_head = f->next;
        if (!queue_head) queue_tail = NULL;
        f->queued = 0;
        watch(f, EPOLL_CTL_MOD, EPOLLIN);
        w->busy = 1;
        w->peer = f;
        f->peer = w;
        flush(f);
    } else {
        w->next = idle;
        idle = w;
    }
}

/*
 * Writes what `from` holds to its peer. Writes block: php-cgi reads a request's body
 * before it answers and nginx always reads, so a blocked write always ends, and a
 * relay for a measurement needs no write-readiness bookkeeping.
 */
static void flush(struct conn *from) {
    struct conn *to = from->peer;
    while (from->off < from->len) {
        ssize_t n = write(to->fd, from->buf + from->off, from->len - from->off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break; /* the peer is gone: drop */
        from->off += n;
    }
    from->off = from->len = 0;
    if (from->kind == WORKER && from->ended) {
        struct conn *f = from->peer;
        f->peer = NULL;
        if (!f->keep) close_front(f);
        worker_free(from);
    }
}

static void readable(struct conn *c) {
    if (c->dead) return;
    ssize_t n = read(c->fd, c->buf + c->len, BUF - c->len);
    if (n <= 0) {
        if (n < 0 && errno == EINTR) return;
        if (c->kind == WORKER) { /* a new connection to the backend; its request fails */
            fprintf(stderr, "hop: worker closed\n");
            close(c->fd);
            c->fd = unix_socket(backend, 0);
            watch(c, EPOLL_CTL_ADD, EPOLLIN);
            if (c->peer) close_front(c->peer);
            c->off = c->len = c->have = c->skip = c->ended = 0;
            if (c->busy) worker_free(c); /* an idle one is in the idle list already */
            return;
        }
        if (c->peer) { /* the worker's answer is dropped when it comes: keep it busy until then */
            c->peer->peer = NULL;
        }
        if (c->queued) { /* out of the queue */
            struct conn **p = &queue_head, *prev = NULL;
            while (*p != c) { prev = *p; p = &(*p)->next; }
            *p = c->next;
            if (queue_tail == c) queue_tail = prev;
        }
        close_front(c);
        return;
    }
    size_t from = c->len;
    c->len += n;
    scan(c, from);
    if (c->kind == WORKER) {
        if (c->peer) flush(c);
        else { c->off = c->len = 0; if (c->ended) worker_free(c); }
    } else if (c->peer) {
        flush(c);
    } else if (c->begin < 0) {
        c->off = c->len = 0; /* what follows a request (its last empty STDIN record): not for any worker */
    } else {
        if (c->begin > 0) {
            memmove(c->buf, c->buf + c->begin, c->len - c->begin);
            c->len -= c->begin;
        }
        c->begin = -1;
        give_worker(c);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: hop LISTEN_SOCKET BACKEND_SOCKET N\n"); return 64; }
    signal(SIGPIPE, SIG_IGN);
    int n = atoi(argv[3]);
    if (n < 1 || n > MAXW) { fprintf(stderr, "hop: N out of range\n"); return 64; }
    backend = argv[2];
    ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < n; i++) {
        struct conn *w = calloc(1, sizeof *w);
        w->kind = WORKER;
        w->fd = unix_socket(argv[2], 0);
        watch(w, EPOLL_CTL_ADD, EPOLLIN);
        w->next = idle;
        idle = w;
    }
    struct conn *l = calloc(1, sizeof *l);
    l->kind = LISTENER;
    l->fd = unix_socket(argv[1], 1);
    watch(l, EPOLL_CTL_ADD, EPOLLIN);
    struct epoll_event ev[64];
    for (;;) {
        int k = epoll_wait(ep, ev, 64, -1);
        for (int i = 0; i < k; i++) {
            struct conn *c = ev[i].data.ptr;
            if (c->kind == LISTENER) {
                int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0) continue;
                struct conn *f = calloc(1, sizeof *f);
                f->kind = FRONT;
                f->fd = fd;
                f->begin = -1;
                watch(f, EPOLL_CTL_ADD, EPOLLIN);
            } else {
                readable(c);
            }
        }
        while (dead) { struct conn *d = dead; dead = d->next; free(d); }
    }
}
