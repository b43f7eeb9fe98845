/* See cportrait.h. libjpeg-turbo and libpng, from Debian (libjpeg62-turbo-dev, libpng-dev). */
#include "cportrait.h"

#include <stdint.h>
#include <stdio.h>   /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <png.h>

typedef struct {
    unsigned char *pixels; /* RGB, 3 bytes a pixel, rows top to bottom */
    int width, height;
} rgb_image;

/* ---- EXIF orientation (tag 0x0112 in IFD0 of the APP1 "Exif" segment) ---- */

static unsigned read16(const unsigned char *p, int big) { return big ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]); }
static uint32_t read32(const unsigned char *p, int big) {
    return big ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
               : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
}

/* 1 to 8 as the EXIF standard numbers them; 1 (as stored) when absent or unreadable. */
static int exif_orientation(const unsigned char *data, size_t size) {
    if (size < 14 || memcmp(data, "Exif\0\0", 6) != 0) return 1;
    const unsigned char *tiff = data + 6;
    size_t length = size - 6;
    int big;
    if (memcmp(tiff, "MM", 2) == 0) big = 1;
    else if (memcmp(tiff, "II", 2) == 0) big = 0;
    else return 1;
    uint32_t ifd = read32(tiff + 4, big);
    if (ifd > length || length - ifd < 2) return 1;
    unsigned entries = read16(tiff + ifd, big);
    for (unsigned i = 0; i < entries; i++) {
        size_t at = (size_t)ifd + 2 + (size_t)i * 12;
        if (at + 12 > length) return 1;
        if (read16(tiff + at, big) == 0x0112) {
            unsigned value = read16(tiff + at + 8, big);
            return value >= 1 && value <= 8 ? (int)value : 1;
        }
    }
    return 1;
}

/* ---- JPEG ---- */

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf escape;
} jpeg_failure;

static void jpeg_fail(j_common_ptr info) {
    jpeg_failure *failure = (jpeg_failure *)info->err;
    longjmp(failure->escape, 1);
}

static void jpeg_quiet(j_common_ptr info, int level) { (void)info; (void)level; }

static cp_status decode_jpeg(const unsigned char *input, size_t size, int longest_side, long max_pixels,
                             rgb_image *image, int *orientation) {
    struct jpeg_decompress_struct info;
    jpeg_failure failure;
    unsigned char *volatile pixels = NULL;
    info.err = jpeg_std_error(&failure.base);
    failure.base.error_exit = jpeg_fail;
    failure.base.emit_message = jpeg_quiet;
    if (setjmp(failure.escape)) {
        free(pixels);
        jpeg_destroy_decompress(&info);
        return CP_NOT_AN_IMAGE;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, input, (unsigned long)size);
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    if (jpeg_read_header(&info, TRUE) != JPEG_HEADER_OK) {
        jpeg_destroy_decompress(&info);
        return CP_NOT_AN_IMAGE;
    }
    if ((long)info.image_width * (long)info.image_height > max_pixels) {
        jpeg_destroy_decompress(&info);
        return CP_TOO_LARGE;
    }
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&info);
        return CP_UNSUPPORTED;
    }
    *orientation = 1;
    for (jpeg_saved_marker_ptr marker = info.marker_list; marker; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1) *orientation = exif_orientation(marker->data, marker->data_length);
    }
    info.out_color_space = JCS_RGB;
    /* Let the decoder shrink by 2, 4 or 8 while the picture stays larger than the portrait. */
    unsigned longest = info.image_width > info.image_height ? info.image_width : info.image_height;
    unsigned denominator = 1;
    while (denominator < 8 && longest / (denominator * 2) >= (unsigned)longest_side) denominator *= 2;
    info.scale_num = 1;
    info.scale_denom = denominator;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    pixels = malloc(stride * info.output_height);
    if (!pixels) {
        jpeg_destroy_decompress(&info);
        return CP_NO_MEMORY;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    image->pixels = pixels;
    image->width = (int)info.output_width;
    image->height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    return CP_OK;
}

/* ---- PNG (libpng's simplified API; transparency laid on white) ---- */

static cp_status decode_png(const unsigned char *input, size_t size, long max_pixels, rgb_image *image) {
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, input, size)) return CP_NOT_AN_IMAGE;
    if ((long)png.width * (long)png.height > max_pixels) {
        png_image_free(&png);
        return CP_TOO_LARGE;
    }
    png.format = PNG_FORMAT_RGB;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(png));
    if (!pixels) {
        png_image_free(&png);
        return CP_NO_MEMORY;
    }
    png_color white = { 255, 255, 255 };
    if (!png_image_finish_read(&png, &white, pixels, 0, NULL)) {
        free(pixels);
        png_image_free(&png);
        return CP_NOT_AN_IMAGE;
    }
    image->pixels = pixels;
    image->width = (int)png.width;
    image->height = (int)png.height;
    return CP_OK;
}

/* ---- Shrinking (each new pixel the average of the block of old ones it covers) ---- */

