#!/bin/bash
# Installs the carehome appliance on Debian 12 (and, by design, Ubuntu 24.04 and Raspberry Pi OS
# arm64), or upgrades it in place. Idempotent: a second run with the same tree changes nothing.
#
#   sudo Deploy/install.sh                          # from a `make build` tree (.build/appliance)
#   sudo Deploy/install.sh --tls-cert C --tls-key K # with the home's own certificate
#
# What it does, in order: refuses an older version over a newer database; installs the runtime
# packages; backs up the database before an upgrade; copies the tree to /opt/carehome; creates
# the `carehome` user, /etc/carehome (config, TLS certificate, backup key), /var/lib/carehome and
# the backup directory; installs and starts the systemd units (appliance, nightly backup timer,
# carehome.local alias) and the avahi service; then prints the certificate fingerprint and how to
# create the first accounts.
#
# Options:
#   --tree DIR          the built appliance tree (default: .build/appliance beside Deploy/)
#   --prefix DIR        install everything under DIR (opt/, etc/, var/ inside it) for a test; the
#                       installed files refer to DIR, so the installed binary runs from there
#   --no-apt            do not install packages
#   --no-systemd        do not install/enable/start systemd units or reload avahi
#   --tls-cert F --tls-key F   use this certificate and key (PEM) instead of generating one
#   --backup-dir DIR    where nightly backups go (default /var/backups/carehome)
#   --version V         the version being installed (default: `carehome --version` of the tree)
#   --files-only --destdir DIR   only write the files into DIR (used by package.sh for the .deb)
#   --configure-only    only the system setup, for files already in place (used by the .deb's postinst)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TREE=""
ROOT=""
DESTDIR=""
APT=1
SYSTEMD=1
FILES=1
CONFIGURE=1
TLS_CERT=""
TLS_KEY=""
BACKUP_DIR=""
VERSION=""
UNIT_SUBDIR=etc/systemd/system

die() { echo "carehome-install: $*" >&2; exit 1; }
say() { echo "carehome-install: $*"; }

while [ $# -gt 0 ]; do
    case $1 in
        --tree) TREE=$2; shift 2 ;;
        --prefix) ROOT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
        --destdir) DESTDIR=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
        --no-apt) APT=0; shift ;;
        --no-systemd) SYSTEMD=0; shift ;;
        --tls-cert) TLS_CERT=$2; shift 2 ;;
        --tls-key) TLS_KEY=$2; shift 2 ;;
        --backup-dir) BACKUP_DIR=$2; shift 2 ;;
        --version) VERSION=$2; shift 2 ;;
        --files-only) CONFIGURE=0; APT=0; SYSTEMD=0; UNIT_SUBDIR=lib/systemd/system; shift ;;
        --configure-only) FILES=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -z "$ROOT" ] || [ "$ROOT" != / ] || ROOT=""
if { [ -n "$TLS_CERT" ] && [ -z "$TLS_KEY" ]; } || { [ -z "$TLS_CERT" ] && [ -n "$TLS_KEY" ]; }; then
    die "give both --tls-cert and --tls-key, or neither"
fi

OPT=$ROOT/opt/carehome
ETC=$ROOT/etc/carehome
DATA=$ROOT/var/lib/carehome
BACKUPS=${BACKUP_DIR:-$ROOT/var/backups/carehome}
UNITS=$ROOT/$UNIT_SUBDIR
AVAHI=$ROOT/etc/avahi/services
# A real install runs the service as `carehome`; a --prefix test install runs as whoever installs.
if [ -z "$ROOT" ] && [ -z "$DESTDIR" ]; then SERVICE_USER=carehome; else SERVICE_USER=""; fi
[ -n "$DESTDIR" ] || [ "$(id -u)" -eq 0 ] || [ -n "$ROOT" ] || die "run as root (sudo $0)"

# shellcheck source=upgrade-guard.sh
. "$HERE/upgrade-guard.sh"

