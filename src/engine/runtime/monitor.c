/*
 * berth-monitor: one per container. It detaches from the engine, runs `runc run` for the container with the
 * container's stdout and stderr on pipes it holds, writes them to the container's log file in Docker's json-file
 * format ({"log","stream","time"} lines), and records the exit code in the exit file when the container stops.
 * Containers therefore keep running, and their logs keep flowing, when the engine stops or crashes; the engine
 * finds their state again from the files.
 *
 * usage: berth-monitor [-t] [-i] [-o OVERLAY_OPTIONS -r ROOTFS] [-c CGROUPS_PATH] [-n NETNS [-l LINK]...] RUNTIME BUNDLE ID LOGFILE EXITFILE PIDFILE
 * -t gives the container a terminal (runc gets a pseudo-terminal of the monitor's as its own, and connects the
 * container's to it); -i keeps its stdin open, fed from the FIFO `stdin` beside LOGFILE. Lines written to the FIFO
 * `control` beside it resize the terminal ("resize ROWS COLUMNS") or end the container's input ("eof").
 * -o and -r: the monitor mounts the overlay root filesystem itself and detaches it when the container ends, which
 * spares the engine two processes per run.
 * -c: the container's cgroups path (the runtime spec's linux.cgroupsPath), so that its OOM kills are watched from
 * before it runs (see prepare_oom_watch).
 * -n and -l: the container's network namespace (a path under /run/netns) and its interfaces, each
 * "NAME,ADDRESS,PREFIX[,GATEWAY]": before anything else the monitor brings up lo and each interface with its address
 * (and the default route through GATEWAY) inside the namespace, over netlink (see configure_namespace). The engine
 * made the namespace and the veths with one `ip` run; this spares it a second one per start. It exits 3 with the
 * kernel's answer on stderr when that fails. Once the container has ended the monitor deletes the namespace (what
 * `ip netns del` does: detach its mount, remove the file; its veths go with it), before the exit file, which spares
 * the engine an `ip` run per stop; the engine still deletes one a monitor left behind (killed).
 * The first process exits 0 once the container runs (its pid is in PIDFILE), or 1 with runc's message on stderr.
 * EXITFILE gets the exit code, followed by " oom" when the kernel's OOM killer struck in the container's cgroup.
 * The monitor's own pid goes to `monitor.pid` beside PIDFILE; the exit file is written after the root filesystem
 * is detached, so once it exists the monitor has let go of everything.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 16384

static int log_fd = -1;

static void write_all(int fd, const char *data, size_t length) {
	while (length > 0) {
		ssize_t written = write(fd, data, length);
		if (written < 0) {
			if (errno == EINTR) continue;
			return;
		}
		data += written;
		length -= (size_t)written;
	}
}

/* One json-file record: the text (a line with its newline, or a partial line), its stream, the time. */
static void log_record(const char *stream, const char *text, size_t length) {
	static char out[CHUNK * 6 + 256];
	size_t at = 0;
	at += (size_t)snprintf(out + at, sizeof out - at, "{\"log\":\"");
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '"' || c == '\\') {
			out[at++] = '\\';
			out[at++] = (char)c;
		} else if (c == '\n') {
			out[at++] = '\\';
			out[at++] = 'n';
		} else if (c == '\r') {
			out[at++] = '\\';
			out[at++] = 'r';
		} else if (c == '\t') {
			out[at++] = '\\';
			out[at++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			at += (size_t)snprintf(out + at, sizeof out - at, "\\u%04x", c);
		} else {
			out[at++] = (char)c;
		}
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm utc;
	gmtime_r(&now.tv_sec, &utc);
	char stamp[64];
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
	at += (size_t)snprintf(out + at, sizeof out - at, "\",\"stream\":\"%s\",\"time\":\"%s.%09ldZ\"}\n", stream, stamp, now.tv_nsec);
	write_all(log_fd, out, at);
}

struct stream {
	int fd;
	const char *name;
	char buffer[CHUNK];
	size_t used;
};

