#!/bin/bash
# `make test-vm`: the appliance's .deb on a booted Debian 12 machine, as an installer meets it.
#
#   Tests/VM/run.sh [DEB]     (as root; DEB defaults to the one `make package` wrote in .build/)
#
# Boots the Debian 12 image from Tests/VM/build-image.sh (built once and kept in .build/vm/base,
# rebuilt when that script changes) under qemu-system-x86_64, with KVM where /dev/kvm can be opened
# and software emulation otherwise, on a throwaway copy-on-write disk. The guest's only network is
# qemu's user networking with restrict=on: it reaches nothing; the host reaches its ports 22, 443
# and 80 through forwards bound to 127.0.0.1. Commands run in the guest over ssh with a key made
# for the image. Prints one line per check and "N passed, N failed"; exits 1 if any failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$REPO/Tests/VM
VMDIR=$REPO/.build/vm
BASE=$VMDIR/base
RUN=$VMDIR/run
STARTED=$(date +%s)
PASSED=0
FAILED=0
QEMU_PID=""
WRITER_PID=""
BOOTS=0

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/       /' | tail -n 25; }
check() {   # check "description" command...   (passes when the command succeeds)
    local description=$1; shift
    local output
    if output=$("$@" 2>&1); then pass "$description"; else fail "$description" "$output"; fi
}
refuses() {   # refuses "description" "expected text" command...   (passes when it fails saying that)
    local description=$1 expected=$2; shift 2
    local output
    if output=$("$@" 2>&1); then
        fail "$description (it succeeded)" "$output"
    elif ! grep -qF -- "$expected" <<<"$output"; then
        fail "$description (the message lacks \"$expected\")" "$output"
    else
        pass "$description"
    fi
}
figure() { echo "figure - $1"; echo "$1" >> "$RUN/figures.txt"; }
elapsed() { echo $(( $(date +%s) - STARTED )); }
finish() {
    stop_vm
    figure "whole VM test: $(elapsed) s"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit
}
cleanup() {
    [ -z "$WRITER_PID" ] || kill "$WRITER_PID" 2>/dev/null
    [ -z "$QEMU_PID" ] || kill -9 "$QEMU_PID" 2>/dev/null
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "Tests/VM/run.sh: run as root (debootstrap and chroot build the image)" >&2; exit 1; }

# ---- The .debs: the one under test, and the same tree as a lower version (for the upgrade) -------------
DEB=${1:-}
if [ -z "$DEB" ]; then
    VERSION=$("$REPO/.build/appliance/bin/carehome" --version 2>/dev/null) || {
        echo "Tests/VM/run.sh: no appliance tree; run \`make package\` first" >&2; exit 1; }
    DEB=$REPO/.build/carehome_${VERSION}_$(dpkg --print-architecture).deb
fi
[ -f "$DEB" ] || { echo "Tests/VM/run.sh: no package at $DEB; run \`make package\` first" >&2; exit 1; }
VERSION=$(dpkg-deb -f "$DEB" Version)
OLD_VERSION="${VERSION}~vmold"     # dpkg sorts "~" before anything: lower than $VERSION
rm -rf "$RUN"
mkdir -p "$RUN"
# The same files, as a lower version (package.sh reads the tree; the version is only the package's).
TREE=$RUN/tree
mkdir -p "$TREE" && dpkg-deb -x "$DEB" "$RUN/unpacked" && cp -a "$RUN/unpacked/opt/carehome/." "$TREE/" &&
    rm -rf "$TREE/share/deploy" "$TREE/share/doc" "$TREE/VERSION" "$TREE/bin/carehome-first-run" "$TREE/libexec"
OLD_DEB=$("$REPO/Deploy/package.sh" --fast --tree "$TREE" --out "$RUN/old" --version "$OLD_VERSION") ||
    { echo "Tests/VM/run.sh: could not build the lower-version package" >&2; exit 1; }
