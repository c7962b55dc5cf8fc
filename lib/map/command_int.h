/*
 * command_int.h - what the files of pmap's command mode share: the run
 * (struct cmd), its jobs and open batches, the workers' records (struct
 * entry), compiled templates, and the functions one file calls in
 * another. The design is in command.c.
 */
#ifndef PF_COMMAND_INT_H
#define PF_COMMAND_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "map/command.h"
#include "csv/reader.h"
#include "engine/engine.h"
#include "csv/record.h"
#include "expr/expr.h"
#include "expr/keys.h"
#include "process/resume.h"
#include "process/spawn.h"
#include "support/buf.h"
#include "support/outfile.h"
#include "support/table.h"

#define WINDOW_PER_JOB	16
#define WINDOW_MIN	64
#define GRACE_MS	500
#define BACKOFF_MS	100
#define BACKOFF_MAX_MS	2000
#define DEFAULT_BATCH_TIMEOUT_MS 1000
#define STREAM_AT	(256 * 1024)

enum mode { MODE_RECORD, MODE_BATCH, MODE_PIPE };

/*
 * The run's state. It only moves down this list (a later event never
 * undoes an earlier one), by cmd_set_state():
 *
 *   RUN_GOING --(a command failed, with --halt)--> RUN_HALTED
 *   RUN_GOING, RUN_HALTED --(SIGINT, SIGTERM)--> RUN_INTERRUPTED
 *   any earlier --(stdout's reader is gone: EPIPE)--> RUN_OUTPUT_CLOSED
 *   any earlier --(a write to stdout or a file failed)--> RUN_WRITE_FAILED
 *
 * In every state but RUN_GOING the run is stopping: no command starts,
 * jobs not started are dropped, the engine is told to stop, and the
 * running commands are waited for (after SIGINT and SIGTERM, which are
 * forwarded to them, their output is still written). From
 * RUN_OUTPUT_CLOSED on nothing more is written to stdout and the running
 * commands get SIGTERM. The signal that interrupted the run is kept in
 * struct cmd's signal whatever state follows (the reader of stdout often
 * dies of the same ^C). cmd_exit_status() (command.c) turns it all into
 * the exit status.
 */
enum run_state {
	RUN_GOING,
	RUN_HALTED,
	RUN_INTERRUPTED,
	RUN_OUTPUT_CLOSED,
	RUN_WRITE_FAILED,
};
enum job_state { J_FREE, J_WAIT, J_RUN, J_RETRY, J_DONE };

struct job {
	enum job_state	 state;
	uint64_t	 seq;		/* 1-based, in input order */
	uint64_t	 first_rec;	/* record number of its first record */
	uint64_t	 nrec;
	struct pf_buf	 input;		/* its records, raw, each + '\n' */
	struct pf_buf	 argbuf;	/* substituted arguments, NUL-separated */
	char		**argv;
	size_t		 argv_cap;
	struct pf_buf	 envbuf;	/* "PFLOW_BATCH_KEY=..." */
	char		*env[2];
	struct pf_buf	 out;		/* stdout not yet written */
	uint64_t	 received;	/* stdout bytes of the last attempt */
	struct pf_child	 child;
	int		 attempts;
	size_t		 fed;		/* header + input bytes written */
	int		 file;		/* --pipe: the operand input came from */
	off_t		 file_offset;	/* ... where in it; -1: unknown */
	size_t		 file_len;	/* ... and how long (input may be
					   empty until needed) */
	bool		 no_splice;	/* it could not be spliced */
	bool		 reaped;
	int		 wstatus;
	int		 spawn_err;
	bool		 timed_out;
	bool		 failed;
	bool		 skipped;	/* not run: --resume, or stopped */
	uint64_t	 nul_line;	/* an argument would hold a NUL byte:
					   the line of its record, else 0 */
	int		 nul_file;	/* ... and the operand it is in */
	long long	 started_ms, deadline_ms, kill_ms, retry_ms;
	double		 started_wall;
};

/*
 * A batch being filled (--batch), one per key: the state block of the
 * key's group in the batch table (table.h), so zeroed when the key is new.
 */
struct open_batch {
	const char	*key;		/* the encoded key (keys.h), in the
					   table's arena */
	size_t		 keylen;
	struct pf_buf	 input;
	uint64_t	 n, first_rec;
	uint64_t	 nul_line;	/* see struct job */
	int		 nul_file;
	long long	 first_ms;
	bool		 active;
	struct open_batch *prev, *next;	/* active ones, oldest first */
};

/*
 * A record as a worker hands it to the loop, in the batch's output
 * (engine.h): this head, then the raw record, its arguments (record mode:
 * each ended by a NUL, {#} left out), its encoded key (--batch-key), and
 * nseq uint32_t offsets in the arguments where {#} goes.
 */
struct entry {
	uint32_t	 size;		/* the whole entry, head included */
	uint32_t	 raw_len, arg_len, key_len, nseq;
	uint32_t	 nul;		/* an argument would hold a NUL byte */
	uint64_t	 in_batch;	/* pf_record's */
	uint64_t	 lines_before;
};

/* A worker's scratch space. */
struct cmd_worker {
	struct cmd	*c;
	struct pf_eval	*eval;		/* --batch-key expressions */
	struct pf_buf	 args, key, seqs;
	const char	*failure;	/* why the last record failed */
};

