/*
 * berth-spawner SOCKET: starts programs for the engine, so that the engine's own large process never forks.
 *
 * Why: node (libuv) starts a child with fork(), which write-protects every page of the engine; the engine then takes
 * a page fault for each page it writes afterwards. With a few hundred MB resident that is tens of thousands of faults,
 * about half a second of CPU on a virtual machine, for every child. This program is started once, while the engine
 * is small, and stays small: each start forks it instead.
 *
 * It listens on the unix socket SOCKET (mode 0600) and takes connections only from its parent, the engine (checked
 * with SO_PEERCRED). It writes "ready\n" to stdout once it listens, and exits when its stdin (a pipe from the engine)
 * closes, or when the engine dies. Each connection starts one program:
 *   request  (engine -> spawner): u32 length, then that many bytes: the options (see serve), the working directory
 *            (empty: unchanged), then the program and its arguments, each ended by a NUL. At most 64 KiB.
 *   started  (spawner -> engine): u32 pid, once the program runs (0 if it could not be started).
 *   then     the rest of what the engine sends on the connection is the program's stdin (unless the options say
 *            "noinput": then it is /dev/null, and nothing the program does can write on the connection: a process
 *            in a container never gets it); its stdout is /dev/null, or kept ("stdout"; "merged": stderr goes there
 *            too, so that the order of the two is kept); the engine ends the stdin by shutting down its writing side.
 *   finished (spawner -> engine): u32 exit status (128 + signal when killed), u32 length and the program's stderr
 *            (its first 64 KiB), u32 length and its stdout (its first 16 MiB; none unless asked for); then the
 *            spawner's side ends. The program is reaped only once the engine has closed its side too, so that its
 *            pid stays taken while the engine may still kill it.
 * Numbers are little-endian. A handler process (a fork of this small program) serves each connection, so that
 * programs run side by side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REQUEST 65536
#define MAX_STDERR 65536
#define MAX_STDOUT (16 * 1024 * 1024)
#define MAX_ARGS 1024

static int write_all(int fd, const void *data, size_t length) {
	const char *bytes = data;
	while (length > 0) {
		ssize_t written = write(fd, bytes, length);
		if (written < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		bytes += written;
		length -= (size_t)written;
	}
	return 0;
}

static int read_exactly(int fd, void *data, size_t length) {
	char *bytes = data;
	while (length > 0) {
		ssize_t got = read(fd, bytes, length);
		if (got < 0 && errno == EINTR) continue;
		if (got <= 0) return -1;
		bytes += got;
		length -= (size_t)got;
	}
	return 0;
}

static void put_u32(unsigned char *out, uint32_t value) {
	for (int i = 0; i < 4; i++) out[i] = (unsigned char)(value >> (8 * i));
}

/* The program's own process: stdin is the connection or /dev/null (-1), stdout /dev/null or a pipe, stderr a pipe;
 * signals as at a fresh start. */