figure "package under test: $(basename "$DEB") ($(du -h "$DEB" | cut -f1)); lower version for the upgrade: $OLD_VERSION"

# ---- The image, cached in .build/vm/base until build-image.sh changes ----------------------------------
KEY=$(sha256sum "$HERE/build-image.sh" | cut -c1-16)
if [ "$(cat "$BASE/key" 2>/dev/null)" != "$KEY" ] || [ ! -f "$BASE/disk.img" ]; then
    t=$(date +%s)
    rm -rf "$BASE.new"
    "$HERE/build-image.sh" "$BASE.new" || { echo "Tests/VM/run.sh: building the Debian 12 image failed" >&2; exit 1; }
    echo "$KEY" > "$BASE.new/key"
    rm -rf "$BASE" && mv "$BASE.new" "$BASE"
    figure "Debian 12 image built (debootstrap, kernel, disk): $(( $(date +%s) - t )) s"
else
    figure "Debian 12 image: cached in .build/vm/base (built $(date -u -r "$BASE/key" +%FT%TZ))"
fi
qemu-img create -q -f qcow2 -b "$BASE/disk.img" -F raw "$RUN/disk.qcow2" || exit 1

# ---- The machine ----------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SSH_PORT=$(free_port); HTTPS_PORT=$(free_port); HTTP_PORT=$(free_port)
# KVM where /dev/kvm is there and a kernel really starts under it (inside another virtual machine,
# nested KVM can hang the guest's kernel before its first line: then software emulation).
# arch-capabilities is left out: some nested hosts refuse that MSR and qemu aborts.
kvm_works() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
    timeout 30 qemu-system-x86_64 -machine q35 -accel kvm -cpu host,-arch-capabilities -m 256 -nodefaults -no-user-config \
        -display none -serial "file:$RUN/kvm-probe.log" -kernel "$BASE/vmlinuz" -append "console=ttyS0 panic=-1" -no-reboot >/dev/null 2>&1
    grep -q "Linux version" "$RUN/kvm-probe.log"
}
if kvm_works; then ACCEL=(-accel kvm -cpu host,-arch-capabilities); ACCEL_NAME=KVM; WAIT=180
elif [ -e /dev/kvm ]; then ACCEL=(-accel tcg,thread=multi -cpu max); ACCEL_NAME="software emulation (/dev/kvm is there but a kernel does not start under it)"; WAIT=900
else ACCEL=(-accel tcg,thread=multi -cpu max); ACCEL_NAME="software emulation (no /dev/kvm)"; WAIT=900; fi
export VM_KEY=$BASE/id_ed25519 SSH_PORT HTTPS_PORT HTTP_PORT HERE RUN
SSH_OPTS="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5 -o ServerAliveInterval=5 -o ServerAliveCountMax=3"
export SSH_OPTS
# shellcheck disable=SC2086
g() { ssh -i "$VM_KEY" $SSH_OPTS -p "$SSH_PORT" root@127.0.0.1 "$@"; }      # a command in the guest
# shellcheck disable=SC2086
reachable() { timeout 15 ssh -i "$VM_KEY" $SSH_OPTS -p "$SSH_PORT" root@127.0.0.1 true 2>/dev/null; }
# shellcheck disable=SC2086
put() { scp -q -i "$VM_KEY" $SSH_OPTS -P "$SSH_PORT" "$1" "root@127.0.0.1:$2"; }

