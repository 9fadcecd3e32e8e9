/*
 * aslread.c -- times how long the AMPL Solver Library (ASL) takes to read a .nl
 * file, the peer figure for pounce's reader benchmark (benches/reader.rs).
 *
 * Usage: aslread [--repeat K] [--pfgh] MODEL.nl
 *
 * Each of the K repeats allocates a fresh ASL, opens the file and reads the header
 * (jac0dim), then reads the rest with initial primal and dual values (want_xpi0 = 3):
 *   default  fg_read: plain reading into the ASL's expression graphs, the operation
 *            that matches pounce's read_file;
 *   --pfgh   pfgh_read with ASL_findgroups: reading plus the partially separable
 *            structure the ASL's Hessian evaluation needs (what a solver using
 *            second derivatives, and asldump.c, calls).
 * Only the read is timed; ASL_free after each repeat is not.
 *
 * Prints one JSON object: file, mode, repeats, best_s and median_s (process CPU
 * time per read, CLOCK_PROCESS_CPUTIME_ID), best_wall_s and median_wall_s
 * (CLOCK_MONOTONIC), peak_rss_kib (Linux VmHWM at the end) and
 * peak_rss_first_kib (VmHWM right after the first read, before any ASL_free).
 * Exit status 2 on a usage error, 3 when the file cannot be opened or the ASL's
 * reader returns an error; on a malformed header the ASL itself prints a message
 * and exits with status 1.
 *
 * Build: bash benches/asl/build.sh (which supplies the ASL headers and library).
 */
#include "asl_pfgh.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Peak resident set size in KiB (VmHWM), or -1 where /proc is unavailable. */
static long
peak_rss_kib(void)
{
	char line[256];
	long hwm = -1;
	FILE *st = fopen("/proc/self/status", "r");
	if (!st)
		return -1;
	while (fgets(line, sizeof line, st))
		if (!strncmp(line, "VmHWM:", 6)) {
			hwm = atol(line + 6);
			break;
		}
	fclose(st);
	return hwm;
}

static int
cmp_double(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;
	return p < q ? -1 : p > q;
}

/* Reads STUB once into a fresh ASL; returns the ASL, or 0 on a read error. */
static ASL *
read_once(const char *stub, int pfgh)
{
	ASL *asl = ASL_alloc(pfgh ? ASL_read_pfgh : ASL_read_fg);
	FILE *nl;
	int rc;
	return_nofile = 1;	/* a missing file is reported here, not by exit(1) */
	nl = jac0dim(stub, (fint)strlen(stub));
	if (!nl) {
		ASL_free(&asl);
		return 0;
	}
	want_xpi0 = 3;
	rc = pfgh ? pfgh_read(nl, ASL_return_read_err | ASL_findgroups)
		  : fg_read(nl, ASL_return_read_err);
	if (rc) {
		ASL_free(&asl);
		return 0;
	}
	return asl;
}

int
main(int argc, char **argv)
{
	const char *stub = 0;
	long k, krep = 5, first_hwm = -1;
	int i, pfgh = 0;
	double *cpu, *wall;

	for (i = 1; i < argc; ++i) {
		if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			krep = atol(argv[++i]);
		else if (!strcmp(argv[i], "--pfgh"))
			pfgh = 1;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "aslread: unknown option %s\n", argv[i]);
			return 2;
		} else
			stub = argv[i];
	}
	if (!stub || krep < 1) {
		fprintf(stderr, "usage: aslread [--repeat K] [--pfgh] MODEL.nl\n");
		return 2;
	}
	cpu = (double *)malloc(krep * sizeof(double));
	wall = (double *)malloc(krep * sizeof(double));
	for (k = 0; k < krep; ++k) {
		double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
		ASL *asl = read_once(stub, pfgh);
		cpu[k] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
		wall[k] = clock_s(CLOCK_MONOTONIC) - w0;
		if (!asl) {
			fprintf(stderr, "aslread: the ASL cannot read %s\n", stub);
			return 3;
		}
		if (k == 0)
			first_hwm = peak_rss_kib();
		ASL_free(&asl);
	}
	qsort(cpu, krep, sizeof(double), cmp_double);
	qsort(wall, krep, sizeof(double), cmp_double);
	printf("{\"file\": \"%s\", \"mode\": \"%s\", \"repeats\": %ld, "
	       "\"best_s\": %.6g, \"median_s\": %.6g, "
	       "\"best_wall_s\": %.6g, \"median_wall_s\": %.6g, "
	       "\"peak_rss_kib\": %ld, \"peak_rss_first_kib\": %ld}\n",
	       stub, pfgh ? "pfgh" : "fg", krep, cpu[0], cpu[krep / 2],
	       wall[0], wall[krep / 2], peak_rss_kib(), first_hwm);
	free(cpu);
	free(wall);
	return 0;
}