CHANGED=0
# put SRC DEST MODE: copy only when different, so a second run changes nothing (not even times).
put() {
    local dest=$DESTDIR$2
    if [ -f "$dest" ] && cmp -s "$1" "$dest"; then
        [ "$(stat -c %a "$dest")" = "$3" ] || { chmod "$3" "$dest"; CHANGED=1; }
        return 0
    fi
    mkdir -p "$(dirname "$dest")"
    install -m "$3" "$1" "$dest.carehome-new"
    mv -f "$dest.carehome-new" "$dest"
    say "installed $2"
    CHANGED=1
}
# render TEMPLATE: the template with this installation's paths filled in, on standard output.
render() {
    sed -e "s|@PREFIX@|$OPT|g" -e "s|@CONF_DIR@|$ETC|g" -e "s|@DATA_DIR@|$DATA|g" -e "s|@BACKUP_DIR@|$BACKUPS|g" "$1"
}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
put_rendered() {   # TEMPLATE DEST MODE
    render "$1" > "$WORK/rendered"
    put "$WORK/rendered" "$2" "$3"
}

# ---- What is being installed ---------------------------------------------------------------------
if [ "$FILES" = 1 ]; then
    TREE=${TREE:-$HERE/../.build/appliance}
    [ -x "$TREE/bin/carehome" ] || die "no appliance tree at $TREE (run \`make build\` first, or give --tree DIR)"
    [ -n "$VERSION" ] || VERSION=$("$TREE/bin/carehome" --version 2>/dev/null) || die "cannot run $TREE/bin/carehome --version; give --version"
else
    # The version the files were installed as (the package's), else the binary's own.
    [ -n "$VERSION" ] || VERSION=$(cat "$OPT/VERSION" 2>/dev/null) || true
    [ -n "$VERSION" ] || VERSION=$("$OPT/bin/carehome" --version 2>/dev/null) || die "cannot run $OPT/bin/carehome --version"
fi

if [ "$CONFIGURE" = 1 ]; then
    carehome_refuse_downgrade "$VERSION" "$DATA"
fi

# ---- Runtime packages ----------------------------------------------------------------------------
if [ "$APT" = 1 ]; then
    command -v apt-get >/dev/null || die "apt-get not found: this installer is for Debian, Ubuntu and Raspberry Pi OS"
    wanted=""
    for package in libmicrohttpd12 libsqlite3-0 libzstd1 libjpeg62-turbo libpng16-16 libgnutls30 avahi-daemon avahi-utils openssl curl iproute2 ca-certificates; do
        # Ubuntu 24.04 renamed some libraries for its 64-bit time transition (libgnutls30t64 …).
        if ! apt-cache show "$package" >/dev/null 2>&1 && apt-cache show "${package}t64" >/dev/null 2>&1; then package=${package}t64; fi
        dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed" || wanted="$wanted $package"
    done
    if [ -n "$wanted" ]; then
        say "installing packages:$wanted"
        apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $wanted
    fi
fi

# ---- Back up before an upgrade -------------------------------------------------------------------
if [ "$FILES" = 1 ] && [ "$CONFIGURE" = 1 ]; then
    carehome_backup_before_upgrade "$OPT" "$DATA" "$BACKUPS" "$ETC" "$VERSION" "$SERVICE_USER"
fi

