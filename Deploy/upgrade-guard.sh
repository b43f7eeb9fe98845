# Shared by install.sh and the .deb's preinst (package.sh copies this file into it), so an upgrade
# is guarded the same way whichever way the appliance was installed. POSIX sh; defines functions only.

# The version that last used the data directory is recorded in DATA/.carehome-version.
carehome_recorded_version() {   # DATA
    if [ -f "$1/.carehome-version" ]; then head -n 1 "$1/.carehome-version"; fi
}

# Refuses (exit 1) to put an older carehome over a database a newer one has used (and migrated):
# the older program would not understand it. The server refuses a newer schema too; this says so
# before anything is changed.
carehome_refuse_downgrade() {   # NEW_VERSION DATA
    recorded=$(carehome_recorded_version "$2")
    [ -n "$recorded" ] || return 0
    if dpkg --compare-versions "$recorded" gt "$1"; then
        cat >&2 <<MESSAGE
carehome: refusing to install version $1: the home's database in $2 was last used by
carehome $recorded, which is newer. An older version cannot safely read a newer database.
Nothing was changed. Either install carehome $recorded (or newer) again, or, to really go back,
restore a backup that was made by version $1 or older (see INSTALLING.md, "Restoring").
MESSAGE
        exit 1
    fi
}

# Takes a backup before an upgrade, with the version still installed, into BACKUPS as
# pre-upgrade-OLD-to-NEW-TIME.sqlite[.enc] (never deleted by retention). The service must be stopped
# or still running: either works. If the installed version has no backup command, the stopped
# database files are copied instead. Exits 1 (upgrade refused) if no backup could be taken.
carehome_backup_before_upgrade() {   # OPT DATA BACKUPS CONF_DIR NEW_VERSION RUN_AS(user or "")
    opt=$1 data=$2 backups=$3 conf=$4 new=$5 user=$6
    [ -f "$data/home.sqlite" ] || return 0
    [ -x "$opt/bin/carehome" ] || return 0
    old=$(carehome_recorded_version "$data")
    [ -n "$old" ] || old=$("$opt/bin/carehome" --version 2>/dev/null || echo unknown)
    [ "$old" != "$new" ] || return 0
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$backups"
    name="$backups/pre-upgrade-$old-to-$new-$stamp.sqlite"
    if [ -r "$conf/backup.key" ]; then
        name="$name.enc"
        set -- "$opt/bin/carehome" backup --data-dir "$data" --to "$name" --quiet --key-file "$conf/backup.key"
    else
        set -- "$opt/bin/carehome" backup --data-dir "$data" --to "$name" --quiet
    fi
    if [ -n "$user" ]; then
        chown "$user:$user" "$backups" 2>/dev/null || true
        set -- runuser -u "$user" -- "$@"
    fi
    if "$@" >/dev/null 2>&1; then
        echo "carehome: backed up the database before upgrading ($old to $new): $name"
        return 0
    fi
    # The installed version may predate `carehome backup`: copy the files while nothing has them open.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet carehome 2>/dev/null; then
        systemctl stop carehome
    fi
    copy="$backups/pre-upgrade-$old-to-$new-$stamp"
    mkdir -p "$copy"
    for file in "$data"/home.sqlite "$data"/home.sqlite-wal; do
        [ -f "$file" ] && cp -p "$file" "$copy/"
    done
    if [ -f "$copy/home.sqlite" ] && sync; then
        echo "carehome: copied the stopped database before upgrading ($old to $new): $copy/"
        return 0
    fi
    echo "carehome: could not back up $data/home.sqlite before upgrading; upgrade refused, nothing changed." >&2
    exit 1
}