start_vm() {
    BOOTS=$((BOOTS + 1))
    local t; t=$(date +%s)
    qemu-system-x86_64 -name carehome-vm-test -machine q35 "${ACCEL[@]}" -smp 2 -m 1536 \
        -nodefaults -no-user-config -display none -serial "file:$RUN/serial-$BOOTS.log" \
        -kernel "$BASE/vmlinuz" -initrd "$BASE/initrd.img" \
        -append "root=/dev/vda ro console=ttyS0 net.ifnames=0 panic=5" \
        -drive "file=$RUN/disk.qcow2,if=virtio,format=qcow2" \
        -device virtio-rng-pci \
        -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22,hostfwd=tcp:127.0.0.1:$HTTPS_PORT-:443,hostfwd=tcp:127.0.0.1:$HTTP_PORT-:80" \
        -device virtio-net-pci,netdev=net0 > "$RUN/qemu-$BOOTS.log" 2>&1 &
    QEMU_PID=$!
    wait_ssh "$t" "boot $BOOTS"
}
wait_ssh() {   # START_TIME WHAT
    local deadline=$(( $(date +%s) + WAIT ))
    until reachable; do
        if ! kill -0 "$QEMU_PID" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
            fail "$2: the guest answers ssh within $WAIT s" "$(tail -n 30 "$RUN/serial-$BOOTS.log" "$RUN/qemu-$BOOTS.log" 2>&1)"
            return 1
        fi
        sleep 1
    done
    figure "$2: ssh answered $(( $(date +%s) - $1 )) s after it began ($ACCEL_NAME)"
}
stop_vm() {
    [ -n "$QEMU_PID" ] || return 0
    g systemctl poweroff >/dev/null 2>&1
    for _ in $(seq 1 60); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null
    QEMU_PID=""
}
# The unit reaches "active" and the appliance answers /healthz from the host, within 90 s.
wait_appliance() {
    local deadline=$(( $(date +%s) + 90 ))
    until [ "$(g systemctl is-active carehome 2>/dev/null)" = active ] &&
          curl -fsk --max-time 3 "https://127.0.0.1:$HTTPS_PORT/healthz" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 1
    done
}
sql() { g "runuser -u carehome -- sqlite3 -readonly /var/lib/carehome/home.sqlite \"$1\""; }   # as the service user: root must not create files there
carehome_as_service() { g "runuser -u carehome -- /opt/carehome/bin/carehome $*"; }
# A digest of the records that must survive: residents and accounts, row for row.
records_digest() { sql "SELECT * FROM residents_residents ORDER BY id; SELECT id, username, role, display_name FROM core_users ORDER BY id;" | sha256sum | cut -c1-16; }
client() { python3 "$HERE/client.py" "$HTTPS_PORT" "$RUN/cert.pem" "$@"; }
export -f g sql carehome_as_service records_digest client   # for the checks that run in bash -c

echo "# Booting Debian 12 ($ACCEL_NAME); forwards on 127.0.0.1: ssh $SSH_PORT, https $HTTPS_PORT, http $HTTP_PORT"
start_vm || finish
check "the guest is Debian 12 with systemd as init" g 'grep -q "^VERSION_CODENAME=bookworm" /etc/os-release && [ "$(ps -o comm= -p 1)" = systemd ]'
check "the guest reaches nothing outside (qemu user networking, restrict=on)" g '! curl -s --max-time 5 -o /dev/null http://deb.debian.org/'

# ---- Install (the lower version first; the upgrade comes later) --------------------------------------
put "$OLD_DEB" /root/ && put "$DEB" /root/
OLD_NAME=$(basename "$OLD_DEB"); NEW_NAME=$(basename "$DEB")
t=$(date +%s)
g "DEBIAN_FRONTEND=noninteractive apt-get install -y ./$OLD_NAME" > "$RUN/install-old.log" 2>&1
rc=$?
figure "apt-get install of the .deb: $(( $(date +%s) - t )) s"
if [ $rc = 0 ]; then pass "apt-get install ./$OLD_NAME (dependencies from the system, no network)"; else fail "apt-get install ./$OLD_NAME" "$(cat "$RUN/install-old.log")"; finish; fi
PRINTED=$(sed -n 's/^ *Certificate: *SHA-256 *//p' "$RUN/install-old.log" | tr -d ' \r')
check "the installer printed the certificate's SHA-256 fingerprint" test -n "$PRINTED"
check "the installer printed how to create the first accounts" grep -q "carehome-first-run" "$RUN/install-old.log"
check "the unit is enabled and active after the install" g 'systemctl is-enabled --quiet carehome && systemctl is-active --quiet carehome'
check "the backup timer is enabled and waiting" g 'systemctl is-enabled --quiet carehome-backup.timer && systemctl is-active --quiet carehome-backup.timer'
g cat /etc/carehome/tls/cert.pem > "$RUN/cert.pem"