# ---- The files -----------------------------------------------------------------------------------
if [ "$FILES" = 1 ]; then
    # Everything in the tree (bin/, lib/, plugins/, share/carehome/ assets), executables 755.
    while IFS= read -r -d '' file; do
        relative=${file#"$TREE"/}
        if [ -x "$file" ] && [ "${relative%%/*}" = bin ]; then mode=755; else mode=644; fi
        put "$file" "$OPT/$relative" "$mode"
    done < <(find "$TREE" -type f -print0 | sort -z)
    # Remove what an older version had and this one does not: an old plugin must not linger.
    for kind in lib plugins share/carehome; do
        [ -d "$DESTDIR$OPT/$kind" ] || continue
        while IFS= read -r -d '' installed; do
            relative=${installed#"$DESTDIR$OPT"/}
            [ -e "$TREE/$relative" ] || { rm -f "$installed"; say "removed $OPT/$relative"; CHANGED=1; }
        done < <(find "$DESTDIR$OPT/$kind" -type f -print0)
    done
    echo "$VERSION" > "$WORK/VERSION" && put "$WORK/VERSION" "$OPT/VERSION" 644
    put "$HERE/INSTALLING.md" "$OPT/share/doc/INSTALLING.md" 644
    for file in install.sh upgrade-guard.sh carehome.conf; do
        put "$HERE/$file" "$OPT/share/deploy/$file" "$( [ "$file" = install.sh ] && echo 755 || echo 644)"
    done
    put_rendered "$HERE/carehome-first-run" "$OPT/bin/carehome-first-run" 755
    put "$HERE/carehome-mdns-alias" "$OPT/libexec/carehome-mdns-alias" 755
    for unit in carehome.service carehome-backup.service carehome-backup.timer carehome-mdns-alias.service; do
        put_rendered "$HERE/systemd/$unit" "$UNITS/$unit" 644
    done
    put "$HERE/avahi/carehome.service" "$AVAHI/carehome.service" 644
fi

if [ "$CONFIGURE" = 0 ]; then
    say "files for version $VERSION written under ${DESTDIR:-/}"
    exit 0
fi

# ---- Libraries resolve -----------------------------------------------------------------------------
# Plugins find libCareKit.so and libCareServices.so because the binary has already loaded them: check them the same way.
missing=$(LD_LIBRARY_PATH="$OPT/lib" ldd "$OPT/bin/carehome" "$OPT"/plugins/*.so 2>/dev/null | grep "not found" | sort -u || true)
[ -z "$missing" ] || die "libraries not found for the installed appliance:
$missing
(install the runtime packages, or rebuild the tree with \`make build\`)"

# ---- User and directories --------------------------------------------------------------------------
if [ -n "$SERVICE_USER" ] && ! getent passwd "$SERVICE_USER" >/dev/null; then
    useradd --system --user-group --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin \
        --comment "carehome appliance" "$SERVICE_USER"
    say "created the system user $SERVICE_USER"
    CHANGED=1
fi
# The carehome.local alias (avahi-publish) runs as its own user, with no access to the records.
if [ -n "$SERVICE_USER" ] && ! getent passwd carehome-mdns >/dev/null; then
    useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin \
        --comment "carehome appliance, carehome.local alias" carehome-mdns
    say "created the system user carehome-mdns"
    CHANGED=1
fi
directory() {   # PATH MODE OWNER(user:group or "")
    if [ ! -d "$1" ]; then mkdir -p "$1"; say "created $1"; CHANGED=1; fi
    [ "$(stat -c %a "$1")" = "$2" ] || { chmod "$2" "$1"; CHANGED=1; }
    if [ -n "$3" ] && [ -n "$SERVICE_USER" ] && [ "$(stat -c %U:%G "$1")" != "$3" ]; then chown "$3" "$1"; CHANGED=1; fi
}
directory "$ETC" 755 root:root
directory "$ETC/tls" 750 "root:$SERVICE_USER"
directory "$DATA" 750 "$SERVICE_USER:$SERVICE_USER"
directory "$BACKUPS" 750 "$SERVICE_USER:$SERVICE_USER"

secret() {   # PATH: root-owned, readable by the service's group only
    chmod 640 "$1"
    [ -z "$SERVICE_USER" ] || chown "root:$SERVICE_USER" "$1"
}

# ---- Configuration (never overwritten: the installer's edits stay) -------------------------------
if [ ! -f "$ETC/carehome.conf" ]; then
    render "$HERE/carehome.conf" > "$ETC/carehome.conf"
    chmod 644 "$ETC/carehome.conf"
    say "wrote $ETC/carehome.conf (edit home_name there)"
    CHANGED=1
elif ! render "$HERE/carehome.conf" | cmp -s - "$ETC/carehome.conf"; then
    render "$HERE/carehome.conf" > "$WORK/carehome.conf.dist"
    put "$WORK/carehome.conf.dist" "$ETC/carehome.conf.dist" 644
fi

# ---- HTTPS certificate -----------------------------------------------------------------------------
if [ -n "$TLS_CERT" ]; then
    [ "$(openssl x509 -noout -pubkey -in "$TLS_CERT" | openssl sha256)" = "$(openssl pkey -pubout -in "$TLS_KEY" | openssl sha256)" ] \
        || die "$TLS_KEY is not the private key of $TLS_CERT"
    put "$TLS_CERT" "$ETC/tls/cert.pem" 644
    put "$TLS_KEY" "$ETC/tls/key.pem" 640
    secret "$ETC/tls/key.pem"
elif [ ! -f "$ETC/tls/cert.pem" ] || [ ! -f "$ETC/tls/key.pem" ]; then
    host=$(hostname -s 2>/dev/null || hostname)
    names="DNS:carehome.local,DNS:$host,DNS:$host.local"
    for address in $(hostname -I 2>/dev/null || true); do
        case $address in *:*) ;; *) names="$names,IP:$address" ;; esac
    done
    # ECDSA P-256; 825 days is the longest validity Apple devices accept.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
        -subj "/CN=carehome.local/O=Carehome appliance ($host)" \
        -addext "subjectAltName=$names" -addext "basicConstraints=critical,CA:FALSE" \
        -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
        -keyout "$ETC/tls/key.pem" -out "$ETC/tls/cert.pem" 2>/dev/null
    chmod 644 "$ETC/tls/cert.pem"
    secret "$ETC/tls/key.pem"
    say "generated an HTTPS certificate for $names"
    CHANGED=1
fi

# ---- Backup encryption key -----------------------------------------------------------------------
if [ ! -f "$ETC/backup.key" ]; then
    (umask 077 && openssl rand -hex 32 > "$ETC/backup.key")
    secret "$ETC/backup.key"
    say "generated the backup key $ETC/backup.key: keep a copy OFF the box (see INSTALLING.md), or the backups cannot be read"
    CHANGED=1
fi

# ---- Database migrations, before the service starts ---------------------------------------------
run_as() { if [ -n "$SERVICE_USER" ]; then runuser -u "$SERVICE_USER" -- "$@"; else "$@"; fi; }
FRESH=1
[ ! -f "$DATA/home.sqlite" ] || FRESH=0
# `carehome migrate` (when the installed version has it) runs every migration now, so a failure is
# reported here rather than only in the journal; otherwise the appliance migrates as it starts.
if "$OPT/bin/carehome" --help 2>/dev/null | grep -qE '^[[:space:]]+migrate[[:space:]]'; then
    if [ "$FRESH" = 0 ]; then
        run_as "$OPT/bin/carehome" migrate --config "$ETC/carehome.conf" || die "the database migration failed (above); the backup taken before the upgrade is in $BACKUPS"
    fi
fi

# ---- systemd and avahi ---------------------------------------------------------------------------
if [ "$SYSTEMD" = 1 ]; then
    if [ "$CHANGED" = 1 ]; then systemctl daemon-reload; fi
    units="carehome.service carehome-backup.timer"
    if [ "$(hostname -s 2>/dev/null || hostname)" != carehome ]; then units="$units carehome-mdns-alias.service"; fi
    for unit in $units; do
        systemctl is-enabled --quiet "$unit" 2>/dev/null || { systemctl enable --quiet "$unit"; say "enabled $unit"; }
    done
    systemctl is-enabled --quiet avahi-daemon 2>/dev/null || systemctl enable --quiet avahi-daemon
    if [ "$CHANGED" = 1 ] || ! systemctl is-active --quiet carehome; then
        systemctl restart carehome avahi-daemon
        systemctl try-restart carehome-mdns-alias 2>/dev/null || true
        systemctl start carehome-mdns-alias 2>/dev/null || true
        healthy=0
        for _ in $(seq 1 30); do
            if curl -fsk --max-time 2 https://127.0.0.1/healthz >/dev/null 2>&1; then healthy=1; break; fi
            sleep 1
        done
        [ "$healthy" = 1 ] || die "the appliance did not answer https://127.0.0.1/healthz within 30 s. Read why with: journalctl -u carehome -n 50"
        say "the appliance is running (version $VERSION)"
    fi
    # Enabling a timer only starts it at the next boot, and an upgrade's prerm stops it: start it now,
    # or no nightly backup runs until the box is restarted.
    systemctl is-active --quiet carehome-backup.timer || { systemctl start carehome-backup.timer; say "started carehome-backup.timer"; }
fi

# The data directory has now been used by this version (the downgrade guard reads this).
if [ "$(carehome_recorded_version "$DATA")" != "$VERSION" ]; then
    echo "$VERSION" > "$DATA/.carehome-version"
    [ -z "$SERVICE_USER" ] || chown "$SERVICE_USER:$SERVICE_USER" "$DATA/.carehome-version"
fi

# ---- What the installer needs to know -------------------------------------------------------------
fingerprint=$(openssl x509 -noout -fingerprint -sha256 -in "$ETC/tls/cert.pem" | sed 's/^.*=//')
echo
echo "Carehome $VERSION is installed."
echo "  Address:      https://carehome.local  or  https://$(hostname -s 2>/dev/null || hostname).local"
echo "  Certificate:  SHA-256 $fingerprint"
echo "                (check this on each tablet the first time it connects)"
echo "  Backups:      nightly to $BACKUPS, encrypted with $ETC/backup.key (copy the key off the box)"
echo "  Logs:         journalctl -u carehome"
if [ "$FRESH" = 1 ]; then
    echo
    echo "First run: create the first admin and manager accounts (there is no default password):"
    echo "  sudo $OPT/bin/carehome-first-run"
fi
