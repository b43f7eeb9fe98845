#!/bin/bash
# Backups and restores with the installed binary, as an installer would run them: backups while
# another process keeps writing, restored and compared row for row; encrypted backups; damaged,
# wrong-key and newer-version backups refused with nothing changed; no restore under a running
# appliance; the current database kept aside; retention pruning in a backup directory.
#   Tests/Deploy/test_backup_restore.sh   (needs the `make build` tree, or CAREHOME_TREE=DIR)
. "$(dirname "$0")/lib.sh"
DB=$(dirname "$0")/dbtool.py

P=$(install_prefix backup) || { fail "install.sh into a prefix"; finish; exit 1; }
CAREHOME=$P/opt/carehome/bin/carehome
CONF=$P/etc/carehome/carehome.conf
KEY=$P/etc/carehome/backup.key
DATA=$P/var/lib/carehome
BACKUPS=$P/var/backups/carehome
printf 'a long admin password\n' | "$CAREHOME" user add --config "$CONF" --username ada.admin --role admin >/dev/null 2>&1
check "a home database exists after the first account is added" test -f "$DATA/home.sqlite"
python3 "$DB" fill "$DATA/home.sqlite" 3000

# Backups while another process keeps saving, one transaction at a time.
python3 "$DB" write "$DATA/home.sqlite" "$SCRATCH/stop-writing" &
WRITER=$!
BACKGROUND="$BACKGROUND $WRITER"
until [ "$(python3 "$DB" count "$DATA/home.sqlite")" -gt 3050 ]; do sleep 0.1; done
for n in 1 2 3; do
    out=$("$CAREHOME" backup --config "$CONF" --key-file "$KEY" 2>&1)
    if grep -q "^Checked: .*integrity ok" <<<"$out"; then pass "backup $n while writes go on: written and checked"; else fail "backup $n while writes go on" "$out"; fi
done
check "the writer was still saving after the backups (the backups did not block it)" kill -0 "$WRITER"
during=$(python3 "$DB" count "$DATA/home.sqlite")
sleep 0.3
check "saves went on being committed during and after the backups" bash -c "[ \$(python3 '$DB' count '$DATA/home.sqlite') -gt $during ] || [ $during -gt 3050 ]"
touch "$SCRATCH/stop-writing"; wait "$WRITER"
LATEST=$(ls "$BACKUPS"/carehome-*.sqlite.enc | sort | tail -n 1)
check "the nightly file name is carehome-<UTC time>.sqlite.enc in backup_dir" test -n "$LATEST"
check "no partial file is left in the backup directory" bash -c "! ls -A '$BACKUPS' | grep -q partial"
check "the backup records the time of the last good backup for /healthz" grep -q "\"finishedAt\"" "$DATA/backup-status.json"

# The replacement box gets the home's audit key back with the backup key (INSTALLING.md): the trail's
# entries are keyed with it.
mkdir -p "$SCRATCH/new-box" && cp "$DATA/audit.key" "$SCRATCH/new-box/audit.key"
out=$("$CAREHOME" restore --data-dir "$SCRATCH/new-box" --from "$LATEST" --key-file "$KEY" 2>&1)
if grep -q "Restored the backup" <<<"$out"; then pass "restore into an empty data directory (a replacement box)"; else fail "restore into an empty data directory" "$out"; fi
k=$(python3 "$DB" compare "$DATA/home.sqlite" "$SCRATCH/new-box/home.sqlite" 2>&1)
if [[ $k =~ ^[0-9]+$ ]] && [ "$k" -ge 3050 ]; then pass "the restored home holds exactly the first $k notes, none torn, identical to the source"; else fail "restored copy matches the source" "$k"; fi
# This test's notes were written straight into the file by dbtool.py, not by the appliance: check must
# pass the integrity, schema and audit chain, and name those rows (and only those) as not saved by it.
out=$("$CAREHOME" check --data-dir "$SCRATCH/new-box" 2>&1)
if grep -q "^integrity: ok" <<<"$out" && grep -q "chain intact" <<<"$out"; then pass "carehome check on the restored home: integrity, schema and audit chain intact"; else fail "carehome check on the restored home" "$out"; fi
if grep -q "^records: test_deploy_notes row .* was added outside the appliance" <<<"$out" && ! grep "^records: " <<<"$out" | grep -qv "test_deploy_\|… and"; then
    pass "carehome check names the rows written into the file by another program, and nothing else"
else
    fail "carehome check names only the rows written outside the appliance" "$out"
fi

# Verify.
check "backup verify accepts a good encrypted backup with its key" "$CAREHOME" backup verify "$LATEST" --key-file "$KEY"
refuses "backup verify without the key says the backup is encrypted" "encrypted" "$CAREHOME" backup verify "$LATEST"
openssl rand -hex 32 > "$SCRATCH/wrong.key"
refuses "a wrong key is refused" "key file" "$CAREHOME" backup verify "$LATEST" --key-file "$SCRATCH/wrong.key"
check "an encrypted backup holds no readable record text" bash -c "! grep -q 'Night check' '$LATEST'"

