/*
 * record.h - records, fields, the header schema, and field splitting.
 *
 * A record is the bytes between two record boundaries, without its line
 * terminator (LF or CRLF). Its fields point either into the record's raw
 * bytes or, for quoted CSV fields that contain "", into the splitter's
 * scratch buffer; both stay valid until the next call to pf_split_next()
 * on the same splitter.
 *
 * Record extent follows chunk.h's rule: a record ends at the first LF
 * outside quotes, where a quote opens a quoted field only at the start of
 * a field. The batch cutter (chunk.c) uses the same rule, so a cut is
 * always a boundary that the splitter agrees with, whatever the -j.
 * Inside that extent, fields follow RFC 4180, and a quote inside an
 * unquoted field is data (x"y, as Python's csv reads it). Text after a
 * closing quote ("a"b) makes the record malformed (PF_SPLIT_BAD_QUOTE);
 * a quote still open at the end of input is PF_SPLIT_UNTERMINATED, and
 * that record ends with the line where the quote opened, so that the
 * records after it are read.
 */
#ifndef PF_RECORD_H
#define PF_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support/buf.h"

enum pf_format {
	PF_CSV,
	PF_TSV,
	PF_LINES,
	PF_JSONL,		/* one JSON object a line (jsonl.h) */
	PF_TABLE,		/* output only, the views for people */
	PF_XTAB,		/* (view.h): --otable, --oxtab, --omd */
	PF_MD,
};

/* How input bytes become records and fields. */
struct pf_dialect {
	enum pf_format	format;
	char		delim;	/* field separator; 0 in --lines means $0 only */
	bool		header;	/* first record names the fields */
};

struct pf_field {
	const char	*ptr;
	size_t		 len;
};

/*
 * What a field is in JSON, so that JSON Lines output keeps the type a
 * value was read with (SPEC "Outputs"). JSON Lines input marks each field
 * (pf_record.kinds); text from CSV, TSV or an expression is PF_JSON_AUTO:
 * a number when it is wholly one in JSON's grammar, else a string.
 */
enum pf_json_kind {
	PF_JSON_AUTO,
	PF_JSON_NUMBER,		/* an aggregate: a number, null when inf or
				   nan, a string when no number */
	PF_JSON_STRING,		/* read as a JSON string: always a string */
	PF_JSON_LITERAL,	/* a number, true, false, an array or an
				   object: its (compact) JSON text */
	PF_JSON_NULL,		/* null, or a key the object lacks (the
				   text is empty) */
};

struct pf_record {
	const char	*raw;		/* the record's bytes, no terminator */
	size_t		 raw_len;
	struct pf_field	*fields;	/* fields[0..nfields-1] are $1..$n */
	size_t		 nfields;	/* fields split: all of them, or the
					   splitter's want if less (a
					   well-formed record only) */
	size_t		 field_count;	/* fields in the record */
	uint64_t	 order;		/* increases with input position */
	uint64_t	 nr;		/* 1-based number in the whole input,
					   when the tool asks (record_numbers
					   in engine.h); else 0 */
	uint64_t	 in_batch;	/* set by the engine: its 1-based index
					   in its batch (malformed counted) */
	uint64_t	 lines_before;	/* ... and the LFs before it there */
	const char	*file;		/* set by the engine: the operand it
					   came from, as given ("-": stdin) */
	const unsigned char *kinds;	/* JSON Lines input: kinds[i] is
					   fields[i]'s enum pf_json_kind;
					   NULL for other formats (every
					   split sets it) */
};

/* Field i's JSON kind, given its record's kinds (NULL: PF_JSON_AUTO). */
static inline enum pf_json_kind
pf_json_kind_at(const unsigned char *kinds, size_t i)
{
	return kinds != NULL ? (enum pf_json_kind)kinds[i] : PF_JSON_AUTO;
}

/*
 * Field names from the header (or "1".."n" without one).
 *
 * A schema with any_name set stands for a header that was expected but
 * never came (empty input: engine.h, check): it has no fields, yet takes
 * every name and position as a field, so that what the user wrote is
 * checked for everything but its names. It serves only to compile, never
 * to run: the index it gives a name means nothing.
 */
struct pf_schema {
	size_t	  nfields;
	char	**names;
	bool	  has_header;
	bool	  any_name;
	bool	  one_field;	/* --lines without -d: each line is $1 */
};

/*
 * Returns the 0-based index of the field called name (a header name, or
 * a 1-based position written in digits), or -1 if there is none (never
 * with any_name: then a name that is no position is field 0).
 */
long pf_schema_find(const struct pf_schema *s, const char *name, size_t len);

/*
 * The field rule (SPEC "Fields"), for a field name as the user typed it,
 * the same in every tool: an exact header name (any bytes, spaces
 * included), else a braced name ("{Major Genre}", "{a:b}"), else a
 * 1-based position. Returns the 0-based index, or -1 (the caller then
 * tries an expression where one is allowed, or calls
 * pf_field_unknown()).
 */
long pf_field_lookup(const struct pf_schema *s, const char *typed,
    size_t len);
/*
 * Warns "unknown field 'TYPED'[ in CONTEXT][; did you mean 'NAME'?]
 * (fields: a, b, c)": every field, on lines of their own when the list
 * is long.
 */
void pf_field_unknown(const struct pf_schema *s, const char *typed,
    const char *context);
