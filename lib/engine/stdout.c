/*
 * stdout.c - the record output stream on stdout, through a view when the
 * output format is one (see stdout.h).
 */
#include <unistd.h>

#include "csv/view.h"
#include "engine/engine.h"
#include "engine/stdout.h"

static struct pf_view	*view;		/* NULL: bytes go out as they are */
static struct pf_buf	 shown;		/* what the view makes of a write */

void
pf_stdout_start(enum pf_format format)
{
	pf_view_free(view);
	view = pf_format_is_view(format) ? pf_view_new(format) : NULL;
}

int
pf_stdout_write(const char *s, size_t len)
{
	if (view == NULL)
		return pf_write_all(STDOUT_FILENO, s, len);
	shown.len = 0;
	pf_view_put(view, s, len, &shown);
	return pf_write_all(STDOUT_FILENO, shown.data, shown.len);
}

int
pf_stdout_finish(void)
{
	int rc;

	if (view == NULL)
		return 0;
	shown.len = 0;
	pf_view_finish(view, &shown);
	rc = pf_write_all(STDOUT_FILENO, shown.data, shown.len);
	pf_view_free(view);
	view = NULL;
	pf_buf_free(&shown);
	return rc;
}
