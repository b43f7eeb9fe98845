/* Resident photos: a picture sent from a phone or a PC becomes a small portrait the appliance can keep
   and show. The input (JPEG or PNG) is decoded, turned the way the camera says it was held (EXIF
   orientation), shrunk to fit a square of `longest_side` pixels, and written as a new JPEG. Nothing of
   the original file is copied: no EXIF, no GPS location, no camera details, no comments. */
#ifndef CPORTRAIT_H
#define CPORTRAIT_H

#include <stddef.h>

typedef enum {
    CP_OK = 0,
    CP_NOT_AN_IMAGE = 1,   /* not a JPEG or PNG, or damaged */
    CP_TOO_LARGE = 2,      /* more pixels than `max_pixels` */
    CP_UNSUPPORTED = 3,    /* a JPEG in CMYK, for example */
    CP_NO_MEMORY = 4
} cp_status;

typedef struct {
    unsigned char *jpeg;   /* free with cp_free */
    size_t size;
    int width;
    int height;
} cp_portrait;

/* Makes the portrait. `max_pixels` bounds the decoded picture (width x height), so a small file that
   claims to be enormous cannot take the box's memory. */
cp_status cp_make_portrait(const unsigned char *input, size_t size, int longest_side, int quality,
                           long max_pixels, cp_portrait *out);

void cp_free(cp_portrait *portrait);

#endif