/* The same message in msg[0..size) (TYPED is typed[0..len)). */
void pf_field_unknown_text(const struct pf_schema *s, const char *typed,
    size_t len, const char *context, char *msg, size_t size);
/* "a, b, c": the names, for "unknown field" messages. Caller frees. */
char *pf_schema_list(const struct pf_schema *s);
void pf_schema_free(struct pf_schema *s);

enum pf_split_status {
	PF_SPLIT_OK,
	PF_SPLIT_BAD_QUOTE,	/* a quote where RFC 4180 allows none */
	PF_SPLIT_UNTERMINATED,	/* end of input inside quotes */
	PF_SPLIT_JSON,		/* JSON Lines: the splitter's why says */
};

/*
 * Why a split record is malformed, or NULL if it is not: its split
 * status, then, when nfields is not 0 (a header fixed it), its field
 * count against nfields. Every tool checks records with this (inline:
 * the engine calls it for every record).
 */
static inline const char *
pf_record_malformed(enum pf_split_status status, size_t field_count,
    size_t nfields)
{
	if (status == PF_SPLIT_BAD_QUOTE)
		return "malformed quoting";
	if (status == PF_SPLIT_UNTERMINATED)
		return "unterminated quoted field";
	if (status == PF_SPLIT_JSON)
		return "malformed JSON Lines record";
	if (nfields != 0 && field_count != nfields)
		return field_count < nfields ? "too few fields" :
		    "too many fields";
	return NULL;
}

/*
 * Reports a data error at a record, the one way every tool does:
 * "PROG: FILE:LINE (record N): why", LINE the 1-based line where the
 * record starts, N its 1-based number (see also pf_reader_report).
 */
void pf_report_record(const char *file, uint64_t line, uint64_t record,
    const char *why);

/*
 * Bytes that must be readable after the end of a buffer given to
 * pf_split_next(): the '\n' sentinel and padding for 64-byte loads.
 */
#define PF_SPLIT_PAD	64

/*
 * What the CPU's kernel (csv/scan.h) read past the last record it split:
 * the bit masks of the 64 bytes at blk, for the next call on the same
 * batch (p where that record ended, the same end and dialect), so that
 * each byte of a batch is classified once.
 */
struct pf_split_memo {
	const char	*blk, *next, *end;	/* next NULL: nothing kept */
	uint64_t	 quote, delim, lf;
	char		 delim_c, special;
};

struct pf_jsonl_keys;
struct pf_split_run;

/* Per-thread splitting state: the field array and the unquoting scratch. */
struct pf_splitter {
	struct pf_field	*fields;
	size_t		*scratch_at;	/* offsets into scratch, for unquoted "" */
	size_t		 cap;
	struct pf_buf	 scratch;
	size_t		 want;		/* fields to split; 0: all (the rest
					   of a well-formed record is only
					   counted) */
	struct pf_split_memo memo;
	struct pf_split_run *run;	/* records split ahead (split_run.h) */
	const char	*resume;	/* the last call's result: memo and run
					   serve only a call at that p */
	/* JSON Lines (jsonl.c): why a record is malformed, the key table,
	   the open brackets of a container. */
	char		 why[192];
	const struct pf_jsonl_keys *json_keys;
	const struct pf_jsonl_keys *own_keys;	/* set by its owner: a key
						   table of its own (pjoin's
						   TABLE), not the stream's */
	struct pf_buf	 json_stack;
	unsigned char	*kinds;		/* the fields' JSON kinds */
	size_t		 kinds_cap;
	size_t		 json_member;	/* the key expected next: the one
					   after the last, in the first
					   object's order */
};

void pf_splitter_free(struct pf_splitter *sp);

/* Adds the sentinel and padding after b's bytes (b->len is unchanged). */
void pf_split_pad(struct pf_buf *b);

/*
 * Splits the record that starts at p, in [p, end). The caller guarantees
 * that a record boundary lies at end (end is the end of a batch or of
 * input), that end[0] holds '\n' (a sentinel) and that PF_SPLIT_PAD bytes
 * from end on are readable (pf_split_pad() arranges both), and that the
 * bytes of [p, end + PF_SPLIT_PAD) do not change while a batch is split
 * record after record: the splitter keeps masks of bytes past a record,
 * and records split ahead (split_run.h), for a next call whose p is this
 * call's result; any other call starts afresh. Fills *rec (raw, fields)
 * and returns
 * the position after the record's terminator, or NULL when [p, end) holds
 * no more records. Empty lines are not records in CSV and TSV: they are
 * skipped (--lines keeps them). *lines is set, also when NULL is returned,
 * to the number of LFs consumed, so line numbers stay exact. *status
 * reports malformed quoting; rec->raw is valid even then, so the record
 * can go to --bad.
 */
const char *pf_split_next(struct pf_splitter *sp, const struct pf_dialect *d,
    const char *p, const char *end, struct pf_record *rec,
    size_t *lines, enum pf_split_status *status);

/*
 * pf_split_next() for --lines -d ' ' (split_blanks.c): the line at p
 * (p < end) is split on runs of blanks (spaces and tabs), leading and
 * trailing blanks ignored, as awk's default does: a line of blanks has
 * no field. The same contract as pf_split_next() otherwise.
 */
const char *pf_split_blanks(struct pf_splitter *sp, const char *p,
    const char *end, struct pf_record *rec, size_t *lines);

#endif