/* Reads what is there; logs every complete line, and a full buffer as a partial record. Returns 0 at end of file. */
static int pump(struct stream *s) {
	ssize_t got = read(s->fd, s->buffer + s->used, sizeof s->buffer - s->used);
	if (got < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (got == 0) {
		if (s->used > 0) log_record(s->name, s->buffer, s->used);
		s->used = 0;
		return 0;
	}
	s->used += (size_t)got;
	size_t start = 0;
	for (size_t i = 0; i < s->used; i++) {
		if (s->buffer[i] == '\n') {
			log_record(s->name, s->buffer + start, i + 1 - start);
			start = i + 1;
		}
	}
	if (start == 0 && s->used == sizeof s->buffer) {
		log_record(s->name, s->buffer, s->used);
		start = s->used;
	}
	memmove(s->buffer, s->buffer + start, s->used - start);
	s->used -= start;
	return 1;
}

/*
 * Writes PATH through a temporary file renamed over it, so that a reader sees all of the text or none of it. With
 * `flush` the text is then flushed to disk, after the rename: the engine, which watches for the file, need not wait
 * for the disk (a machine that dies in between may leave the file empty; the engine reads that as an unknown code).
 */
static void write_file_atomic(const char *path, const char *text, int flush) {
	char temporary[4096];
	snprintf(temporary, sizeof temporary, "%s.tmp", path);
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) return;
	write_all(fd, text, strlen(text));
	rename(temporary, path);
	if (flush) fsync(fd);
	close(fd);
}

/* A FIFO beside the log file, opened read-write so that it never reports end of file when a writer goes away. */
static int open_fifo(const char *logfile, const char *name) {
	char path[4096];
	snprintf(path, sizeof path, "%s", logfile);
	char *slash = strrchr(path, '/');
	if (slash) *(slash + 1) = 0;
	strncat(path, name, sizeof path - strlen(path) - 1);
	unlink(path);
	if (mkfifo(path, 0600) != 0) return -1;
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

/*
 * OOM kills: the container's memory cgroup is watched while it runs (cgroup v1: an eventfd registered on
 * memory.oom_control, which signals an OOM in the cgroup, and the cgroup's removal; v2: inotify on memory.events,
 * whose oom_kill counter is read when it changes). The cgroup is gone once runc has cleaned up, so the watch must
 * be in place before the container can run out of memory: one that starts at once can be killed before the
 * monitor has even read its pid.
 */
struct oom_watch {
	int fd;             /* eventfd (v1) or inotify fd (v2), polled */
	int v1;             /* an eventfd: a signal while the cgroup is still there is an OOM (as containerd counts it) */
	char counter[4096]; /* the file holding oom_kill */
	char made[4096];    /* the cgroup directory the monitor made itself, removed at the end if runc left it */
	int killed;
};

static long read_oom_kills(const char *path) {
	char text[1024];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	ssize_t got = read(fd, text, sizeof text - 1);
	close(fd);
	if (got <= 0) return -1;
	text[got] = 0;
	char *line = strstr(text, "oom_kill ");
	return line ? strtol(line + 9, NULL, 10) : 0;
}

static void watch_oom(struct oom_watch *w, pid_t pid) {
	w->fd = -1;
	char path[64], line[4096];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	FILE *cgroups = fopen(path, "re");
	if (!cgroups) return;
	while (fgets(line, sizeof line, cgroups)) {
		line[strcspn(line, "\n")] = 0;
		char *controllers = strchr(line, ':');
		char *where = controllers ? strchr(controllers + 1, ':') : NULL;
		if (!where) continue;
		*where++ = 0;
		controllers++;
		if (strcmp(controllers, "memory") == 0 || strstr(controllers, ",memory") || strncmp(controllers, "memory,", 7) == 0) {
			char dir[2048];
			snprintf(dir, sizeof dir, "/sys/fs/cgroup/memory%.2000s", where);
			snprintf(w->counter, sizeof w->counter, "%s/memory.oom_control", dir);
			int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			int ofd = open(w->counter, O_RDONLY | O_CLOEXEC);
			char control[4096];
			snprintf(control, sizeof control, "%s/cgroup.event_control", dir);
			int cfd = open(control, O_WRONLY | O_CLOEXEC);
			if (efd >= 0 && ofd >= 0 && cfd >= 0 && dprintf(cfd, "%d %d", efd, ofd) > 0) {
				w->fd = efd;
				w->v1 = 1;
			} else if (efd >= 0) close(efd);
			if (cfd >= 0) close(cfd);
			/* ofd stays open for the registration's lifetime. */
			break;
		}
		if (*controllers == 0) {
			snprintf(w->counter, sizeof w->counter, "/sys/fs/cgroup%.2000s/memory.events", where);
			int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
			if (ifd >= 0 && inotify_add_watch(ifd, w->counter, IN_MODIFY) >= 0) w->fd = ifd;
			else if (ifd >= 0) close(ifd);
		}
	}
	fclose(cgroups);
}

static void check_oom(struct oom_watch *w) {
	if (w->v1) {
		/*
		 * The eventfd counts the signals since the last read: one per OOM (sent before the kill is counted in
		 * oom_kill), and one when the cgroup goes away. A signal while the cgroup is there, or two once it is gone,
		 * is an OOM, as containerd counts them.
		 */
		uint64_t signals = 0;
		if (read(w->fd, &signals, sizeof signals) != sizeof signals) signals = 0;
		long kills = read_oom_kills(w->counter);
		if (kills > 0 || (kills >= 0 && signals > 0) || signals > 1) w->killed = 1;
		return;
	}
	char drain[4096];
	while (read(w->fd, drain, sizeof drain) > 0) {
	}
	if (read_oom_kills(w->counter) > 0) w->killed = 1;
}

/* mkdir -p, remembering in `made` the deepest directory it made (the container's own, runc's to remove). */
static int make_directories(char *path, char *made, size_t size) {
	for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash) *slash = 0;
		int made_now = mkdir(path, 0755) == 0;
		if (made_now) snprintf(made, size, "%s", path);
		int ok = made_now || errno == EEXIST;
		if (slash) *slash = '/';
		if (!ok) return -1;
		if (!slash) return 0;
	}
}

