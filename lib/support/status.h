/*
 * status.h - the exit statuses every tool returns (pflow(7), EXIT
 * STATUS). Functions that stop a run return one of these.
 */
#ifndef PF_STATUS_H
#define PF_STATUS_H

enum pf_status {
	PF_OK = 0,	/* success */
	PF_FAILED = 1,	/* bad data, a failed command, an I/O error */
	PF_USAGE = 2,	/* bad options, unknown fields, bad expressions */
};

#endif