# ---- HTTPS on 443 with the printed certificate ------------------------------------------------------------
served=$(openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername carehome.local </dev/null 2>/dev/null |
         openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//')
check "HTTPS on 443 serves the certificate whose fingerprint the installer printed ($PRINTED)" test -n "$served" -a "$served" = "$PRINTED"
check "a client trusting only that certificate reaches https://carehome.local/healthz" \
    curl -fsS --max-time 10 --cacert "$RUN/cert.pem" --resolve "carehome.local:$HTTPS_PORT:127.0.0.1" "https://carehome.local:$HTTPS_PORT/healthz"
check "the certificate names carehome.local and the box's own name" bash -c "openssl x509 -noout -ext subjectAltName -in '$RUN/cert.pem' | grep -q 'DNS:carehome.local.*DNS:careboxvm.local'"

# ---- First run: no accounts, no default password; the guide creates the admin and the manager -----------
check "before the first run there is no account at all" bash -c "[ \"\$(sql 'SELECT COUNT(*) FROM core_users' 2>/dev/null || echo 0)\" = 0 ]"
for pair in admin:admin admin:password admin:carehome root:root manager:manager; do
    refuses "no default sign-in: ${pair%%:*} / ${pair#*:} is refused" "" client login "${pair%%:*}" "${pair#*:}"
done
ADMIN_PASSWORD="vm admin $(openssl rand -hex 6)"
MANAGER_PASSWORD="vm manager $(openssl rand -hex 6)"
out=$(printf '%s\n' ada.admin "Ada Admin" "$ADMIN_PASSWORD" "$ADMIN_PASSWORD" mo.manager "Mo Manager" "$MANAGER_PASSWORD" "$MANAGER_PASSWORD" |
      g /opt/carehome/bin/carehome-first-run 2>&1)
if grep -q "^Done." <<<"$out"; then pass "carehome-first-run creates the first admin and manager"; else fail "carehome-first-run" "$out"; fi
check "the accounts are exactly ada.admin (admin) and mo.manager (manager)" \
    bash -c "[ \"\$(sql 'SELECT username, role FROM core_users ORDER BY id' | tr '\n' ' ')\" = 'ada.admin|admin mo.manager|manager ' ]"
check "the admin signs in over HTTPS from the host" client login ada.admin "$ADMIN_PASSWORD"
refuses "a wrong password is refused" "" client login mo.manager "not the password"
out=$(client add-residents mo.manager "$MANAGER_PASSWORD" "Before Upgrade" 25 "$RUN/acks-before.txt" 2>&1)
check "the manager signs in and adds 25 residents over HTTPS" test "$(wc -l < "$RUN/acks-before.txt")" = 25 -a "$(sql 'SELECT COUNT(*) FROM residents_residents')" = 25

# ---- The hardening in force -------------------------------------------------------------------------------
security=$(g systemd-analyze security carehome.service --no-pager 2>&1)
score=$(grep -oE 'Overall exposure level for carehome.service: [0-9.]+' <<<"$security" | awk '{print $NF}')
figure "systemd-analyze security carehome.service: ${score:-?} ($(grep -o 'Overall exposure.*' <<<"$security" | sed 's/.*: //'))"
check "systemd-analyze security carehome.service scores 2.0 or lower (${score:-none})" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
backup_score=$(g systemd-analyze security carehome-backup.service --no-pager 2>&1 | grep -oE 'Overall exposure level for carehome-backup.service: [0-9.]+' | awk '{print $NF}')
figure "systemd-analyze security carehome-backup.service: ${backup_score:-?}"
PID=$(g systemctl show -p MainPID --value carehome)
caps=$(g "grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/$PID/status")
check "the appliance runs as the carehome user" bash -c "[ \"\$(g ps -o user= -p $PID)\" = carehome ]"
check "its only capability is CAP_NET_BIND_SERVICE (effective, permitted, bounding, ambient)" bash -c "
    for set in CapEff CapPrm CapBnd CapAmb; do grep -q \"^\$set:[[:space:]]*0000000000000400\$\" <<<'$caps' || exit 1; done"
check "and it cannot gain more: no_new_privs and a seccomp filter" bash -c "grep -q '^NoNewPrivs:[[:space:]]*1' <<<'$caps' && grep -q '^Seccomp:[[:space:]]*2' <<<'$caps'"
figure "capabilities of the running appliance: $(g "capsh --decode=\$(awk '/^CapEff/ {print \$2}' /proc/$PID/status)")"
# Try to write, inside the service's own mount namespace, as its user (and as root: read-only mounts
# stop root too, so this is the unit's sandbox and not only file permissions).
CH_UID=$(g id -u carehome); CH_GID=$(g id -g carehome)
in_service() { g "nsenter -t $PID -m -S $1 -G $2 sh -c '$3'"; }
for dir in /var/lib/carehome /var/backups/carehome; do
    check "the service can write in $dir" in_service "$CH_UID" "$CH_GID" "echo x > $dir/.vm-write-test && rm $dir/.vm-write-test"
done
for dir in /etc /etc/carehome /opt/carehome /opt/carehome/plugins /usr/lib /var/log /var/lib /var/tmp/.. /boot /root /home; do
    refuses "even root in the service's namespace cannot write in $dir" "" in_service 0 0 "echo x > $dir/.vm-write-test"
done
check "nothing was written by those attempts" g '! ls -d /etc/.vm-write-test /opt/carehome/.vm-write-test /var/lib/.vm-write-test /root/.vm-write-test 2>/dev/null | grep -q .'

# ---- Port 80: closed until enabled, then only redirects ------------------------------------------------------
refuses "port 80 is closed while http_redirect is off (the default)" "" curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$HTTP_PORT/"
g "sed -i 's/^# *http_redirect = /http_redirect = /' /etc/carehome/carehome.conf && systemctl restart carehome"
wait_appliance || fail "the appliance restarts with http_redirect on" "$(g journalctl -u carehome -n 20 --no-pager)"
redirects=1
for request in "GET /" "GET /login" "GET /residents/1?x=1" "POST /login" "GET /healthz"; do
    reply=$(curl -sS --max-time 5 -X "${request% *}" -H "Host: carehome.local" -o "$RUN/http80.body" -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT${request#* }" 2>&1)
    if [ "$reply" != "308 https://carehome.local${request#* }" ] || grep -qi '<form\|<html' "$RUN/http80.body"; then
        redirects=0; fail "port 80: $request only redirects to HTTPS" "$reply"
    fi
done
[ "$redirects" = 0 ] || pass "port 80 answers every request (GET and POST, pages and /healthz) with a 308 to https://, never a page"

# ---- avahi: carehome.local inside the guest -------------------------------------------------------------------
sleep 2
check "carehome.local resolves through avahi (avahi-resolve) to the guest's address" bash -c "g avahi-resolve -4 -n carehome.local | grep -qE 'carehome.local[[:space:]]+10\.0\.2\.15'"
check "carehome.local resolves through nss-mdns (getent hosts)" bash -c "g getent hosts carehome.local | grep -q '^10\.0\.2\.15'"
browse=$(g avahi-browse -rtp _https._tcp 2>&1)   # -p writes a space as \032
check "the HTTPS service is announced by DNS-SD (_https._tcp, \"Carehome on careboxvm\", port 443)" \
    grep -qE '^=;eth0;IPv4;Carehome\\032on\\032careboxvm;.*;10\.0\.2\.15;443;' <<<"$browse"

# ---- Upgrade from the lower version: a backup first, migrations, every record kept --------------------------
before=$(records_digest)
tables_before=$(sql "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name" | tr '\n' ' ')
g "DEBIAN_FRONTEND=noninteractive apt-get install -y ./$NEW_NAME" > "$RUN/upgrade.log" 2>&1
if [ $? = 0 ]; then pass "apt-get install ./$NEW_NAME upgrades $OLD_VERSION to $VERSION"; else fail "the upgrade to $VERSION" "$(cat "$RUN/upgrade.log")"; fi
check "the upgrade took a backup first, named for both versions" grep -q "backed up the database before upgrading ($OLD_VERSION to $VERSION)" "$RUN/upgrade.log"
pre=$(g "ls /var/backups/carehome/pre-upgrade-${OLD_VERSION}-to-${VERSION}-*.sqlite.enc" 2>/dev/null | head -n 1)
check "that backup verifies with the backup key" carehome_as_service backup verify "$pre" --key-file /etc/carehome/backup.key
check "the upgrade ran the migrations (carehome migrate, every plugin reported)" bash -c "grep -qE '^residents: ' '$RUN/upgrade.log' && grep -qE '^falls-log: ' '$RUN/upgrade.log'"
wait_appliance; check "the unit is active after the upgrade" g systemctl is-active --quiet carehome
check "every record is kept (residents and accounts, row for row)" test "$(records_digest)" = "$before"
check "every table is still there" test "$(sql "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name" | tr '\n' ' ')" = "$tables_before"
check "the manager still signs in" client login mo.manager "$MANAGER_PASSWORD"

# ---- A downgrade over the newer database is refused ------------------------------------------------------------
g "DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades ./$OLD_NAME" > "$RUN/downgrade.log" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "refusing to install version $OLD_VERSION" "$RUN/downgrade.log" && grep -q "Nothing was changed" "$RUN/downgrade.log"; then
    pass "apt-get install of $OLD_VERSION over the database $VERSION used is refused, saying why and what to do"
else fail "the downgrade is refused with a clear message" "$(cat "$RUN/downgrade.log")"; fi
installed=$(g "dpkg-query -W -f '\${Version} \${Status}' carehome")
check "the installed version is still $VERSION ($installed)" test "$installed" = "$VERSION install ok installed"
wait_appliance
check "the appliance is running again after the refused downgrade" g systemctl is-active --quiet carehome
check "no record changed" test "$(records_digest)" = "$before"

# ---- The nightly backup timer fires; retention -----------------------------------------------------------------
count_backups() { g "ls /var/backups/carehome/ | grep -c '^carehome-.*\.sqlite\.enc\$'"; }
n_before=$(count_backups)
# The timer itself must fire: the guest's clock is set 10 s before its next elapse and left to run.
# Its RandomizedDelaySec (up to 20 min after 02:30) is drawn again whenever the clock jumps, so a
# runtime drop-in (in /run: gone at the next boot) sets it to 0 for this check.
g "mkdir -p /run/systemd/system/carehome-backup.timer.d && printf '[Timer]\\nRandomizedDelaySec=0\\n' > /run/systemd/system/carehome-backup.timer.d/vm-test.conf && systemctl daemon-reload && systemctl restart carehome-backup.timer"
next=$(g 'date -d "$(systemctl show -p NextElapseUSecRealtime --value carehome-backup.timer)" +%s')
figure "the backup timer's next elapse: $(date -u -d "@$next" +%FT%TZ); the guest's clock set to 10 s before it"
g "date -s @$((next - 10)) >/dev/null"
fired=0
for _ in $(seq 1 60); do
    if [ "$(count_backups)" -gt "$n_before" ] && [ "$(g systemctl show -p ActiveState --value carehome-backup.service)" = inactive ]; then fired=1; break; fi
    sleep 1
done
g "date -s @$(date +%s) >/dev/null; rm -r /run/systemd/system/carehome-backup.timer.d; systemctl daemon-reload"   # back to the real time and the unit as shipped
check "carehome-backup.timer fired at its time and the backup service succeeded" \
    bash -c "[ $fired = 1 ] && [ \"\$(g systemctl show -p Result --value carehome-backup.service)\" = success ]"
nightly=$(g "ls /var/backups/carehome/carehome-*.sqlite.enc | sort | tail -n 1")
check "the nightly backup was written to backup_dir ($nightly)" test -n "$nightly"
check "it verifies with the backup key" carehome_as_service backup verify "$nightly" --key-file /etc/carehome/backup.key
check "the journal says so (Backup written, Retention)" bash -c "g journalctl -u carehome-backup --no-pager | grep -q 'Backup written' && g journalctl -u carehome-backup --no-pager | grep -q 'Retention:'"
mode=$(g "stat -c '%U %a' $nightly")
# Everything carehome writes is 0600 (its umask is 077): a backup is readable by the service user only.
check "the backup file is the service user's and readable by nobody else ($mode)" test "$mode" = "carehome 600"
# Thirty copies from one old day, as if left by a month of nights: the next run keeps only that day's
# newest; pre-upgrade backups are never pruned.
g "cd /var/backups/carehome && for m in \$(seq -w 0 29); do runuser -u carehome -- cp $nightly carehome-20260115T00\${m}00Z.sqlite.enc; done"
g systemctl start carehome-backup.service
check "a backup started by hand (systemctl start carehome-backup) succeeds" bash -c "[ \"\$(g systemctl show -p Result --value carehome-backup.service)\" = success ]"
check "retention keeps only the old day's newest copy" \
    bash -c "[ \"\$(g 'ls /var/backups/carehome | grep -c ^carehome-20260115')\" = 1 ] && g test -e /var/backups/carehome/carehome-20260115T002900Z.sqlite.enc"
check "retention keeps the pre-upgrade backup" g test -e "$pre"
check "retention keeps the newest nightly backup" bash -c "g 'ls /var/backups/carehome/carehome-*.sqlite.enc' | sort | tail -n 1 | grep -qv 20260115"

# ---- Reboot --------------------------------------------------------------------------------------------------------
t=$(date +%s)
g systemctl reboot >/dev/null 2>&1
sleep 5
wait_ssh "$t" "reboot" || finish
wait_appliance
check "after a reboot the unit is active by itself" g systemctl is-active --quiet carehome
check "after a reboot HTTPS answers with the same certificate" bash -c "[ \"\$(openssl s_client -connect 127.0.0.1:$HTTPS_PORT </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 | sed 's/^.*=//')\" = '$PRINTED' ]"
check "after a reboot port 80 still only redirects" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HTTP_PORT/)\" = 308 ]"
check "after a reboot carehome.local resolves" bash -c "sleep 3; g avahi-resolve -4 -n carehome.local | grep -q 10.0.2.15"
check "after a reboot every record is there" test "$(records_digest)" = "$before"

# ---- Power cut: qemu killed without warning during saves -------------------------------------------------------------
: > "$RUN/acks-power.txt"
client add-residents mo.manager "$MANAGER_PASSWORD" "Power Cut" 0 "$RUN/acks-power.txt" > "$RUN/writer.log" 2>&1 &
WRITER_PID=$!
for _ in $(seq 1 120); do [ "$(wc -l < "$RUN/acks-power.txt")" -ge 30 ] && break; sleep 0.5; done
kill -9 "$QEMU_PID"; wait "$QEMU_PID" 2>/dev/null; QEMU_PID=""
wait "$WRITER_PID" 2>/dev/null; WRITER_PID=""
acked=$(wc -l < "$RUN/acks-power.txt")
figure "power cut: qemu killed (SIGKILL) after $acked acknowledged saves"
check "saves were being acknowledged when the power went ($acked)" test "$acked" -ge 30
t=$(date +%s)
start_vm || finish
if wait_appliance; then pass "after the power cut the appliance comes back by itself (nobody started it)"; else fail "the appliance comes back after the power cut" "$(g journalctl -b -u carehome -n 30 --no-pager)"; fi
figure "power cut to the appliance answering again: $(( $(date +%s) - t )) s"
sql "SELECT full_name FROM residents_residents WHERE full_name LIKE 'Power Cut %'" | sort > "$RUN/stored-power.txt"
lost=$(sort "$RUN/acks-power.txt" | comm -23 - "$RUN/stored-power.txt")
check "no acknowledged save was lost ($acked acknowledged, $(wc -l < "$RUN/stored-power.txt") stored)" test -z "$lost"
check "the records from before are all there" test "$(sql "SELECT COUNT(*) FROM residents_residents WHERE full_name LIKE 'Before Upgrade %'")" = 25
check "carehome check: integrity ok after the power cut" bash -c "carehome_as_service check --config /etc/carehome/carehome.conf | grep -q 'integrity: ok'"
total=$(sql "SELECT COUNT(*) FROM residents_residents")

# ---- Remove and purge keep the records ---------------------------------------------------------------------------------
g "DEBIAN_FRONTEND=noninteractive apt-get remove -y carehome" > "$RUN/remove.log" 2>&1
check "apt-get remove carehome succeeds" grep -q "carehome removed" "$RUN/remove.log"
check "after remove the appliance is stopped and its program gone" g '! systemctl is-active --quiet carehome && [ ! -e /opt/carehome/bin/carehome ]'
check "after remove the records, the configuration and the backups are kept" \
    g "[ -f /var/lib/carehome/home.sqlite ] && [ -f /etc/carehome/carehome.conf ] && [ -f /etc/carehome/backup.key ] && ls /var/backups/carehome | grep -q sqlite.enc"
check "after remove every record is still in the database" test "$(sql "SELECT COUNT(*) FROM residents_residents")" = "$total"
g "DEBIAN_FRONTEND=noninteractive apt-get purge -y carehome" > "$RUN/purge.log" 2>&1
check "apt-get purge carehome succeeds and says what it kept" grep -q "KEPT: /var/lib/carehome" "$RUN/purge.log"
check "after purge the records, the backups and the backup key are kept" \
    g "[ -f /var/lib/carehome/home.sqlite ] && [ -f /etc/carehome/backup.key ] && [ -e $pre ] && [ -e $nightly ]"
check "after purge the configuration and the TLS key are gone (as documented)" g '[ ! -e /etc/carehome/carehome.conf ] && [ ! -e /etc/carehome/tls ]'
check "after purge every record is still in the database" test "$(sql "SELECT COUNT(*) FROM residents_residents")" = "$total"
g "DEBIAN_FRONTEND=noninteractive apt-get install -y ./$NEW_NAME" > "$RUN/reinstall.log" 2>&1
wait_appliance
check "installing again after purge starts the appliance on the kept records" \
    bash -c "[ \"\$(g systemctl is-active carehome)\" = active ] && [ \"\$(sql 'SELECT COUNT(*) FROM residents_residents')\" = $total ]"
g cat /etc/carehome/tls/cert.pem > "$RUN/cert.pem"
check "the manager signs in again on the reinstalled appliance (accounts came back with the records)" client login mo.manager "$MANAGER_PASSWORD"
check "and the reinstall did not offer a first run (the home is not new)" bash -c "! grep -q carehome-first-run '$RUN/reinstall.log'"

finish
