/*
 * output.h - writing records as CSV, TSV, JSON Lines or plain lines.
 *
 * CSV quotes a field only when it must: it holds the delimiter, a quote,
 * CR or LF, or begins or ends with a space; a record of one empty field
 * is written "" so that it is not read back as an empty line. TSV cannot
 * quote: tab, CR, LF and backslash in a value are written as \t, \r, \n
 * and \\. JSON Lines writes one object per record, keys from the header,
 * a value read from JSON in its JSON type, another that is wholly a
 * number in JSON's grammar (or marked as a number) as a number, every
 * other as a string; it is always valid
 * JSON: control bytes are escaped and each ill-formed UTF-8 subpart is
 * replaced by U+FFFD (as Python's decode(errors="replace") does).
 * The views for people (PF_TABLE, PF_XTAB, PF_MD) are written in their
 * carrier form, TSV with a marked header line, that view.h turns into
 * what people see where the output is written.
 */
#ifndef PF_OUTPUT_H
#define PF_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "support/buf.h"
#include "csv/record.h"

struct pf_output {
	enum pf_format	format;
	char		delim;
	size_t		ncols;
	char		**names;	/* JSON keys, owned */
	unsigned char	must_quote[256];
};

/*
 * Makes names[0..n) unique as Miller does: a name already given earlier
 * in the list becomes NAME_2, or NAME_3, ... the first that is not
 * (a,a,a_2,a gives a,a_2,a_2_2,a_3). Each name is malloc'd; a renamed
 * one is freed and replaced.
 */
void pf_names_unique(char **names, size_t n);

/*
 * Sets up a writer for columns called names[0..ncols) (copied, and made
 * unique by pf_names_unique(): every tool's output header passes here).
 */
void pf_output_init(struct pf_output *o, enum pf_format format, char delim,
    char *const *names, size_t ncols);
void pf_output_free(struct pf_output *o);

/* Appends the header line (nothing for JSON Lines). */
void pf_output_header(const struct pf_output *o, struct pf_buf *b);

/*
 * Appends column col of the current record. Columns are written in order
 * 0, 1, ...; pf_output_end() finishes the record. In JSON, kind (record.h)
 * says how: PF_JSON_AUTO, a value in JSON's number grammar unquoted and
 * every other a string; PF_JSON_NUMBER, an aggregate, null when it is
 * inf or nan; PF_JSON_STRING always a string; PF_JSON_LITERAL the JSON
 * text as read; PF_JSON_NULL null. Other formats write the text. A column
 * past the names (a record wider than its header) has the JSON key
 * col + 1.
 */
void pf_output_field(const struct pf_output *o, struct pf_buf *b, size_t col,
    const char *s, size_t len, enum pf_json_kind kind);
/*
 * Appends a field that is none of the columns (pmap's `*` on a record
 * wider than the header): its JSON key is pos, its 1-based position in
 * the input record; first says whether it begins the record.
 */
void pf_output_extra(const struct pf_output *o, struct pf_buf *b, bool first,
    size_t pos, const char *s, size_t len, enum pf_json_kind kind);
void pf_output_end(const struct pf_output *o, struct pf_buf *b, size_t ncols);

/*
 * Appends s[0..len) as a TSV field: tab, LF, CR and backslash as \t, \n,
 * \r and \\ (the escapes the TSV reader undoes), all else as it is.
 */
void pf_tsv_escape(struct pf_buf *b, const char *s, size_t len);

/*
 * The length of the well-formed UTF-8 sequence at s (len > 0 bytes, s[0]
 * >= 0x80), or, when it is ill-formed, minus the number of bytes that
 * one U+FFFD replaces (its maximal subpart, as Python's
 * decode(errors="replace")).
 */
int pf_utf8_sequence(const unsigned char *s, size_t len);

/*
 * Appends a whole record made of fields[0..n), of JSON kinds kinds[0..n)
 * (NULL: all PF_JSON_AUTO; a record's kinds, pf_record.kinds).
 */
void pf_output_record(const struct pf_output *o, struct pf_buf *b,
    const struct pf_field *fields, const unsigned char *kinds, size_t n);

#endif