/*
 * The watch set up before runc runs: the container's memory cgroup is made where runc will put it (runc joins an
 * existing, empty cgroup), and watched from then on. Any failure leaves the watch to watch_oom, once the pid is known.
 */
static void prepare_oom_watch(struct oom_watch *w, const char *cgroups_path) {
	char dir[2048], file[4096];
	if (!cgroups_path || cgroups_path[0] != '/' || strstr(cgroups_path, "/..") || strlen(cgroups_path) > 1024) return;
	struct stat info;
	int v1 = stat("/sys/fs/cgroup/memory", &info) == 0 && S_ISDIR(info.st_mode);
	if (!v1 && access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0) return;
	snprintf(dir, sizeof dir, "%s%s", v1 ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup", cgroups_path);
	if (make_directories(dir, w->made, sizeof w->made) != 0) return;
	if (v1) {
		snprintf(w->counter, sizeof w->counter, "%s/memory.oom_control", dir);
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		int ofd = open(w->counter, O_RDONLY | O_CLOEXEC);
		snprintf(file, sizeof file, "%s/cgroup.event_control", dir);
		int cfd = open(file, O_WRONLY | O_CLOEXEC);
		if (efd >= 0 && ofd >= 0 && cfd >= 0 && dprintf(cfd, "%d %d", efd, ofd) > 0) {
			w->fd = efd;
			w->v1 = 1;
		} else {
			if (efd >= 0) close(efd);
			if (ofd >= 0) close(ofd);
		}
		/* ofd stays open for the registration's lifetime. */
		if (cfd >= 0) close(cfd);
		return;
	}
	/* v2: memory.events is there only once the parent hands the memory controller down (runc does that later). */
	snprintf(w->counter, sizeof w->counter, "%s/memory.events", dir);
	int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd >= 0 && inotify_add_watch(ifd, w->counter, IN_MODIFY) >= 0) w->fd = ifd;
	else if (ifd >= 0) close(ifd);
}

