/* A private temporary folder for a test program's files: made with
 * mkdtemp, emptied and removed at the end. */
#ifndef ACCELTRAN_TEST_TMPDIR_H
#define ACCELTRAN_TEST_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes /tmp/acceltran_<tag>_XXXXXX into dir (at least 64 bytes);
 * returns 0, or -1 after printing why. */
static inline int tmpdir_make(char *dir, size_t len, const char *tag)
{
    snprintf(dir, len, "/tmp/acceltran_%s_XXXXXX", tag);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Removes the files in dir (one level) and dir itself. */
static inline void tmpdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

#endif
