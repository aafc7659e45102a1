/*
 * berth-whiteouts DIR: turns the whiteouts of an unpacked image layer into overlayfs's own, so that the layer can
 * be a lower directory of a container's root filesystem: `.wh.NAME` becomes a 0/0 character device NAME (the file
 * is deleted), `.wh..wh..opq` becomes the trusted.overlay.opaque=y attribute on its directory (the directory hides
 * what lower layers have in it). Node has no mknod or setxattr, hence this small program.
 * berth-whiteouts --to-layer DIR does the reverse on a copy of a container's upper directory, so that it can be
 * archived as an image layer (docker commit).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static int failures = 0;

static void convert(const char *dir) {
	DIR *handle = opendir(dir);
	if (!handle) return;
	struct dirent *entry;
	char path[4096], target[4096];
	while ((entry = readdir(handle)) != NULL) {
		const char *name = entry->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (strcmp(name, ".wh..wh..opq") == 0) {
			if (setxattr(dir, "trusted.overlay.opaque", "y", 1, 0) != 0 || unlink(path) != 0) {
				fprintf(stderr, "%s: %s\n", path, strerror(errno));
				failures++;
			}
			continue;
		}
		if (strncmp(name, ".wh.", 4) == 0) {
			snprintf(target, sizeof target, "%s/%s", dir, name + 4);
			if (unlink(path) != 0 || mknod(target, S_IFCHR | 0, makedev(0, 0)) != 0) {
				fprintf(stderr, "%s: %s\n", path, strerror(errno));
				failures++;
			}
			continue;
		}
		struct stat info;
		if (lstat(path, &info) == 0 && S_ISDIR(info.st_mode)) convert(path);
	}
	closedir(handle);
}

static void to_layer(const char *dir) {
	char opaque[2];
	if (getxattr(dir, "trusted.overlay.opaque", opaque, sizeof opaque) == 1 && opaque[0] == 'y') {
		char marker[4096];
		snprintf(marker, sizeof marker, "%s/.wh..wh..opq", dir);
		FILE *file = fopen(marker, "w");
		if (file) fclose(file);
		else failures++;
		removexattr(dir, "trusted.overlay.opaque");
	}
	DIR *handle = opendir(dir);
	if (!handle) return;
	struct dirent *entry;
	char path[4096], marker[4096];
	while ((entry = readdir(handle)) != NULL) {
		const char *name = entry->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, ".wh..wh..opq") == 0) continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		struct stat info;
		if (lstat(path, &info) != 0) continue;
		if (S_ISCHR(info.st_mode) && major(info.st_rdev) == 0 && minor(info.st_rdev) == 0) {
			snprintf(marker, sizeof marker, "%s/.wh.%s", dir, name);
			FILE *file = fopen(marker, "w");
			if (!file || unlink(path) != 0) {
				fprintf(stderr, "%s: %s\n", path, strerror(errno));
				failures++;
			}
			if (file) fclose(file);
		} else if (S_ISDIR(info.st_mode)) {
			to_layer(path);
		}
	}
	closedir(handle);
}

int main(int argc, char **argv) {
	if (argc == 3 && strcmp(argv[1], "--to-layer") == 0) {
		to_layer(argv[2]);
		return failures > 0 ? 1 : 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: berth-whiteouts [--to-layer] DIR\n");
		return 2;
	}
	convert(argv[1]);
	return failures > 0 ? 1 : 0;
}
