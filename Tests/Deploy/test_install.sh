#!/bin/bash
# Installs the appliance into a throwaway prefix with Deploy/install.sh and runs the installed
# binary from there: files and permissions, a certificate for carehome.local, idempotence, a
# served /healthz over HTTPS, the systemd units, the downgrade refusal and an upgrade's backup.
#   Tests/Deploy/test_install.sh        (needs the `make build` tree, or CAREHOME_TREE=DIR)
. "$(dirname "$0")/lib.sh"

P=$(install_prefix install) || { fail "install.sh into a prefix"; finish; exit 1; }
pass "install.sh --prefix --no-systemd --no-apt installs"
OPT=$P/opt/carehome CONF=$P/etc/carehome/carehome.conf
VERSION=$("$TREE/bin/carehome" --version)

check "the installed binary runs from the prefix and reports the tree's version" \
    bash -c "[ \"\$('$OPT/bin/carehome' --version)\" = '$VERSION' ]"
for library in "$TREE"/plugins/lib*.so; do
    plugin=$(basename "$library")
    check "plugin $plugin is installed" test -f "$OPT/plugins/$plugin"
done
check "every library the binary and plugins need resolves from the installed tree" \
    bash -c "! LD_LIBRARY_PATH='$OPT/lib' ldd '$OPT/bin/carehome' '$OPT'/plugins/*.so | grep 'not found'"
check "the configuration points at the prefix's data, backup and plugin directories" \
    grep -qx "data_dir = $P/var/lib/carehome" "$CONF"
plugins=$("$OPT/bin/carehome" plugins list --config "$CONF" 2>&1)
check "the installed binary reads the installed configuration and finds its plugins" test $? -eq 0
for id in residents home-round medication-review falls-log deterioration transfers; do
    if grep -q "^  $id .*loaded" <<<"$plugins"; then pass "plugin $id loads from the installed tree"; else fail "plugin $id loads from the installed tree" "$plugins"; fi
done
if grep -q "disabled\|failed" <<<"$plugins"; then fail "every plugin shipped loads on a new install" "$plugins"; else pass "every plugin shipped loads on a new install"; fi
check "the TLS key is readable by root and the service group only (640)" bash -c "[ \$(stat -c %a '$P/etc/carehome/tls/key.pem') = 640 ]"
check "the backup key is 64 hexadecimal characters, mode 640" \
    bash -c "grep -Eqx '[0-9a-f]{64}' '$P/etc/carehome/backup.key' && [ \$(stat -c %a '$P/etc/carehome/backup.key') = 640 ]"
check "the generated certificate names carehome.local and this host" \
    bash -c "openssl x509 -noout -ext subjectAltName -in '$P/etc/carehome/tls/cert.pem' | grep -q 'DNS:carehome.local' && openssl x509 -noout -ext subjectAltName -in '$P/etc/carehome/tls/cert.pem' | grep -q \"DNS:\$(hostname -s)\""
FINGERPRINT=$(openssl x509 -noout -fingerprint -sha256 -in "$P/etc/carehome/tls/cert.pem" | sed 's/^.*=//')
check "the install prints the certificate's SHA-256 fingerprint" grep -qF "$FINGERPRINT" "$P.install.log"
check "the install says how to create the first accounts (no default password)" grep -q "carehome-first-run" "$P.install.log"
check "the data and backup directories are private (750)" \
    bash -c "[ \$(stat -c %a '$P/var/lib/carehome') = 750 ] && [ \$(stat -c %a '$P/var/backups/carehome') = 750 ]"

# Idempotent: a second run changes nothing, not even a modification time.
before=$(manifest "$P")
"$REPO/Deploy/install.sh" --tree "$TREE" --prefix "$P" --no-apt --no-systemd > "$SCRATCH/second.log" 2>&1
check "a second install.sh run succeeds" test $? -eq 0
after=$(manifest "$P")
if [ "$before" = "$after" ]; then pass "a second run changes no file, mode, owner or time"; else fail "a second run changed files" "$(diff <(echo "$before") <(echo "$after"))"; fi
check "a second run reports nothing installed or created" bash -c "! grep -E '^carehome-install: (installed|created|generated|wrote|removed)' '$SCRATCH/second.log'"
check "the installer's edits to carehome.conf are kept on a re-run" bash -c "
    sed -i 's/^home_name = .*/home_name = Rose Court/' '$CONF' &&
    '$REPO/Deploy/install.sh' --tree '$TREE' --prefix '$P' --no-apt --no-systemd >/dev/null &&
    grep -qx 'home_name = Rose Court' '$CONF'"

# The installed binary serves HTTPS with the generated certificate; /healthz answers.
printf 'a long admin password\n' | "$OPT/bin/carehome" user add --config "$CONF" --username ada.admin --role admin > "$SCRATCH/useradd.log" 2>&1
check "carehome user add works against the installed configuration" test $? -eq 0
# The guided first run (answers on standard input, as an unattended install gives them).
out=$(printf 'jo.admin\nJo Admin\nan admin password 1\nan admin password 1\nmo.manager\nMo Manager\na manager password 2\na manager password 2\n' |
      "$OPT/bin/carehome-first-run" 2>&1)
if grep -q "Added jo.admin" <<<"$out" && grep -q "Added mo.manager" <<<"$out"; then pass "carehome-first-run creates the first admin and manager"
else fail "carehome-first-run creates the first admin and manager" "$out"; fi
refuses "carehome-first-run refuses two different passwords" "differ" \
    bash -c "printf 'kim.admin\nKim\nfirst password 123\nsecond password 456\n' | '$OPT/bin/carehome-first-run'"