# Damaged, truncated, newer: refused, and the live database is left exactly as it was.
"$CAREHOME" backup --config "$CONF" --to "$SCRATCH/plain.sqlite" --quiet >/dev/null 2>&1
check "a plain (unencrypted) backup with --to verifies (its digest, with the home's audit key)" "$CAREHOME" backup verify "$SCRATCH/plain.sqlite" --config "$CONF"
cp "$SCRATCH/plain.sqlite" "$SCRATCH/damaged.sqlite" && python3 "$DB" damage "$SCRATCH/damaged.sqlite"
# Two thirds of it (backups are compressed: a fixed size could be the whole file).
head -c $(( $(stat -c %s "$LATEST") * 2 / 3 )) "$LATEST" > "$SCRATCH/truncated.sqlite.enc"
cp "$SCRATCH/plain.sqlite" "$SCRATCH/newer.sqlite" && python3 "$DB" set-schema "$SCRATCH/newer.sqlite" 999
live_before=$(sha256sum "$DATA/home.sqlite")
refuses "backup verify finds the damaged backup" "damaged" "$CAREHOME" backup verify "$SCRATCH/damaged.sqlite"
refuses "restoring a damaged backup is refused" "Nothing was changed" "$CAREHOME" restore --config "$CONF" --from "$SCRATCH/damaged.sqlite"
refuses "restoring a truncated encrypted backup is refused" "Nothing was changed" "$CAREHOME" restore --config "$CONF" --from "$SCRATCH/truncated.sqlite.enc" --key-file "$KEY"
refuses "restoring a backup from a newer version is refused" "newer version" "$CAREHOME" restore --config "$CONF" --from "$SCRATCH/newer.sqlite"
check "after the refusals the live database is unchanged and nothing was set aside" \
    bash -c "[ \"\$(sha256sum '$DATA/home.sqlite')\" = '$live_before' ] && ! ls '$DATA' | grep -q before-restore"

# No restore under a running appliance.
python3 "$DB" hold "$DATA/home.sqlite" "$SCRATCH/held" "$SCRATCH/release" &
BACKGROUND="$BACKGROUND $!"
until [ -e "$SCRATCH/held" ]; do sleep 0.05; done
refuses "restore refuses while another process has the database open" "systemctl stop carehome" \
    "$CAREHOME" restore --config "$CONF" --from "$SCRATCH/plain.sqlite"
touch "$SCRATCH/release"; wait
BACKGROUND=""
if command -v flock >/dev/null; then
    flock -o "$DATA/carehome.lock" sleep 30 &   # -o: the lock dies with flock, not with sleep
    BACKGROUND="$!"
    sleep 0.3
    refuses "restore refuses while the appliance holds carehome.lock" "systemctl stop carehome" \
        "$CAREHOME" restore --config "$CONF" --from "$SCRATCH/plain.sqlite"
    kill $BACKGROUND 2>/dev/null; wait 2>/dev/null; BACKGROUND=""
fi

# Restore over the live database keeps it aside and says where.
python3 "$DB" fill "$DATA/home.sqlite" 7
after_backup=$(python3 "$DB" count "$DATA/home.sqlite")
out=$("$CAREHOME" restore --config "$CONF" --from "$SCRATCH/plain.sqlite" 2>&1)
aside=$(ls "$DATA"/home.sqlite.before-restore-* 2>/dev/null | grep -v -- '-wal$\|-shm$' | head -n 1)
if [ -n "$aside" ] && grep -qF "$aside" <<<"$out"; then pass "restore kept the current database aside and said where ($aside)"; else fail "restore keeps the current database aside" "$out"; fi
check "the set-aside database still has the notes saved after the backup" \
    bash -c "[ \$(python3 '$DB' count '$aside') -eq $after_backup ]"
check "the restored database is the backup's" bash -c "[ \$(python3 '$DB' count '$DATA/home.sqlite') -eq $((after_backup - 7)) ]"

# Retention in the backup directory: thirty old copies from one day collapse to that day's newest.
for minute in $(seq -w 0 29); do cp "$LATEST" "$BACKUPS/carehome-20260115T00${minute}00Z.sqlite.enc"; done
cp "$LATEST" "$BACKUPS/pre-upgrade-0.0.9-to-0.1.0-20260115T000000Z.sqlite.enc"
rm -f "$BACKUPS"/carehome-2026112*
out=$("$CAREHOME" backup --config "$CONF" --key-file "$KEY" --keep-retention 2>&1)
check "backup --keep-retention succeeds" grep -q "Retention: kept 2 nightly backups" <<<"$out"
check "only the old day's newest copy and the new backup remain" \
    bash -c "[ \$(ls '$BACKUPS' | grep -c '^carehome-') -eq 2 ] && [ -e '$BACKUPS/carehome-20260115T002900Z.sqlite.enc' ]"
check "pre-upgrade backups are never pruned" test -e "$BACKUPS/pre-upgrade-0.0.9-to-0.1.0-20260115T000000Z.sqlite.enc"

# The guard against root-owned database files.
if [ "$(id -u)" = 0 ]; then
    chown -R nobody "$SCRATCH/new-box"
    refuses "backup as root over a data directory owned by the service user is refused, with the command to use" "sudo -u nobody" \
        "$CAREHOME" backup --data-dir "$SCRATCH/new-box" --to "$SCRATCH/x.sqlite"
fi
finish