static cp_status shrink(const rgb_image *source, int longest_side, rgb_image *result) {
    int w = source->width, h = source->height;
    int longest = w > h ? w : h;
    int nw = w, nh = h;
    if (longest > longest_side) {
        nw = (int)((long)w * longest_side / longest);
        nh = (int)((long)h * longest_side / longest);
        if (nw < 1) nw = 1;
        if (nh < 1) nh = 1;
    }
    unsigned char *out = malloc((size_t)nw * nh * 3);
    if (!out) return CP_NO_MEMORY;
    for (int oy = 0; oy < nh; oy++) {
        int y0 = (int)((long)oy * h / nh), y1 = (int)((long)(oy + 1) * h / nh);
        if (y1 <= y0) y1 = y0 + 1;
        for (int ox = 0; ox < nw; ox++) {
            int x0 = (int)((long)ox * w / nw), x1 = (int)((long)(ox + 1) * w / nw);
            if (x1 <= x0) x1 = x0 + 1;
            unsigned long sum[3] = { 0, 0, 0 };
            for (int y = y0; y < y1; y++) {
                const unsigned char *p = source->pixels + ((size_t)y * w + x0) * 3;
                for (int x = x0; x < x1; x++, p += 3) {
                    sum[0] += p[0]; sum[1] += p[1]; sum[2] += p[2];
                }
            }
            unsigned long count = (unsigned long)(x1 - x0) * (unsigned long)(y1 - y0);
            unsigned char *q = out + ((size_t)oy * nw + ox) * 3;
            for (int c = 0; c < 3; c++) q[c] = (unsigned char)((sum[c] + count / 2) / count);
        }
    }
    result->pixels = out;
    result->width = nw;
    result->height = nh;
    return CP_OK;
}

/* ---- Turning the picture the way the camera was held ---- */

static cp_status orient(const rgb_image *source, int orientation, rgb_image *result) {
    int w = source->width, h = source->height;
    int swap = orientation >= 5;
    int dw = swap ? h : w, dh = swap ? w : h;
    unsigned char *out = malloc((size_t)dw * dh * 3);
    if (!out) return CP_NO_MEMORY;
    for (int dy = 0; dy < dh; dy++) {
        for (int dx = 0; dx < dw; dx++) {
            int sx, sy;
            switch (orientation) {
            case 2: sx = w - 1 - dx; sy = dy; break;              /* mirrored */
            case 3: sx = w - 1 - dx; sy = h - 1 - dy; break;      /* upside down */
            case 4: sx = dx; sy = h - 1 - dy; break;              /* mirrored upside down */
            case 5: sx = dy; sy = dx; break;                      /* mirrored, on its side */
            case 6: sx = dy; sy = h - 1 - dx; break;              /* turn a quarter clockwise */
            case 7: sx = w - 1 - dy; sy = h - 1 - dx; break;      /* mirrored, on its other side */
            case 8: sx = w - 1 - dy; sy = dx; break;              /* turn a quarter anticlockwise */
            default: sx = dx; sy = dy; break;
            }
            memcpy(out + ((size_t)dy * dw + dx) * 3, source->pixels + ((size_t)sy * w + sx) * 3, 3);
        }
    }
    result->pixels = out;
    result->width = dw;
    result->height = dh;
    return CP_OK;
}

/* ---- A new JPEG: only the pixels are written ---- */

static cp_status encode_jpeg(const rgb_image *image, int quality, cp_portrait *out) {
    struct jpeg_compress_struct info;
    jpeg_failure failure;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    info.err = jpeg_std_error(&failure.base);
    failure.base.error_exit = jpeg_fail;
    failure.base.emit_message = jpeg_quiet;
    if (setjmp(failure.escape)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return CP_NO_MEMORY;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)image->width;
    info.image_height = (JDIMENSION)image->height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)image->width * 3;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = image->pixels + stride * info.next_scanline;
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    out->jpeg = buffer;
    out->size = size;
    out->width = image->width;
    out->height = image->height;
    return CP_OK;
}

cp_status cp_make_portrait(const unsigned char *input, size_t size, int longest_side, int quality,
                           long max_pixels, cp_portrait *out) {
    memset(out, 0, sizeof *out);
    if (!input || size < 8 || longest_side < 1) return CP_NOT_AN_IMAGE;
    rgb_image decoded = { 0 }, small = { 0 }, turned = { 0 };
    int orientation = 1;
    cp_status status;
    if (input[0] == 0xFF && input[1] == 0xD8) status = decode_jpeg(input, size, longest_side, max_pixels, &decoded, &orientation);
    else if (png_sig_cmp(input, 0, 8) == 0) status = decode_png(input, size, max_pixels, &decoded);
    else return CP_NOT_AN_IMAGE;
    if (status != CP_OK) return status;
    status = shrink(&decoded, longest_side, &small);
    free(decoded.pixels);
    if (status != CP_OK) return status;
    status = orient(&small, orientation, &turned);
    free(small.pixels);
    if (status != CP_OK) return status;
    status = encode_jpeg(&turned, quality, out);
    free(turned.pixels);
    return status;
}

void cp_free(cp_portrait *portrait) {
    if (!portrait) return;
    free(portrait->jpeg);
    portrait->jpeg = NULL;
    portrait->size = 0;
}
