/*
 * codecs.h - the compression formats pflow knows, named once for both
 * directions: lib/csv/codec.c reads all of them (known by their magic
 * bytes), lib/support/writer.c writes gzip and zstd (known by a file
 * name's ending).
 */
#ifndef PF_CODECS_H
#define PF_CODECS_H

enum pf_codec {
	PF_CODEC_NONE,
	PF_CODEC_GZIP,		/* written for .gz: zlib, level 6 */
	PF_CODEC_ZSTD,		/* written for .zst: libzstd, level 3 */
	PF_CODEC_BZIP2,		/* read only */
	PF_CODEC_XZ,		/* read only */
};

#endif