/*
 * The container's input. What the engine writes to the stdin FIFO is held here until the container takes it: the
 * target (pty master or stdin pipe) is written without blocking, so a container that does not read its input cannot
 * stop the monitor from draining its output. While this is full the FIFO is not read, and the engine's writer waits.
 */
static char stdin_pending[4 * CHUNK];
static size_t stdin_used;
/* "eof" arrived: acted on once the input written before it (still in the FIFO or here) went out. */
static int stdin_eof;

/* Moves input from the FIFO to the target as far as both allow; acts on a requested end of input when all is out. */
static void feed_stdin(int stdin_fifo, int *stdin_target, int tty, int fifo_ready) {
	while (*stdin_target >= 0) {
		while (stdin_used > 0) {
			ssize_t written = write(*stdin_target, stdin_pending, stdin_used);
			if (written < 0 && errno == EINTR) continue;
			if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
			if (written < 0) {
				/* The container closed its input (or ended): what is left has nowhere to go. */
				stdin_used = 0;
				break;
			}
			memmove(stdin_pending, stdin_pending + written, stdin_used - (size_t)written);
			stdin_used -= (size_t)written;
		}
		if (!fifo_ready && !stdin_eof) return;
		ssize_t got = stdin_fifo >= 0 ? read(stdin_fifo, stdin_pending, sizeof stdin_pending) : 0;
		if (got > 0) {
			stdin_used = (size_t)got;
			continue;
		}
		if (got < 0 && errno == EINTR) continue;
		/* The FIFO is empty: without an end of input, wait for more. */
		fifo_ready = 0;
		if (!stdin_eof) return;
		stdin_eof = 0;
		/* On a terminal, end of input is ^D; on a pipe, closing it. */
		if (tty) {
			stdin_pending[0] = '\x04';
			stdin_used = 1;
			continue;
		}
		close(*stdin_target);
		*stdin_target = -1;
	}
}

/* One line from the engine on the control FIFO: "resize ROWS COLUMNS", or "eof" (the end of the container's input). */
static void control_line(const char *line, int master, int stdin_fifo, int *stdin_target, int tty) {
	unsigned short rows, columns;
	if (sscanf(line, "resize %hu %hu", &rows, &columns) == 2 && master >= 0) {
		struct winsize size = {.ws_row = rows, .ws_col = columns};
		ioctl(master, TIOCSWINSZ, &size);
	} else if (strcmp(line, "eof") == 0 && *stdin_target >= 0) {
		stdin_eof = 1;
		feed_stdin(stdin_fifo, stdin_target, tty, 0);
	}
}

/* One netlink request: the header, the message of its kind, and room for a few attributes. */
struct nl_request {
	struct nlmsghdr header;
	union {
		struct ifinfomsg link;
		struct ifaddrmsg address;
		struct rtmsg route;
	} message;
	char attributes[64];
};

static void nl_start(struct nl_request *request, unsigned short type, unsigned short flags, size_t message_size) {
	memset(request, 0, sizeof *request);
	request->header.nlmsg_len = (unsigned)NLMSG_LENGTH(message_size);
	request->header.nlmsg_type = type;
	request->header.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
}

static void nl_attribute(struct nl_request *request, unsigned short type, const void *data, size_t length) {
	struct rtattr *attribute = (struct rtattr *)((char *)request + NLMSG_ALIGN(request->header.nlmsg_len));
	attribute->rta_type = type;
	attribute->rta_len = (unsigned short)RTA_LENGTH(length);
	memcpy(RTA_DATA(attribute), data, length);
	request->header.nlmsg_len = (unsigned)(NLMSG_ALIGN(request->header.nlmsg_len) + RTA_ALIGN(attribute->rta_len));
}

/* Sends the request and reads the kernel's acknowledgement: 0, or the (negative) errno it answered with. */
static int nl_call(int fd, struct nl_request *request) {
	static unsigned sequence;
	request->header.nlmsg_seq = ++sequence;
	if (send(fd, request, request->header.nlmsg_len, 0) < 0) return -errno;
	char reply[8192];
	for (;;) {
		ssize_t got = recv(fd, reply, sizeof reply, 0);
		if (got < 0) {
			if (errno == EINTR) continue;
			return -errno;
		}
		int length = (int)got;
		for (struct nlmsghdr *answer = (struct nlmsghdr *)reply; NLMSG_OK(answer, length); answer = NLMSG_NEXT(answer, length)) {
			if (answer->nlmsg_seq == request->header.nlmsg_seq && answer->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr *)NLMSG_DATA(answer))->error;
		}
	}
}