enum part_kind { P_TEXT, P_RAW, P_FIELD, P_SEQ };

struct part {
	enum part_kind	 kind;
	const char	*s;		/* the text, or the placeholder's */
	size_t		 len;
	long		 field;
};

struct targ {
	struct part	*parts;
	size_t		 nparts;
};

struct cmd {
	const struct pf_options		*opt;
	const struct pf_command_args	*a;
	enum mode	 mode;
	char		**argv_cmd;
	size_t		 nargs;
	struct targ	*targs;		/* nargs of them: argv_cmd's, and the
					   values passed beside a shell's
					   script (command_template.c) */
	struct pf_buf	 script_text;	/* what that script's parts point to */
	bool		 append_raw;
	size_t		*argoff;

	struct pf_tool	 tool;		/* our callbacks for the engine */
	struct pf_engine *engine;
	const struct pf_reader *reader;	/* the engine's */
	const struct pf_schema *schema;
	struct pf_buf	 header;	/* raw header + '\n', or empty */
	struct pf_splitter sp;
	bool		 have_batch;	/* a batch from the engine is open */
	struct pf_batch_info batch;	/* ... what it is */
	const struct pf_buf *entries;	/* ... its records (struct entry) */
	size_t		 entry_at;	/* ... the next one's offset */
	int		 splice_file;	/* operand splice_fd reads, or -1 */
	int		 splice_fd;	/* -1: that operand cannot be spliced */
	bool		 input_done;

	bool		 keyed;		/* --batch-key */
	struct pf_keys	 keys;		/* ... compiled, by the field rule */
	struct pf_buf	 scratch;	/* argv of a stdin job */
	struct pf_buf	 scratch_seqs;
	struct pf_arena	 arena;		/* the batch table's keys */
	struct pf_groups batches;	/* key -> struct open_batch */
	struct open_batch *oldest, *newest;

	struct job	*jobs;
	uint64_t	 window;
	uint64_t	 next_seq, head_seq, start_seq;
	struct job	**run;
	int		 nrun;
	int		 nretry;
	int		 spawn_limit;	/* out of descriptors or processes with
					   this many running: start no more
					   until one ends; 0: -j */
	uint64_t	 spawn_waits;	/* starts put off for that */

	long long	*rate_ring;
	size_t		 rate_pos, rate_count;

	enum run_state	 state;		/* see enum run_state */
	int		 signal;	/* the first SIGINT or SIGTERM, or 0 */
	bool		 data_error;	/* an input could not be read again
					   (not a state: the run goes on) */
	uint64_t	 nok, nfailed;
	int		 spawn_err;	/* the "cannot run" said once */
	uint64_t	 nspawn_same;	/* failures like it, not repeated */
	struct pf_outfile failed, joblog;	/* f NULL: not asked for */
	struct pf_inputs inputs;	/* -a files, for "input is output" */
	struct pf_resume resume;	/* --resume: jobs that succeeded */
};

/* Moves the run to state s, unless it is there or past it already. */
static inline void
cmd_set_state(struct cmd *c, enum run_state s)
{
	if (s > c->state)
		c->state = s;
}

/* Whether the run is stopping: nothing more starts. */
static inline bool
cmd_stopping(const struct cmd *c)
{
	return c->state != RUN_GOING;
}

/* Whether stdout takes no more output. */
static inline bool
cmd_output_closed(const struct cmd *c)
{
	return c->state >= RUN_OUTPUT_CLOSED;
}

static inline struct job *
job_at(struct cmd *c, uint64_t seq)
{
	return &c->jobs[seq % c->window];
}

/* command_records.c: the engine's callbacks (the workers' side) */
void cmd_tool_init(struct cmd *c);

/* command_template.c: argument templates */
int cmd_compile_templates(struct cmd *c);
void cmd_expand_args(const struct cmd *c, struct pf_buf *args,
    struct pf_buf *seqs, const struct pf_record *rec);
void cmd_set_argv(struct cmd *c, struct job *j, const char *args,
    size_t len, const char *seqs, size_t nseq);
void cmd_build_argv(struct cmd *c, struct job *j, const struct pf_record *rec);
bool cmd_args_hold_nul(const struct cmd *c, const struct pf_record *rec);

/* command_job.c: starting, feeding and ending jobs; --joblog */
int cmd_start_limit(const struct cmd *c);
bool cmd_room_for_job(const struct cmd *c);
struct job *cmd_job_new(struct cmd *c);
void cmd_job_prepare_stdin_job(struct cmd *c, struct job *j);
long long cmd_rate_wait(const struct cmd *c, long long now);
void cmd_run_remove(struct cmd *c, struct job *j);
bool cmd_load_input(struct cmd *c, struct job *j);
void cmd_feed_job(struct cmd *c, struct job *j);
void cmd_start_jobs(struct cmd *c, long long now);
bool cmd_check_written(struct cmd *c, struct pf_outfile *o);
void cmd_job_final(struct cmd *c, struct job *j, long long now);

/* command_output.c: output in input order */
void cmd_close_output(struct cmd *c, enum run_state why);
void cmd_put_out(struct cmd *c, struct pf_buf *b);
void cmd_write_output(struct cmd *c);

/* command_input.c: records and chunks into jobs, --batch */
void cmd_take_input(struct cmd *c, long long now);

/* command_loop.c: the poll(2) loop */
void cmd_event_loop(struct cmd *c, int events_fd);

#endif
