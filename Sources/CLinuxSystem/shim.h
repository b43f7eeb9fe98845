/* Linux calls the admin page's health checks use that Glibc's Swift module does not carry:
   sysinfo (memory, swap, uptime) and adjtimex (whether the clock is synchronised). */
#include <sys/sysinfo.h>
#include <sys/timex.h>

/* The function shares its name with its struct, which Swift cannot tell apart. */
static inline int linux_sysinfo(struct sysinfo *info) { return sysinfo(info); }
