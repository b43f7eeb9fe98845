// Zstandard, from Debian's libzstd-dev: compresses backups before they are encrypted.
#include <zstd.h>