static void run_program(int connection, int output_pipe, int error_pipe, const char *cwd, char **argv) {
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
	int input = connection >= 0 ? connection : open("/dev/null", O_RDONLY);
	int output = output_pipe >= 0 ? output_pipe : open("/dev/null", O_WRONLY);
	if (input < 0 || dup2(input, 0) < 0 || output < 0 || dup2(output, 1) < 0 || dup2(error_pipe, 2) < 0) _exit(127);
	for (int fd = 3; fd < 1024; fd++) close(fd);
	if (cwd[0] != '\0' && chdir(cwd) != 0) {
		dprintf(2, "%s: %s\n", cwd, strerror(errno));
		_exit(127);
	}
	execvp(argv[0], argv);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* What a program writes to a pipe, kept up to a limit (the rest is read and dropped, so that it never blocks). */
struct capture {
	int fd;
	char *text;
	size_t kept, limit;
};

static int drain(struct capture *capture) {
	char discard[4096];
	int room = capture->text != NULL && capture->kept < capture->limit;
	ssize_t got = read(capture->fd, room ? capture->text + capture->kept : discard, room ? capture->limit - capture->kept : sizeof discard);
	if (got < 0 && errno == EINTR) return 1;
	if (got <= 0) return 0;
	if (room) capture->kept += (size_t)got;
	return 1;
}

static void refuse(int connection) {
	unsigned char started[4];
	put_u32(started, 0);
	write_all(connection, started, 4);
	_exit(1);
}

/* Serves one connection (in a process of its own): reads the request, starts the program, reports how it ended. */
static void serve(int connection) {
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	unsigned char header[4];
	if (read_exactly(connection, header, 4) != 0) _exit(1);
	uint32_t length = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
	if (length == 0 || length > MAX_REQUEST) _exit(1);
	char *request = malloc(length + 1);
	if (!request || read_exactly(connection, request, length) != 0) _exit(1);
	request[length] = '\0';
	if (request[length - 1] != '\0') _exit(1);
	/* The options, the working directory, then at least the program's name. */
	const char *options = request;
	const char *cwd = options + strlen(options) + 1;
	if (cwd >= request + length) refuse(connection);
	/* Options, separated by commas: "stdout" keeps what the program writes there; "merged" keeps stdout and stderr
	 * together, in the order written; "noinput" gives it /dev/null as stdin instead of the connection. */
	int merged = 0, capture_output = 0, no_input = 0;
	for (const char *option = options; *option != '\0';) {
		size_t size = strcspn(option, ",");
		if (size == 6 && strncmp(option, "stdout", 6) == 0) capture_output = 1;
		else if (size == 6 && strncmp(option, "merged", 6) == 0) capture_output = merged = 1;
		else if (size == 7 && strncmp(option, "noinput", 7) == 0) no_input = 1;
		else refuse(connection);
		option += size + (option[size] == ',');
	}
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	for (char *at = (char *)cwd + strlen(cwd) + 1; at < request + length && argc < MAX_ARGS; at += strlen(at) + 1) argv[argc++] = at;
	argv[argc] = NULL;
	int error_pipe[2], output_pipe[2] = {-1, -1};
	if (argc == 0 || pipe2(error_pipe, O_CLOEXEC) != 0 || (capture_output && pipe2(output_pipe, O_CLOEXEC) != 0)) refuse(connection);
	pid_t child = fork();
	if (child == 0) run_program(no_input ? -1 : connection, output_pipe[1], merged ? output_pipe[1] : error_pipe[1], cwd, argv);
	close(error_pipe[1]);
	if (capture_output) close(output_pipe[1]);
	if (child < 0) refuse(connection);
	unsigned char started[4];
	put_u32(started, (uint32_t)child);
	write_all(connection, started, 4);

	struct capture captures[2] = {
		{.fd = error_pipe[0], .text = malloc(MAX_STDERR), .limit = MAX_STDERR},
		{.fd = output_pipe[0], .text = capture_output ? malloc(MAX_STDOUT) : NULL, .limit = MAX_STDOUT},
	};
	int open_pipes = capture_output ? 2 : 1;
	struct pollfd watched[2] = {{.fd = error_pipe[0], .events = POLLIN}, {.fd = capture_output ? output_pipe[0] : -1, .events = POLLIN}};
	while (open_pipes > 0) {
		if (poll(watched, 2, -1) < 0) {
			if (errno == EINTR) continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (watched[i].fd < 0 || !watched[i].revents) continue;
			if (!drain(&captures[i])) {
				watched[i].fd = -1;
				open_pipes--;
			}
		}
	}
	/* Not reaped yet (WNOWAIT): while the engine has not heard that the program ended, its pid stays taken, so a kill
	 * the engine sends meanwhile cannot reach another process that got the same pid. */
	siginfo_t info = {0};
	while (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
	}
	uint32_t code = info.si_code == CLD_EXITED ? (uint32_t)info.si_status : 128 + (uint32_t)info.si_status;
	unsigned char numbers[4];
	put_u32(numbers, code);
	int failed = write_all(connection, numbers, 4);
	for (int i = 0; i < 2 && !failed; i++) {
		put_u32(numbers, (uint32_t)captures[i].kept);
		failed = write_all(connection, numbers, 4) || (captures[i].kept > 0 && write_all(connection, captures[i].text, captures[i].kept));
	}
	/* The engine closes its end once it has the answer (what it still sends meanwhile is input nobody reads). */
	shutdown(connection, SHUT_WR);
	char discard[4096];
	for (;;) {
		ssize_t got = read(connection, discard, sizeof discard);
		if (got < 0 && errno == EINTR) continue;
		if (got <= 0) break;
	}
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
	}
	close(connection);
	_exit(0);
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: berth-spawner SOCKET\n");
		return 2;
	}
	pid_t engine = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != engine) return 1;
	/* Handlers are not waited for: the kernel reaps them. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(argv[1]) >= sizeof address.sun_path) {
		fprintf(stderr, "berth-spawner: socket path too long: %s\n", argv[1]);
		return 2;
	}
	strcpy(address.sun_path, argv[1]);
	int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(argv[1]);
	mode_t before = umask(0077);
	if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 128) != 0) {
		fprintf(stderr, "berth-spawner: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	umask(before);
	chmod(argv[1], 0600);
	if (write_all(1, "ready\n", 6) != 0) return 1;

	struct pollfd watched[2] = {{.fd = listener, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
	for (;;) {
		if (poll(watched, 2, -1) < 0) {
			if (errno == EINTR) continue;
			return 1;
		}
		/* The engine closed our stdin (it stopped): nothing more will come. */
		if (watched[1].revents) {
			char byte;
			if (read(0, &byte, 1) <= 0) break;
		}
		if (!(watched[0].revents & POLLIN)) continue;
		int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (connection < 0) continue;
		struct ucred peer;
		socklen_t size = sizeof peer;
		/* Only the engine that started us may start programs. */
		if (getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.pid != engine || peer.uid != getuid()) {
			close(connection);
			continue;
		}
		pid_t handler = fork();
		if (handler == 0) {
			close(listener);
			/* The connection becomes the program's stdin: it must survive exec there (the handler dup2s it). */
			serve(connection);
		}
		close(connection);
	}
	unlink(argv[1]);
	return 0;
}