/* `ip link set NAME up` */
static int nl_link_up(int fd, int index) {
	struct nl_request request;
	nl_start(&request, RTM_NEWLINK, 0, sizeof request.message.link);
	request.message.link.ifi_family = AF_UNSPEC;
	request.message.link.ifi_index = index;
	request.message.link.ifi_flags = IFF_UP;
	request.message.link.ifi_change = IFF_UP;
	return nl_call(fd, &request);
}

/* `ip addr add ADDRESS/PREFIX dev NAME` */
static int nl_address(int fd, int index, struct in_addr address, int prefix) {
	struct nl_request request;
	nl_start(&request, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof request.message.address);
	request.message.address.ifa_family = AF_INET;
	request.message.address.ifa_prefixlen = (unsigned char)prefix;
	request.message.address.ifa_scope = RT_SCOPE_UNIVERSE;
	request.message.address.ifa_index = (unsigned)index;
	nl_attribute(&request, IFA_LOCAL, &address, sizeof address);
	nl_attribute(&request, IFA_ADDRESS, &address, sizeof address);
	return nl_call(fd, &request);
}

/* `ip route add default via GATEWAY` */
static int nl_default_route(int fd, struct in_addr gateway) {
	struct nl_request request;
	nl_start(&request, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof request.message.route);
	request.message.route.rtm_family = AF_INET;
	request.message.route.rtm_table = RT_TABLE_MAIN;
	request.message.route.rtm_protocol = RTPROT_BOOT;
	request.message.route.rtm_scope = RT_SCOPE_UNIVERSE;
	request.message.route.rtm_type = RTN_UNICAST;
	nl_attribute(&request, RTA_GATEWAY, &gateway, sizeof gateway);
	return nl_call(fd, &request);
}

/* One "NAME,ADDRESS,PREFIX[,GATEWAY]" inside the current namespace: its address, up, the default route. */
static int configure_link(int fd, const char *spec) {
	char copy[256], *fields[4] = {0};
	snprintf(copy, sizeof copy, "%s", spec);
	int count = 0;
	for (char *rest = copy, *field; count < 4 && (field = strsep(&rest, ",")) != NULL;) fields[count++] = field;
	struct in_addr address, gateway;
	char *end;
	long prefix = count >= 3 ? strtol(fields[2], &end, 10) : -1;
	if (count < 3 || inet_pton(AF_INET, fields[1], &address) != 1 || *end != 0 || prefix < 0 || prefix > 32 ||
	    (count == 4 && inet_pton(AF_INET, fields[3], &gateway) != 1)) {
		fprintf(stderr, "bad interface description: %s\n", spec);
		return -1;
	}
	int index = (int)if_nametoindex(fields[0]);
	if (index == 0) {
		fprintf(stderr, "no interface %s in the container's network namespace\n", fields[0]);
		return -1;
	}
	int error = nl_address(fd, index, address, (int)prefix);
	const char *step = "adding its address";
	if (error == 0) {
		error = nl_link_up(fd, index);
		step = "bringing it up";
	}
	if (error == 0 && count == 4) {
		error = nl_default_route(fd, gateway);
		step = "adding the default route";
	}
	if (error != 0) fprintf(stderr, "cannot set up %s in the container's network namespace (%s): %s\n", fields[0], step, strerror(-error));
	return error == 0 ? 0 : -1;
}

/*
 * lo and the interfaces up inside the namespace, done by a child that joins it, so that the monitor itself stays in
 * the engine's namespace. 0 when all went well.
 */
