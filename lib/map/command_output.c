/*
 * command_output.c - writing the jobs' output: in input order (the head
 * job streams), or as jobs end with --unordered; --failed records; a
 * closed stdout stops everything quietly.
 */
#include <errno.h>
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "map/command_int.h"
#include "engine/engine.h"

/*
 * stdout is gone (why RUN_OUTPUT_CLOSED) or a write failed (why
 * RUN_WRITE_FAILED): the run stops, and the running commands get
 * SIGTERM, as their output has nowhere to go.
 */
void
cmd_close_output(struct cmd *c, enum run_state why)
{
	int i;

	cmd_set_state(c, why);
	for (i = 0; i < c->nrun; i++)
		pf_child_kill(&c->run[i]->child, SIGTERM);
}

void
cmd_put_out(struct cmd *c, struct pf_buf *b)
{
	if (b->len == 0)
		return;
	if (!cmd_output_closed(c) &&
	    pf_write_all(STDOUT_FILENO, b->data, b->len) != 0) {
		if (errno != EPIPE)
			warn("write error");
		cmd_close_output(c, errno == EPIPE ? RUN_OUTPUT_CLOSED :
		    RUN_WRITE_FAILED);
	}
	b->len = 0;
}

/* Writes a DONE job's output and --failed records, frees its slot. */
static void
emit_job(struct cmd *c, struct job *j)
{
	cmd_put_out(c, &j->out);
	if (j->failed && c->failed.f != NULL) {
		if (cmd_load_input(c, j)) {
			fwrite(j->input.data, 1, j->input.len, c->failed.f);
			cmd_check_written(c, &c->failed);
		} else
			c->data_error = true;
	}
	j->state = J_FREE;
	if (j->out.cap > 4 * STREAM_AT)
		pf_buf_free(&j->out);
	if (j->input.cap > 4 * c->opt->chunk)
		pf_buf_free(&j->input);
}

void
cmd_write_output(struct cmd *c)
{
	struct job *j;
	uint64_t s;

	if (c->a->unordered) {
		for (s = c->head_seq; s < c->next_seq; s++) {
			j = job_at(c, s);
			if (j->state == J_DONE)
				emit_job(c, j);
		}
		while (c->head_seq < c->next_seq &&
		    job_at(c, c->head_seq)->state == J_FREE)
			c->head_seq++;
		return;
	}
	while (c->head_seq < c->next_seq &&
	    (j = job_at(c, c->head_seq))->state == J_DONE) {
		emit_job(c, j);
		c->head_seq++;
	}
	/* The head streams, unless a retry may still drop its output. */
	if (c->head_seq < c->next_seq && c->a->retries == 0 &&
	    (j = job_at(c, c->head_seq))->state == J_RUN)
		cmd_put_out(c, &j->out);
}
