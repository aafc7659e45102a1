/*
 * berth-monitor: one per container. It detaches from the engine, runs `runc run` for the container with the
 * container's stdout and stderr on pipes it holds, writes them to the container's log file in Docker's json-file
 * format ({"log","stream","time"} lines), and records the exit code in the exit file when the container stops.
 * Containers therefore keep running, and their logs keep flowing, when the engine stops or crashes; the engine
 * finds their state again from the files.
 *
 * usage: berth-monitor RUNTIME BUNDLE ID LOGFILE EXITFILE PIDFILE
 * The first process exits 0 once the container runs (its pid is in PIDFILE), or 1 with runc's message on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

static void write_file_atomic(const char *path, const char *text) {
	char temporary[4096];
	snprintf(temporary, sizeof temporary, "%s.tmp", path);
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) return;
	write_all(fd, text, strlen(text));
	fsync(fd);
	close(fd);
	rename(temporary, path);
}

int main(int argc, char **argv) {
	if (argc != 7) {
		fprintf(stderr, "usage: berth-monitor RUNTIME BUNDLE ID LOGFILE EXITFILE PIDFILE\n");
		return 2;
	}
	const char *runtime = argv[1], *bundle = argv[2], *id = argv[3], *logfile = argv[4], *exitfile = argv[5], *pidfile = argv[6];
	int sync_pipe[2];
	if (pipe2(sync_pipe, O_CLOEXEC) < 0) return 1;

	pid_t monitor = fork();
	if (monitor < 0) return 1;
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
	signal(SIGPIPE, SIG_IGN);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	log_fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	int out_pipe[2], err_pipe[2];
	if (log_fd < 0 || null_fd < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		dprintf(sync_pipe[1], "cannot set up the container's output: %s\n", strerror(errno));
		return 1;
	}
	unlink(pidfile);
	pid_t child = fork();
	if (child < 0) return 1;
	if (child == 0) {
		dup2(null_fd, 0);
		dup2(out_pipe[1], 1);
		dup2(err_pipe[1], 2);
		execl(runtime, runtime, "run", "--bundle", bundle, "--pid-file", pidfile, id, (char *)NULL);
		dprintf(2, "cannot run %s: %s\n", runtime, strerror(errno));
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	/* Keep the monitor's own stdio off the engine's terminal. */
	dup2(null_fd, 0);
	dup2(null_fd, 1);
	dup2(null_fd, 2);

	static struct stream out = {.name = "stdout"}, err = {.name = "stderr"};
	out.fd = out_pipe[0];
	err.fd = err_pipe[0];
	int started = 0, out_open = 1, err_open = 1;
	/* Until the container runs, what arrives on stderr may be runc's own error: held back to report it. */
	char early[CHUNK];
	size_t early_used = 0;
	while (out_open || err_open) {
		struct pollfd fds[2] = {{.fd = out_open ? out.fd : -1, .events = POLLIN}, {.fd = err_open ? err.fd : -1, .events = POLLIN}};
		int ready = poll(fds, 2, started ? -1 : 2);
		if (!started && access(pidfile, F_OK) == 0) {
			started = 1;
			write_all(sync_pipe[1], "ok\n", 3);
			close(sync_pipe[1]);
			if (early_used > 0) log_record("stderr", early, early_used);
		}
		if (ready <= 0) continue;
		if (fds[0].revents) out_open = pump(&out);
		if (fds[1].revents) {
			if (!started) {
				ssize_t got = read(err.fd, early + early_used, sizeof early - early_used);
				if (got <= 0) err_open = 0;
				else early_used += (size_t)got;
			} else {
				err_open = pump(&err);
			}
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
	if (!started) {
		/* runc failed before the container ran: its message goes back to the engine, no exit file. */
		if (early_used > 0) write_all(sync_pipe[1], early, early_used);
		else dprintf(sync_pipe[1], "%s run exited with code %d before the container started\n", runtime, code);
		return 1;
	}
	char text[32];
	snprintf(text, sizeof text, "%d\n", code);
	write_file_atomic(exitfile, text);
	(void)id;
	return 0;
}