refuses "carehome-first-run refuses a short password" "at least 12" \
    bash -c "printf 'kim.admin\nKim\nshort\nshort\n' | '$OPT/bin/carehome-first-run'"

PORT=$(free_port)
"$OPT/bin/carehome" serve --config "$CONF" --listen "127.0.0.1:$PORT" > "$SCRATCH/serve.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
health=""
for _ in $(seq 1 60); do
    health=$(curl -fsS --max-time 2 --cacert "$P/etc/carehome/tls/cert.pem" --resolve "carehome.local:$PORT:127.0.0.1" \
        "https://carehome.local:$PORT/healthz" 2>/dev/null) && break
    sleep 0.5
done
if grep -q '"status"' <<<"$health"; then pass "the installed appliance answers https://carehome.local/healthz, trusted by its own certificate"
else fail "the installed appliance answers /healthz over HTTPS" "$(cat "$SCRATCH/serve.log")"; fi
# "Back up now" on the admin page of the installed appliance: encrypted with the installed backup key
# (backup_key in the installed carehome.conf), into the installed backup directory.
web() { curl -fsS --max-time 20 --cacert "$P/etc/carehome/tls/cert.pem" --resolve "carehome.local:$PORT:127.0.0.1" \
        -b "$SCRATCH/cookies" -c "$SCRATCH/cookies" "$@"; }
csrf() { sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }
token=$(web "https://carehome.local:$PORT/login" | csrf)
web -o /dev/null --data-urlencode "_csrf=$token" --data-urlencode "username=jo.admin" --data-urlencode "password=an admin password 1" \
    "https://carehome.local:$PORT/login"
token=$(web "https://carehome.local:$PORT/admin" | csrf)
web -o /dev/null --data-urlencode "_csrf=$token" "https://carehome.local:$PORT/admin/backups"
for _ in $(seq 1 120); do web "https://carehome.local:$PORT/admin/jobs/status" | grep -q '"running":false' && break; sleep 0.5; done
pressed=$(ls "$P/var/backups/carehome"/carehome-*.sqlite.enc 2>/dev/null | head -1)
check "Back up now on the installed admin page writes an encrypted backup into backup_dir" test -n "$pressed"
check "that backup verifies with the installed backup key" "$OPT/bin/carehome" backup verify "$pressed" --key-file "$P/etc/carehome/backup.key"
kill $BACKGROUND 2>/dev/null; wait 2>/dev/null; BACKGROUND=""

# systemd units: syntax and references checked by systemd itself, when it is available.
if command -v systemd-analyze >/dev/null; then
    for unit in "$P"/etc/systemd/system/*; do
        out=$(systemd-analyze verify "$unit" 2>&1)
        if [ -z "$out" ]; then pass "systemd-analyze verify $(basename "$unit") is clean"; else fail "systemd-analyze verify $(basename "$unit")" "$out"; fi
    done
    exposure=$(systemd-analyze security --offline=true "$P/etc/systemd/system/carehome.service" 2>/dev/null | sed -n 's/.*Overall exposure level for carehome.service: \([0-9.]*\).*/\1/p')
    check "the appliance's unit is hardened (systemd exposure $exposure, at most 2.0)" awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'
else
    fail "systemd-analyze is needed to check the units (apt-get install systemd)"
fi
for directive in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes Restart=on-failure \
        AmbientCapabilities=CAP_NET_BIND_SERVICE CapabilityBoundingSet=CAP_NET_BIND_SERVICE \
        "ReadWritePaths=$P/var/lib/carehome $P/var/backups/carehome"; do
    check "carehome.service has $directive" grep -qx "$directive" "$P/etc/systemd/system/carehome.service"
done

# An upgrade backs up first; an older version over the newer database is refused.
check "an upgrade (to 99.0.0) succeeds" "$REPO/Deploy/install.sh" --tree "$TREE" --prefix "$P" --no-apt --no-systemd --version 99.0.0
backup=$(ls "$P"/var/backups/carehome/pre-upgrade-"$VERSION"-to-99.0.0-*.sqlite.enc 2>/dev/null | head -n 1)
check "the upgrade took an encrypted backup first" test -n "$backup"
check "the pre-upgrade backup verifies with the backup key" "$OPT/bin/carehome" backup verify "$backup" --key-file "$P/etc/carehome/backup.key"
check "the data directory records the version that last used it" grep -qx 99.0.0 "$P/var/lib/carehome/.carehome-version"
before=$(manifest "$P")
refuses "installing an older version over the newer database is refused" "was last used by" \
    "$REPO/Deploy/install.sh" --tree "$TREE" --prefix "$P" --no-apt --no-systemd --version "$VERSION"
after=$(manifest "$P")
if [ "$before" = "$after" ]; then pass "the refused downgrade changed nothing"; else fail "the refused downgrade changed files" "$(diff <(echo "$before") <(echo "$after"))"; fi

# A plugin that a new version no longer ships is removed, not left to load.
touch "$OPT/plugins/libOldPlugin.so"
"$REPO/Deploy/install.sh" --tree "$TREE" --prefix "$P" --no-apt --no-systemd --version 99.0.0 >/dev/null 2>&1
check "a plugin the new tree does not ship is removed" test ! -e "$OPT/plugins/libOldPlugin.so"

finish