static int configure_namespace(const char *netns, char **links, int count) {
	pid_t child = fork();
	if (child < 0) return -1;
	if (child == 0) {
		int ns = open(netns, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
			fprintf(stderr, "cannot enter the network namespace %s: %s\n", netns, strerror(errno));
			_exit(1);
		}
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd < 0) {
			fprintf(stderr, "cannot open a netlink socket: %s\n", strerror(errno));
			_exit(1);
		}
		int lo = (int)if_nametoindex("lo");
		int error = lo == 0 ? -ENODEV : nl_link_up(fd, lo);
		if (error != 0) {
			fprintf(stderr, "cannot bring lo up in the container's network namespace: %s\n", strerror(-error));
			_exit(1);
		}
		for (int i = 0; i < count; i++)
			if (configure_link(fd, links[i]) != 0) _exit(1);
		_exit(0);
	}
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * A watch on the directory of runc's pid file, which runc writes beside it and renames into place once the container
 * runs: the monitor sleeps until something lands there instead of looking every few milliseconds. A hundred monitors
 * starting at once on a busy machine wait seconds each, and polling kept them waking hundreds of times a second.
 * -1 when inotify cannot be had (no instance left): the caller then looks at short intervals, as before.
 */
static int watch_pid_file(const char *pidfile) {
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", pidfile);
	char *slash = strrchr(dir, '/');
	if (slash == dir) slash[1] = 0;
	else if (slash) *slash = 0;
	else snprintf(dir, sizeof dir, ".");
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0) return -1;
	if (inotify_add_watch(fd, dir, IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv) {
	int tty = 0, keep_stdin = 0, option;
	const char *overlay = NULL, *rootfs = NULL, *cgroups_path = NULL, *netns = NULL;
	char **links = calloc((size_t)argc, sizeof *links);
	int link_count = 0;
	if (links == NULL) return 1;
	while ((option = getopt(argc, argv, "tio:r:c:n:l:")) != -1) {
		if (option == 't') tty = 1;
		else if (option == 'n') netns = optarg;
		else if (option == 'l') links[link_count++] = optarg;
		else if (option == 'c') cgroups_path = optarg;
		else if (option == 'i') keep_stdin = 1;
		else if (option == 'o') overlay = optarg;
		else if (option == 'r') rootfs = optarg;
		else return 2;
	}
	if (argc - optind != 6 || (overlay == NULL) != (rootfs == NULL) || (link_count > 0 && netns == NULL)) {
		fprintf(stderr, "usage: berth-monitor [-t] [-i] [-o OVERLAY_OPTIONS -r ROOTFS] [-c CGROUPS_PATH] [-n NETNS [-l LINK]...] RUNTIME BUNDLE ID LOGFILE EXITFILE PIDFILE\n");
		return 2;
	}
	char **args = argv + optind;
	const char *runtime = args[0], *bundle = args[1], *id = args[2], *logfile = args[3], *exitfile = args[4], *pidfile = args[5];
	if (netns && configure_namespace(netns, links, link_count) != 0) return 3;
	if (overlay && mount("overlay", rootfs, "overlay", 0, overlay) != 0) {
		fprintf(stderr, "cannot mount the container's root filesystem: %s\n", strerror(errno));
		return 1;
	}
	int sync_pipe[2];
	if (pipe2(sync_pipe, O_CLOEXEC) < 0) return 1;

	pid_t monitor = fork();
	if (monitor < 0) {
		if (rootfs) umount2(rootfs, MNT_DETACH);
		return 1;
	}
	if (monitor > 0) {
		/* The engine's child: report how the start went, then leave the monitor on its own. */
		close(sync_pipe[1]);
		char message[CHUNK + 64];
		size_t used = 0;
		ssize_t got;
		while ((got = read(sync_pipe[0], message + used, sizeof message - 1 - used)) > 0) used += (size_t)got;
		message[used] = 0;
		if (strncmp(message, "ok", 2) == 0) return 0;
		fputs(used > 0 ? message : "the container did not start\n", stderr);
		return 1;
	}

	/* The monitor: its own session, so that the engine's signals and exit do not reach it. */
	close(sync_pipe[0]);
	setsid();
	{
		/* Its pid beside PIDFILE, so that an engine restarted mid-start can tell whether the start is still going on. */
		char path[4096], text[32];
		snprintf(path, sizeof path, "%s", pidfile);
		char *slash = strrchr(path, '/');
		*(slash ? slash + 1 : path) = 0;
		strncat(path, "monitor.pid", sizeof path - strlen(path) - 1);
		snprintf(text, sizeof text, "%d\n", (int)getpid());
		/* Not flushed: it means something only while this process lives, which no machine crash outlasts. */
		write_file_atomic(path, text, 0);
	}
	signal(SIGPIPE, SIG_IGN);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	log_fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1};
	int master = -1;
	char slave_name[256] = "";
	if (log_fd < 0 || null_fd < 0) {
		dprintf(sync_pipe[1], "cannot open %s: %s\n", logfile, strerror(errno));
		return 1;
	}
	if (tty) {
		/* runc, in the foreground, needs a terminal of its own to connect the container's to. */
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, slave_name, sizeof slave_name) != 0) {
			dprintf(sync_pipe[1], "cannot allocate a terminal: %s\n", strerror(errno));
			return 1;
		}
	} else if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0 || (keep_stdin && pipe2(in_pipe, O_CLOEXEC) < 0)) {
		dprintf(sync_pipe[1], "cannot set up the container's output: %s\n", strerror(errno));
		return 1;
	}
	int stdin_fifo = keep_stdin ? open_fifo(logfile, "stdin") : -1;
	int control_fifo = tty || keep_stdin ? open_fifo(logfile, "control") : -1;
	unlink(pidfile);
	/* Set up before runc runs, so that its pid file cannot land unseen. */
	int pid_watch = watch_pid_file(pidfile);
	static struct oom_watch oom = {.fd = -1};
	prepare_oom_watch(&oom, cgroups_path);
	pid_t child = fork();
	if (child < 0) return 1;
	if (child == 0) {
		if (tty) {
			setsid();
			int slave = open(slave_name, O_RDWR);
			if (slave < 0) _exit(126);
			ioctl(slave, TIOCSCTTY, 0);
			dup2(slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
		} else {
			dup2(keep_stdin ? in_pipe[0] : null_fd, 0);
			dup2(out_pipe[1], 1);
			dup2(err_pipe[1], 2);
		}
		execl(runtime, runtime, "run", "--bundle", bundle, "--pid-file", pidfile, id, (char *)NULL);
		dprintf(2, "cannot run %s: %s\n", runtime, strerror(errno));
		_exit(127);
	}
	if (!tty) {
		close(out_pipe[1]);
		close(err_pipe[1]);
		if (keep_stdin) close(in_pipe[0]);
	}
	int stdin_target = tty ? master : (keep_stdin ? in_pipe[1] : -1);
	/* The target is written only as far as it takes input; a terminal's master is also read, where EAGAIN is "nothing yet". */
	if (stdin_target >= 0) fcntl(stdin_target, F_SETFL, fcntl(stdin_target, F_GETFL) | O_NONBLOCK);
	/* Keep the monitor's own stdio off the engine's terminal. */
	dup2(null_fd, 0);
	dup2(null_fd, 1);
	dup2(null_fd, 2);

	static struct stream out = {.name = "stdout"}, err = {.name = "stderr"};
	out.fd = tty ? master : out_pipe[0];
	err.fd = tty ? -1 : err_pipe[0];
	int started = 0, out_open = 1, err_open = !tty;
	/* Until the container runs, what arrives may be runc's own error: held back to report it. */
	char early[CHUNK];
	size_t early_used = 0;
	char control[256];
	size_t control_used = 0;
	struct stream *early_stream = tty ? &out : &err;
	while (out_open || err_open) {
		/* Input is read from the FIFO only while there is room for it, and written when the target takes it. */
		int feeding = started && stdin_target >= 0;
		struct pollfd fds[7] = {
			{.fd = out_open ? out.fd : -1, .events = POLLIN},
			{.fd = err_open ? err.fd : -1, .events = POLLIN},
			{.fd = feeding && stdin_used == 0 ? stdin_fifo : -1, .events = POLLIN},
			{.fd = control_fifo, .events = POLLIN},
			{.fd = oom.fd, .events = POLLIN},
			{.fd = feeding && stdin_used > 0 ? stdin_target : -1, .events = POLLOUT},
			{.fd = pid_watch, .events = POLLIN},
		};
		/* Until the container runs: woken by the pid file's watch (and every 100 ms all the same), or every 2 ms without one. */
		int ready = poll(fds, 7, started ? -1 : pid_watch >= 0 ? 100 : 2);
		if (ready > 0 && fds[6].revents) {
			char drain[4096];
			while (read(pid_watch, drain, sizeof drain) > 0) {
			}
		}
		if (!started && access(pidfile, F_OK) == 0) {
			started = 1;
			if (pid_watch >= 0) close(pid_watch);
			pid_watch = -1;
			write_all(sync_pipe[1], "ok\n", 3);
			close(sync_pipe[1]);
			if (early_used > 0) log_record(early_stream->name, early, early_used);
			FILE *pids = fopen(pidfile, "re");
			int pid = 0;
			if (pids) {
				if (fscanf(pids, "%d", &pid) != 1) pid = 0;
				fclose(pids);
			}
			if (pid > 0 && oom.fd < 0) watch_oom(&oom, pid);
		}
		if (ready <= 0) continue;
		if (fds[4].revents & POLLIN) check_oom(&oom);
		for (int i = 0; i < 2; i++) {
			if (!fds[i].revents) continue;
			struct stream *s = i == 0 ? &out : &err;
			int still_open;
			if (!started && s == early_stream) {
				ssize_t got = read(s->fd, early + early_used, sizeof early - early_used);
				still_open = got > 0 || (got < 0 && (errno == EAGAIN || errno == EINTR));
				if (got > 0) early_used += (size_t)got;
			} else {
				/* A terminal's master reads EIO once the other side is closed: its end of file. */
				still_open = pump(s);
			}
			if (i == 0) out_open = still_open;
			else err_open = still_open;
		}
		if ((fds[2].revents & POLLIN || fds[5].revents) && stdin_target >= 0) feed_stdin(stdin_fifo, &stdin_target, tty, fds[2].revents & POLLIN);
		if (fds[3].revents & POLLIN) {
			/* Lines may arrive together ("resize 24 80\neof\n") or split: each complete one is acted on. */
			ssize_t got = read(control_fifo, control + control_used, sizeof control - 1 - control_used);
			if (got > 0) control_used += (size_t)got;
			char *line = control, *newline;
			while ((newline = memchr(line, '\n', control_used - (size_t)(line - control))) != NULL) {
				*newline = 0;
				control_line(line, master, stdin_fifo, &stdin_target, tty);
				line = newline + 1;
			}
			control_used -= (size_t)(line - control);
			memmove(control, line, control_used);
			/* A line longer than any the engine writes: dropped. */
			if (control_used == sizeof control - 1) control_used = 0;
		}
	}
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
	}
	/* A container that ran and ended at once: its pid file is there, though the loop never saw it. */
	if (!started && access(pidfile, F_OK) == 0) {
		started = 1;
		write_all(sync_pipe[1], "ok\n", 3);
		if (early_used > 0) log_record("stderr", early, early_used);
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (rootfs) umount2(rootfs, MNT_DETACH);
	if (netns && strncmp(netns, "/run/netns/", 11) == 0 && strstr(netns, "/..") == NULL) {
		umount2(netns, MNT_DETACH);
		unlink(netns);
	}
	/* runc removes the cgroup it ran the container in; one it never got to is the monitor's to remove. */
	if (oom.made[0]) rmdir(oom.made);
	if (!started) {
		/* runc failed before the container ran: its message goes back to the engine, no exit file. */
		if (early_used > 0) write_all(sync_pipe[1], early, early_used);
		else dprintf(sync_pipe[1], "%s run exited with code %d before the container started\n", runtime, code);
		return 1;
	}
	if (oom.fd >= 0) check_oom(&oom);
	char text[32];
	snprintf(text, sizeof text, oom.killed ? "%d oom\n" : "%d\n", code);
	write_file_atomic(exitfile, text, 1);
	(void)id;
	return 0;
}
